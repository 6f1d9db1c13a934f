"""A Statement of Common Ground agreed and waiting for signatures, for the signing tests
(tests/review/test_signing_step.py, tests/export/test_signing_progress.py, the browser's)."""
import re

from sqlalchemy import select

from tests.support import agree
from workspace.accounts.models import Organisation, User
from workspace.documents import service
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership
from workspace.review import lifecycle
from workspace.review.models import Signatory, Signature
from workspace.review.positions import record_position

PASSWORD = "correct-horse-1"
UNMET = "Unmet need must wait for the joint Green Belt review."
NO_REVIEW = "A shared Green Belt review must not set each authority's numbers."


def agreed_scg(app, world, factory, signatories=("watford", "dacorum"), keys=()):
    """An SCG with two strategic matters, agreed except Dacorum's positions (reservations on
    housing, not agreed on the Green Belt) when Dacorum signs, else fully. Members: Watford's
    (world "member", named Cllr Watford), Dacorum's and Hertsmere's (a partner that does not
    sign). `keys`: authorities given a trial signing certificate. Returns ids and URLs."""
    hertsmere = factory.organisation("hertsmere", "Hertsmere Borough Council")
    orgs = dict(world["orgs"], hertsmere=hertsmere)
    users = dict(world["users"])
    users["dacorum_member"] = factory.user(orgs["dacorum"], "member", name="Cllr Dacorum",
                                           email="member@dacorum.example")
    users["hertsmere_member"] = factory.user(hertsmere, "member",
                                             email="member@hertsmere.example")
    users["watford_member2"] = factory.user(orgs["watford"], "member",
                                            email="member2@watford.example")
    with app.test_request_context():
        from workspace.export.keys import make_self_signed
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        db.session.add(Partner(partnership_id=partnership.id, organisation_id=hertsmere))
        member = db.session.get(User, users["member"])
        member.name, member.job_title = "Cllr Watford", "Portfolio Holder for Planning"
        admin = db.session.get(User, users["admin"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        service.append_section(document, "Strategic context", "The area.\n")
        housing = service.append_section(document, "Housing need", "3,000 homes a year.\n")
        belt = service.append_section(document, "Green Belt", "A joint review.\n")
        housing.strategic_matter = belt.strategic_matter = True
        for code in signatories:
            db.session.add(Signatory(document_id=document.id, organisation_id=orgs[code]))
        for code in keys:
            make_self_signed(db.session.get(Organisation, orgs[code]), user=admin)
        db.session.flush()
        lifecycle.send_out(document, admin, reason="A short statement for the tests.")
        stances = {"dacorum": [("reservations", UNMET), ("not_agreed", NO_REVIEW)]}
        for code in signatories:
            signer = db.session.get(User, users["member" if code == "watford"
                                                 else f"{code}_member"])
            for section, (stance, reason) in zip(
                    (housing, belt), stances.get(code, [("agreed", "")] * 2)):
                record_position(section, signer, stance, reason)
        agree(document, admin, with_exceptions="dacorum" in signatories)
        row = lifecycle.current_version(document)
        db.session.commit()
        base = f"/p/own/d/{document.id}"
        return {"id": document.id, "base": base, "sign": base + "/sign",
                "lifecycle": base + "/lifecycle", "publish": base + "/publish",
                "sha": row.content_sha256, "number": row.number, "users": users,
                "orgs": orgs}


def sign_form(sha=None, declaration=True, password=PASSWORD, name="Cllr Typed",
              position="Leader of the Council"):
    data = {"signed_name": name, "signed_position": position, "password": password}
    if declaration:
        data["declaration"] = "y"
    if sha:
        data["fingerprint"] = sha
    return data


def signatures(app, include_void=True):
    with app.app_context():
        stmt = select(Signature).order_by(Signature.id)
        if not include_void:
            stmt = stmt.where(Signature.voided_at.is_(None))
        rows = db.session.scalars(stmt).all()
        db.session.expunge_all()
        return rows


def receipt_url(scg, signature_id, progress=False):
    url = f"{scg['base']}/versions/{scg['number']}/signatures/{signature_id}"
    return url + ("/progress" if progress else "")


def fingerprint_on(page):
    """The fingerprint the sign page's form carries."""
    return re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page) \
        .group(1)
