"""One clock: timestamps are stored in UTC and every date a person reads is in UK time, on
pages and in the PDF and Word records alike."""
import io
import zipfile
from datetime import UTC, date, datetime

from sqlalchemy import select

from tests.support import agree
from workspace import clock
from workspace.accounts.models import User
from workspace.documents.models import Document
from workspace.export import docx as word_export
from workspace.export import pdf, service
from workspace.extensions import db
from workspace.review import lifecycle, positions

#: 00:30 on 2 July 2026 in the UK (BST), still 1 July in UTC.
LATE_EVENING_UTC = datetime(2026, 7, 1, 23, 30)


def test_a_summer_timestamp_reads_in_uk_time():
    assert clock.display(LATE_EVENING_UTC, clock.DATE) == "2 July 2026"
    assert clock.display(LATE_EVENING_UTC) == "2 Jul 2026, 00:30"
    assert clock.display("2026-07-01T23:30", clock.DATE) == "2 July 2026"


def test_a_winter_timestamp_is_uk_time_equal_to_utc():
    assert clock.display(datetime(2026, 1, 15, 23, 30)) == "15 Jan 2026, 23:30"


def test_a_plain_date_prints_as_it_is_and_nothing_prints_empty():
    assert clock.display(date(2026, 7, 1), clock.DATE) == "1 July 2026"
    assert clock.display("2026-07-01", clock.DATE) == "1 July 2026"
    assert clock.display(None) == "" and clock.display("") == ""


def test_an_aware_timestamp_is_converted_too():
    assert clock.in_uk(LATE_EVENING_UTC.replace(tzinfo=UTC)).hour == 0


def test_utcnow_is_naive_utc_and_today_is_the_uk_date():
    now = clock.utcnow()
    assert now.tzinfo is None
    assert abs((datetime.now(UTC).replace(tzinfo=None) - now).total_seconds()) < 5
    assert clock.today() == datetime.now(clock.UK).date()


def test_a_signature_just_before_midnight_utc_in_summer_prints_the_uk_date(app, demo):
    """Positions given, version frozen and signed at 23:30 UTC on 1 July: the PDF and the
    Word file both say 2 July 2026, as a reader in the UK saw the clock."""
    with app.test_request_context():
        document = db.session.get(Document, 1)
        members = db.session.scalars(select(User).where(User.role == "member")).all()
        for cell in positions.agreement_grid(document).outstanding:
            member = next(u for u in members
                          if u.organisation_id == cell.signatory.organisation_id)
            positions.record_position(cell.section, member, "agreed").created_at = \
                LATE_EVENING_UTC
        db.session.flush()
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        row = agree(document, admin, with_exceptions=True)
        row.frozen_at = LATE_EVENING_UTC
        watford = next(u for u in members if u.email == "member@watford.example")
        result = lifecycle.sign(document, watford, "common-ground", "Watford Member",
                                "Portfolio Holder")
        result.signature.signed_at = LATE_EVENING_UTC
        db.session.commit()

        html = pdf.render_html(service.print_context(document,
                                                     *service.export_source(document, 1)))
        data, _number = word_export.build_docx(document, 1)
        blocks = service.signature_blocks(document, row)
    assert [b["date"] for b in blocks if b["signed"]] == ["2 July 2026"]
    word_xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    for text in (html, word_xml):
        assert "2 July 2026" in text
        assert "1 July 2026" not in text and "2026-07-01" not in text
    assert "<dt>Date</dt><dd>2 July 2026</dd>" in html     # the cover's date


def test_the_digital_signatures_stamp_prints_uk_time():
    from workspace.export.signing import STAMP_TIME
    assert clock.display(LATE_EVENING_UTC, STAMP_TIME) == "2 July 2026 00:30 BST"
