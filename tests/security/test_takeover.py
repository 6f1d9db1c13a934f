"""The takeover of issue 12, step by step, by the user interface and by hand-made requests.

An outsider runs `flask create-admin` (admin of "Other Partnership", organisation "Other
Council") and tries to take over Watford, a partner of the South West Hertfordshire demo: add
Watford by its code, invite people into Watford, act in SW Herts for Watford, and make
Watford's signing key. Every step must fail: an organisation governs itself, a partnership
admin grant counts only in its own partnership, and joining needs the organisation's consent.
Each test here failed on the model before issue 12 (role "admin" meant admin of every
partnership the organisation was in, and any partnership admin managed any partner's people
and keys).
"""
import io
import re
from datetime import UTC, datetime, timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import func, select

from workspace.accounts.models import Invitation, Organisation, User
from workspace.documents.models import Document, Section
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership, PartnershipAdmin
from workspace.review.models import Position, Signature

from .support import create_admin, user_by_email

OUTSIDER = "admin@other.example"
PASSWORD = "correct-horse-battery"


# The world: the demo, and an outsider made by `flask create-admin` ---------------------------

@pytest.fixture
def outsider(app, demo, login):
    """Step 1: `flask create-admin` makes the admin of a new partnership. Returns a client
    signed in as them."""
    result = create_admin(app, password=PASSWORD)
    assert result.exit_code == 0, result.output
    with app.app_context():
        user_id = user_by_email(OUTSIDER).id
    return login(app.test_client(), user_id)


@pytest.fixture
def ids(app, outsider):
    """The ids the outsider would type into hand-made requests."""
    from workspace.export.keys import make_self_signed
    with app.app_context():
        watford = db.session.scalar(select(Organisation).where(Organisation.code == "watford"))
        make_self_signed(watford)                  # Watford's own signing key
        scg = db.session.scalar(select(Document).where(Document.kind == "scg"))
        housing = db.session.scalar(select(Section).where(
            Section.document_id == scg.id, Section.title == "Housing need and distribution"))
        db.session.commit()
        return {"positions": watford_positions(), "signatures": signatures(),
                "watford": watford.id, "scg": scg.id, "housing": housing.id,
                "housing_version": housing.version, "status": scg.status,
                "other": db.session.scalar(select(Organisation.id).where(
                    Organisation.code == "other-council")),
                "swherts_admin": user_by_email("admin@swherts.example").id,
                "watford_member": user_by_email("member@watford.example").id,
                "watford_officer": user_by_email("officer@watford.example").id,
                "watford_orgadmin": user_by_email("orgadmin@watford.example").id}


def watford_positions():
    return db.session.scalar(select(func.count(Position.id)).join(
        Organisation, Organisation.id == Position.organisation_id).where(
        Organisation.code == "watford"))


def signatures():
    return db.session.scalar(select(func.count(Signature.id)))


def watford_users(app):
    with app.app_context():
        return sorted(db.session.scalars(
            select(User.email).join(Organisation).where(Organisation.code == "watford")))


def watford_keys(app):
    from workspace.export.keys import active_keys
    with app.app_context():
        watford = db.session.scalar(select(Organisation).where(Organisation.code == "watford"))
        return [key.fingerprint_sha256 for key in active_keys(watford)]


def membership(app, slug, code):
    with app.app_context():
        return db.session.scalar(
            select(Partner).join(Partnership).join(Organisation)
            .where(Partnership.slug == slug, Organisation.code == code))


def invite_link(page):
    found = re.search(r'id="invite-link" type="text" readonly value="([^"]+)"', page.text)
    assert found, "no invitation link on the page"
    return found.group(1).replace("http://localhost", "")


# Step 1 --------------------------------------------------------------------------------------

def test_1_create_admin_makes_an_admin_of_its_own_partnership_only(app, outsider):
    with app.app_context():
        user = user_by_email(OUTSIDER)
        assert user.organisation.name == "Other Council" and user.role == "admin"
        grants = db.session.scalars(
            select(Partnership.name).join(PartnershipAdmin,
                                          PartnershipAdmin.partnership_id == Partnership.id)
            .where(PartnershipAdmin.user_id == user.id)).all()
        assert grants == ["Other Partnership"]
    assert outsider.get("/p/other-partnership/admin").status_code == 200
    assert outsider.get("/p/sw-herts/").status_code == 404


