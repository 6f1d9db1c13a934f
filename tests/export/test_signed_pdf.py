"""Signed PDFs keep what made them accessible and archival, and read as a council would publish
them (issue 16): every font embedded, invisible signature fields, the structure tree and
metadata intact after signing; signing times that are the Members'; a cover with the status,
the partnership's running header, UK dates, a signature page naming who signed, in what
capacity and when; a draft without a Signatures page."""
import io
import re
from datetime import timedelta

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import async_validate_pdf_signature
from sqlalchemy import select

from tests.support import agree
from workspace import clock
from workspace.accounts.models import Organisation, User
from workspace.documents.models import Document
from workspace.export import keys
from workspace.export.asyncrun import run
from workspace.export.models import PdfExport, PdfFile
from workspace.export.printing import SIGNED_AT
from workspace.export.verify import _validation_context, verify_pdf
from workspace.extensions import db
from workspace.review import lifecycle, positions

from ..support import download
from .pdf_checks import (
    HIDDEN,
    PRINT,
    reader_of,
    signature_widgets,
    text_of,
    unembedded_fonts,
    xmp_text,
    xmp_value,
    zero_sized,
)

SCG = "/p/sw-herts/d/1"
PARTNERSHIP = "South West Hertfordshire Joint Strategic Plan"
#: The authorities that hold a trial key; Hertsmere signs without one.
KEYED = ("dacorum", "herts", "stalbans", "threerivers", "watford")
#: The order the Members sign in (not alphabetical).
ORDER = ("watford", "hertsmere", "dacorum", "threerivers", "herts", "stalbans")


def _agree(app, keyed=KEYED):
    """Every outstanding position given; version 1 agreed (with exceptions); trial keys."""
    with app.test_request_context():
        document = db.session.get(Document, 1)
        members = {u.organisation.code: u for u in
                   db.session.scalars(select(User).where(User.role == "member"))}
        for cell in positions.agreement_grid(document).outstanding:
            member = next(u for u in members.values()
                          if u.organisation_id == cell.signatory.organisation_id)
            positions.record_position(cell.section, member, "agreed")
        for organisation in db.session.scalars(select(Organisation)):
            if organisation.code in keyed:
                keys.make_self_signed(organisation)
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        agree(document, admin, with_exceptions=True)
        db.session.commit()


def _sign(app, codes):
    """The Members of `codes` sign in turn, a minute apart (whole seconds, in the past), as
    the signing time is recorded. Returns {code: signed_at}."""
    times = {}
    with app.test_request_context():
        document = db.session.get(Document, 1)
        start = clock.utcnow().replace(microsecond=0) - timedelta(minutes=4)
        for code in codes:
            member = db.session.scalar(select(User).where(
                User.email == f"member@{code}.example"))
            result = lifecycle.sign(document, member, "common-ground", member.name,
                                    member.job_title)
            result.signature.signed_at = start + timedelta(seconds=37 * len(times))
            times[code] = result.signature.signed_at
        db.session.commit()
    return times


def _publish(app):
    with app.test_request_context():
        document = db.session.get(Document, 1)
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        if document.is_agreed:
            lifecycle.mark_signed(document, admin)
        lifecycle.publish(document, admin)
        db.session.commit()


def _organisations(app):
    with app.app_context():
        return {o.code: o.name for o in db.session.scalars(select(Organisation))}


def _check_signatures(app, data, times, names):
    """pyHanko lists one intact signature per keyed authority, in signing order, each made
    at the time its Member signed (CMS signingTime and /M)."""
    keyed_order = [code for code in ORDER if code in times and code in KEYED]
    embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures
    assert [s.field_name for s in embedded] == [f"Signature-{c}" for c in keyed_order]
    with app.app_context():
        context = _validation_context()
        for sig, code in zip(embedded, keyed_order, strict=True):
            status = run(lambda sig=sig: async_validate_pdf_signature(sig, context))
            assert status.intact and status.valid and status.trusted, code
            reported = status.signer_reported_dt.replace(tzinfo=None) \
                - status.signer_reported_dt.utcoffset()
            assert reported == times[code], code
            assert sig.self_reported_timestamp == status.signer_reported_dt
            assert str(sig.sig_object["/Reason"]) == f"Signed for {names[code]}"
    return embedded


def _check_kept(data, variant):
    """Fonts, signature fields, structure tree, metadata: as PDF/UA-1 and PDF/A-3 ask."""
    reader = reader_of(data)
    assert unembedded_fonts(reader) == []
    widgets = signature_widgets(reader)
    assert widgets
    for field, widget in widgets:
        assert zero_sized(widget)                  # invisible: no appearance to tag
        assert str(field["/TU"]).startswith("Digital signature of ")
        flags = int(widget.get("/F", 0))
        if variant == "ua":
            assert flags & HIDDEN                  # PDF/UA: outside the structure tree
        else:
            assert flags & PRINT and not flags & HIDDEN       # PDF/A
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == "en-GB"
    assert "/Sig" not in str(root["/StructTreeRoot"].get("/ParentTree", ""))
    info = reader.metadata
    xmp = xmp_text(reader)
    assert xmp_value(xmp, "dc:title") == info.title
    assert xmp_value(xmp, "dc:creator") == info.author == PARTNERSHIP
    assert xmp_value(xmp, "pdf:Producer") == info.producer
    assert xmp_value(xmp, "pdf:Keywords") == info["/Keywords"]
    assert xmp_value(xmp, "xmp:CreatorTool") == info.creator
    if variant == "ua":
        assert xmp_value(xmp, "pdfuaid:part") == "1"
    else:
        assert xmp_value(xmp, "pdfaid:part") == "3"
        assert xmp_value(xmp, "pdfaid:conformance") == "B"
    return reader