@pytest.mark.parametrize("options", [
    ["--organisation", "Watford Borough Council", "--partnership", "Takeover"],
    ["--organisation", "watford", "--partnership", "Takeover"],
    ["--organisation", "New Council", "--partnership", "SW Herts"],
])
def test_1_create_admin_never_makes_an_admin_of_an_existing_organisation_or_partnership(
        app, demo, options):
    before = watford_users(app)
    result = app.test_cli_runner().invoke(args=[
        "create-admin", "--email", "mole@other.example", "--name", "Mole",
        "--password", PASSWORD, *options])
    assert result.exit_code != 0
    assert "already exists" in result.output
    assert watford_users(app) == before
    with app.app_context():
        assert user_by_email("mole@other.example") is None
        assert db.session.scalar(select(func.count(PartnershipAdmin.id))) == 1


# Step 2 --------------------------------------------------------------------------------------

def test_2_adding_watford_by_its_code_only_invites_it(app, outsider, ids, login):
    response = outsider.post("/p/other-partnership/admin/partners",
                             data={"name": "Watford", "code": "watford"})
    assert response.status_code == 303
    assert membership(app, "other-partnership", "watford").status == "invited"
    page = outsider.get("/p/other-partnership/admin")
    assert "Watford Borough Council" in page.text
    assert "@watford.example" not in page.text
    for name in ("Watford Officer", "Watford Member", "Watford Organisation Admin"):
        assert name not in page.text
    # Nothing of Watford is shown anywhere else the outsider can go.
    for url in ("/", "/p/other-partnership/", "/organisation/", "/organisation/certificates"):
        assert "@watford.example" not in outsider.get(url).text, url
    # No access for Watford's people until Watford's own admin accepts.
    member = login(app.test_client(), ids["watford_member"])
    assert member.get("/p/other-partnership/").status_code == 404
    assert "Other Partnership" not in member.get("/").text
    # Nor for the outsider's partnership admin grant to any Watford user.
    response = outsider.post("/p/other-partnership/admin/admins",
                             data={"user_id": str(ids["watford_member"])})
    assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(PartnershipAdmin.id).where(
            PartnershipAdmin.user_id == ids["watford_member"])) is None


def test_2_the_outsider_cannot_accept_for_watford(app, outsider, ids):
    outsider.post("/p/other-partnership/admin/partners", data={"code": "watford"})
    partner_id = membership(app, "other-partnership", "watford").id
    assert outsider.post(f"/organisation/partnerships/{partner_id}/accept").status_code == 404
    assert membership(app, "other-partnership", "watford").status == "invited"


def test_2_a_new_organisation_cannot_be_an_existing_one(app, outsider, ids):
    for data in ({"name": "Watford Borough Council", "code": "watford2"},
                 {"name": "Watford", "code": "watford"}):
        response = outsider.post("/p/other-partnership/admin/organisations", data=dict(
            data, admin_name="Mole", admin_email="mole@watford.example"))
        assert response.status_code == 422
    with app.app_context():
        assert db.session.scalar(select(Invitation.id).where(
            Invitation.organisation_id == ids["watford"])) is None


# Step 3 --------------------------------------------------------------------------------------

def test_3_the_old_invitation_route_cannot_invite_into_watford(app, outsider, ids):
    before = watford_users(app)
    for slug in ("other-partnership", "sw-herts"):
        response = outsider.post(f"/p/{slug}/admin/invitations", data={
            "name": "Mole", "email": "mole@watford.example", "role": "member",
            "organisation_id": str(ids["watford"])})
        assert response.status_code in (404, 405)
    with app.app_context():
        assert db.session.scalar(select(Invitation.id).where(
            Invitation.organisation_id == ids["watford"])) is None
    assert watford_users(app) == before


def test_3_an_invitation_makes_a_user_of_the_outsiders_own_organisation_only(app, outsider,
                                                                              ids):
    before = watford_users(app)
    page = outsider.post("/organisation/invitations", data={
        "name": "Mole", "email": "mole@watford.example", "role": "member",
        "organisation_id": str(ids["watford"])})
    assert page.status_code == 200
    link = invite_link(page)
    newcomer = app.test_client()
    response = newcomer.post(link, data={"new_password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code in (302, 303)
    with app.app_context():
        mole = user_by_email("mole@watford.example")
        assert mole.organisation_id == ids["other"] != ids["watford"]
    assert watford_users(app) == before
    # The newcomer is signed in as an Other Council Member: SW Herts does not exist for them.
    assert newcomer.get("/p/sw-herts/").status_code == 404
    section = f"/p/sw-herts/d/{ids['scg']}/s/{ids['housing']}"
    assert newcomer.post(f"{section}/positions", data={
        "stance": "not_agreed", "route": "delegation", "reason": "Taken over.",
        "seen_version": str(ids["housing_version"])}).status_code == 404
    assert newcomer.post(f"/p/sw-herts/d/{ids['scg']}/sign", data={
        "signed_name": "Mole", "signed_position": "Member",
        "password": PASSWORD}).status_code == 404
    with app.app_context():
        assert watford_positions() == ids["positions"]
        assert signatures() == ids["signatures"]


def test_3_the_outsider_cannot_act_in_sw_herts(app, outsider, ids):
    scg = f"/p/sw-herts/d/{ids['scg']}"
    for url in ("/p/sw-herts/", "/p/sw-herts/admin", f"{scg}/lifecycle", f"{scg}/signatories"):
        assert outsider.get(url).status_code == 404, url
    # Send the SCG back to draft.
    assert outsider.post(f"{scg}/lifecycle", data={
        "to": "draft", "seen": ids["status"]}).status_code == 404
    # Record Watford's position and sign.
    assert outsider.post(f"{scg}/s/{ids['housing']}/positions", data={
        "stance": "not_agreed", "route": "delegation", "reason": "Taken over.",
        "seen_version": str(ids["housing_version"])}).status_code == 404
    assert outsider.post(f"{scg}/sign", data={
        "signed_name": "Mole", "signed_position": "Member",
        "password": PASSWORD}).status_code == 404
    # Invite an organisation or grant admin rights in SW Herts.
    assert outsider.post("/p/sw-herts/admin/partners",
                         data={"code": "other-council"}).status_code == 404
    assert outsider.post("/p/sw-herts/admin/admins",
                         data={"user_id": str(ids["watford_member"])}).status_code == 404
    with app.app_context():
        assert db.session.get(Document, ids["scg"]).status == ids["status"]
        assert watford_positions() == ids["positions"]
        assert signatures() == ids["signatures"]
    assert membership(app, "sw-herts", "other-council") is None


def test_3_the_outsider_cannot_deactivate_or_demote_anyone_elsewhere(app, outsider, ids):
    targets = (ids["swherts_admin"], ids["watford_member"], ids["watford_orgadmin"])
    for user_id in targets:
        # The old partnership admin routes, in either partnership.
        for slug in ("other-partnership", "sw-herts"):
            for action, data in (("active", {"active": "0"}), ("role", {"role": "viewer"})):
                response = outsider.post(f"/p/{slug}/admin/users/{user_id}/{action}",
                                         data=data)
                assert response.status_code in (404, 405), (slug, action)
        # The organisation routes: another organisation's users do not exist there.
        assert outsider.get(f"/organisation/users/{user_id}/active").status_code == 404
        assert outsider.post(f"/organisation/users/{user_id}/active",
                             data={"active": "0"}).status_code == 404
        assert outsider.post(f"/organisation/users/{user_id}/role",
                             data={"role": "viewer"}).status_code == 404
    with app.app_context():
        assert all(db.session.get(User, user_id).active for user_id in targets)
        assert db.session.get(User, ids["watford_member"]).role == "member"
        assert db.session.get(User, ids["watford_orgadmin"]).role == "admin"
    assert app.test_client().post("/sign-in", data={
        "email": "admin@swherts.example", "password": "common-ground"}).status_code == 303


def test_3_even_after_watford_consents_the_outsider_governs_nothing_of_watford(
        app, outsider, ids, login):
    """Watford's own admin accepts Other Partnership's invitation: its admins still see no
    email address, change no Watford user, touch no key and reach nothing in SW Herts."""
    keys = watford_keys(app)
    outsider.post("/p/other-partnership/admin/partners", data={"code": "watford"})
    partner_id = membership(app, "other-partnership", "watford").id
    orgadmin = login(app.test_client(), ids["watford_orgadmin"])
    assert orgadmin.post(f"/organisation/partnerships/{partner_id}/accept").status_code == 303
    assert membership(app, "other-partnership", "watford").status == "active"
    for url in ("/p/other-partnership/", "/p/other-partnership/admin", "/organisation/"):
        assert "@watford.example" not in outsider.get(url).text, url
    assert outsider.post(f"/organisation/users/{ids['watford_member']}/role",
                         data={"role": "viewer"}).status_code == 404
    assert outsider.post(f"/organisation/users/{ids['watford_member']}/active",
                         data={"active": "0"}).status_code == 404
    for suffix in ("", "/trial"):
        assert outsider.post(f"/p/other-partnership/admin/certificates/{ids['watford']}"
                             f"{suffix}").status_code == 404
    assert outsider.get("/p/sw-herts/admin").status_code == 404
    with app.app_context():
        member = db.session.get(User, ids["watford_member"])
        assert member.role == "member" and member.active
    assert watford_keys(app) == keys


# Step 4 --------------------------------------------------------------------------------------

def _p12(password=b"pw"):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Outsider's key")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=365)).sign(key, hashes.SHA256()))
    return pkcs12.serialize_key_and_certificates(
        b"outsider", key, cert, None, serialization.BestAvailableEncryption(password))


def test_4_the_outsider_cannot_make_or_upload_watfords_signing_key(app, outsider, ids):
    keys = watford_keys(app)
    assert len(keys) == 1
    data = _p12()
    for slug in ("other-partnership", "sw-herts"):
        base = f"/p/{slug}/admin/certificates"
        assert outsider.get(base).status_code == 404
        assert outsider.post(f"{base}/{ids['watford']}/trial").status_code == 404
        assert outsider.post(f"{base}/{ids['watford']}", data={
            "p12": (io.BytesIO(data), "w.p12"), "password": "pw"},
            content_type="multipart/form-data").status_code == 404
    # The organisation's certificate routes act on the outsider's own organisation only,
    # whatever organisation the request names.
    assert outsider.post("/organisation/certificates/trial",
                         data={"organisation_id": str(ids["watford"])}).status_code == 303
    assert outsider.post("/organisation/certificates", data={
        "p12": (io.BytesIO(data), "w.p12"), "password": "pw",
        "organisation_id": str(ids["watford"])},
        content_type="multipart/form-data").status_code == 303
    assert watford_keys(app) == keys
    from workspace.export.keys import active_keys
    with app.app_context():
        assert active_keys(db.session.get(Organisation, ids["other"]))
    page = outsider.get("/organisation/certificates")
    assert "Watford" not in page.text and "Other Council" in page.text


# Who else may not act for Watford -------------------------------------------------------------

def test_watfords_organisation_admin_is_not_a_partnership_admin_unless_granted(app, ids,
                                                                               login):
    orgadmin = login(app.test_client(), ids["watford_orgadmin"])
    scg = f"/p/sw-herts/d/{ids['scg']}"
    assert orgadmin.get("/p/sw-herts/").status_code == 200
    assert orgadmin.get("/p/sw-herts/admin").status_code == 403
    assert orgadmin.post(f"{scg}/lifecycle", data={
        "to": "draft", "seen": ids["status"]}).status_code == 403
    assert orgadmin.post("/p/sw-herts/admin/partners",
                         data={"code": "other-council"}).status_code == 403
    with app.app_context():
        assert db.session.get(Document, ids["scg"]).status == ids["status"]
    # The SW Herts partnership admin grants it: now it may.
    partnership_admin = login(app.test_client(), ids["swherts_admin"])
    assert partnership_admin.post("/p/sw-herts/admin/admins", data={
        "user_id": str(ids["watford_orgadmin"])}).status_code == 303
    assert orgadmin.get("/p/sw-herts/admin").status_code == 200


def test_a_grant_in_one_partnership_counts_for_nothing_in_another(app, outsider, ids, login):
    """A Watford officer made admin of Other Partnership (after Watford joined it) is an
    officer in SW Herts, no more."""
    outsider.post("/p/other-partnership/admin/partners", data={"code": "watford"})
    partner_id = membership(app, "other-partnership", "watford").id
    login(app.test_client(), ids["watford_orgadmin"]).post(
        f"/organisation/partnerships/{partner_id}/accept")
    assert outsider.post("/p/other-partnership/admin/admins", data={
        "user_id": str(ids["watford_officer"])}).status_code == 303
    officer = login(app.test_client(), ids["watford_officer"])
    assert officer.get("/p/other-partnership/admin").status_code == 200
    assert officer.get("/p/sw-herts/admin").status_code == 403
    assert officer.post(f"/p/sw-herts/d/{ids['scg']}/lifecycle", data={
        "to": "draft", "seen": ids["status"]}).status_code == 403
    with app.app_context():
        assert db.session.get(Document, ids["scg"]).status == ids["status"]


def test_the_partnership_admin_sees_no_other_organisations_emails(app, ids, login):
    partnership_admin = login(app.test_client(), ids["swherts_admin"])
    codes = ("dacorum", "hertsmere", "stalbans", "threerivers", "watford")
    for url in ("/", "/p/sw-herts/", "/p/sw-herts/admin", f"/p/sw-herts/d/{ids['scg']}/",
                f"/p/sw-herts/d/{ids['scg']}/signatories"):
        page = partnership_admin.get(url)
        assert page.status_code == 200, url
        for code in codes:
            assert f"@{code}.example" not in page.text, (url, code)
    # It is an officer of the County Council: no organisation page at all.
    assert partnership_admin.get("/organisation/").status_code == 403


def test_the_partnership_admin_cannot_change_other_organisations_users(app, ids, login):
    partnership_admin = login(app.test_client(), ids["swherts_admin"])
    member = ids["watford_member"]
    assert partnership_admin.post(f"/p/sw-herts/admin/users/{member}/role",
                                  data={"role": "viewer"}).status_code in (404, 405)
    assert partnership_admin.post(f"/p/sw-herts/admin/users/{member}/active",
                                  data={"active": "0"}).status_code in (404, 405)
    assert partnership_admin.post(f"/organisation/users/{member}/role",
                                  data={"role": "viewer"}).status_code == 403
    assert partnership_admin.post(f"/organisation/users/{member}/active",
                                  data={"active": "0"}).status_code == 403
    assert partnership_admin.post("/p/sw-herts/admin/invitations", data={
        "name": "Mole", "email": "mole@watford.example", "role": "member",
        "organisation_id": str(ids["watford"])}).status_code in (404, 405)
    with app.app_context():
        user = db.session.get(User, member)
        assert user.role == "member" and user.active
        assert user_by_email("mole@watford.example") is None


def test_the_county_councils_organisation_admin_cannot_act_for_watford(app, ids, login):
    """An organisation admin of another SW Herts partner governs their own council only."""
    herts = login(app.test_client(), user_by_email_id(app, "orgadmin@herts.example"))
    member = ids["watford_member"]
    assert herts.post(f"/organisation/users/{member}/active",
                      data={"active": "0"}).status_code == 404
    # Its own council's user, but the partnership's only admin: refused until another is named.
    assert herts.post(f"/organisation/users/{ids['swherts_admin']}/active",
                      data={"active": "0"}).status_code == 409
    assert herts.post(f"/organisation/users/{ids['swherts_admin']}/role",
                      data={"role": "viewer"}).status_code == 303    # its own council's user
    page = herts.get("/organisation/")
    assert "@watford.example" not in page.text
    with app.app_context():
        assert db.session.get(User, member).active


def user_by_email_id(app, email):
    with app.app_context():
        return user_by_email(email).id