def test_a_published_signed_pdf_keeps_fonts_tags_metadata_and_the_signing_times(
        app, member, run_jobs):
    names = _organisations(app)
    _agree(app)
    times = _sign(app, ORDER)
    run_jobs()
    _publish(app)
    # Until the job has made the files again with the publication, the version's download
    # says it is being prepared: never a file whose cover lacks it.
    assert member.get(f"{SCG}/versions/1/pdf").status_code == 202
    run_jobs()
    with app.app_context():
        published = clock.display(lifecycle.version(db.session.get(Document, 1), 1)
                                  .published_at, clock.DATE)
    signed = clock.display(max(times.values()), clock.DATE)
    for variant in ("ua", "archive"):
        response = member.get(f"{SCG}/versions/1/pdf?variant={variant}")
        assert response.status_code == 200, variant
        data = response.data
        _check_kept(data, variant)
        _check_signatures(app, data, times, names)
        with app.app_context():
            assert verify_pdf(data).genuine

        pages = text_of(data)
        cover, text = pages[0], " ".join(pages)
        assert f"Signed on {signed} and published on {published}" in cover
        assert "Status: Agreed" not in text and "DRAFT" not in text
        header = f"{PARTNERSHIP} Statement of Common Ground – version 1"   # running header
        assert all(header in page for page in pages[1:]) and header not in cover
        signatures = pages[-1] if "Signatures" in pages[-1] else \
            " ".join(p for p in pages if "Signed by" in p)
        for code in ORDER:
            assert names[code] in signatures
            when = clock.display(times[code], SIGNED_AT)
            assert f"Signed on {when}" in signatures, code
        assert "Signature Name Position Date" not in text        # no blank wet-ink lines
        assert text.count("Signed digitally") == len(KEYED)
        assert "Signed in Common Ground, without a digital certificate" in text  # Hertsmere
        assert not re.search(r"\b20\d\d-\d\d-\d\d\b", text)           # UK dates only

        # A file cut back to an earlier revision carries fewer signatures.
        embedded = PdfFileReader(io.BytesIO(data)).embedded_signatures
        first = embedded[0].sig_object["/ByteRange"]
        earlier = data[:first[2] + first[3]]
        assert len(PdfFileReader(io.BytesIO(earlier)).embedded_signatures) == 1

    # Every file made on the way (before publication too) is kept for the verify page.
    with app.app_context():
        files = db.session.execute(select(PdfExport.variant, PdfExport.stamp_boxes,
                                          PdfFile.signature_count)
                                   .join(PdfFile, PdfFile.export_id == PdfExport.id)
                                   .where(PdfExport.version_id.is_not(None))).all()
        assert {(v, n) for v, _s, n in files} == {("ua", 0), ("ua", 5), ("archive", 0),
                                                  ("archive", 5)}
        assert len(files) == 8      # rendering and signed file: signed, then also published


def test_a_version_is_made_again_as_signatures_come_in(app, member, run_jobs):
    names = _organisations(app)
    _agree(app)
    first = _sign(app, ("watford",))
    run_jobs()
    response = download(member, f"{SCG}/versions/1/pdf", run_jobs)
    assert response.status_code == 200
    pages = text_of(response.data)
    text = " ".join(pages)
    assert f"Agreed on {clock.display(clock.utcnow(), clock.DATE)}" in pages[0]
    # Watford is named; the others, not yet signed, keep their wet-ink lines.
    assert f"Signed on {clock.display(first['watford'], SIGNED_AT)}" in text
    assert text.count("Signature Name Position Date") == len(ORDER) - 1
    assert "Not yet signed. Sign here for Dacorum Borough Council" in text
    _check_kept(response.data, "ua")
    _check_signatures(app, response.data, first, names)
    first_file = response.data

    # Hertsmere signs without a key: the file is made again, naming it, with no new
    # digital signature; then Dacorum, with a key.
    with app.test_request_context():
        document = db.session.get(Document, 1)
        for code in ("hertsmere", "dacorum"):
            member_row = db.session.scalar(select(User).where(
                User.email == f"member@{code}.example"))
            lifecycle.sign(document, member_row, "common-ground", member_row.name,
                           member_row.job_title)
        db.session.commit()
    assert member.get(f"{SCG}/versions/1/pdf").status_code == 202
    run_jobs()
    again = member.get(f"{SCG}/versions/1/pdf")
    assert again.status_code == 200
    text = " ".join(text_of(again.data))
    assert text.count("Signature Name Position Date") == len(ORDER) - 3
    assert "Hertsmere Member" in text
    assert len(PdfFileReader(io.BytesIO(again.data)).embedded_signatures) == 2
    with app.app_context():                        # the first file stays recognised
        assert verify_pdf(first_file).known_file is not None


def test_a_draft_has_no_signatures_page_and_the_partnership_in_its_header(app, member,
                                                                          run_jobs):
    response = download(member, f"{SCG}/pdf", run_jobs)
    assert response.status_code == 200
    pages = text_of(response.data)
    assert "Draft" in pages[0] and "This is a draft" in pages[0]
    assert not any(page.replace("DRAFT – not agreed", "").strip().startswith("Signatures")
                   for page in pages)
    assert "Signed for each party" not in " ".join(pages)
    assert "Signatures" not in pages[1]            # nor in the contents
    assert all(PARTNERSHIP in page for page in pages[1:])
    reader = _check_draft(response.data)
    assert reader.metadata.author == PARTNERSHIP


def _check_draft(data):
    reader = reader_of(data)
    assert unembedded_fonts(reader) == [] and signature_widgets(reader) == []
    xmp = xmp_text(reader)
    assert xmp_value(xmp, "dc:title") == reader.metadata.title
    return reader
