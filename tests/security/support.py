"""Shared by the security suite: the demo partnership with a frozen version, a second
("foreign") partnership with objects of its own (its record of cooperation too: a strategic
matter, a body, a meeting, an agreed action and evidence packs), and a parser that finds
anything a browser would execute in a page."""
import json
import re
import uuid
from datetime import date
from html.parser import HTMLParser

from sqlalchemy import select

from tests.support import agree
from workspace.accounts.models import Organisation, User
from workspace.engagement.models import EngagementActivity, Objective, Stakeholder
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership, PartnershipAdmin

ROLES = ("viewer", "officer", "member", "admin")


def create_admin(app, email="admin@other.example", name="Other Admin",
                 organisation="Other Council", partnership="Other Partnership",
                 password="correct-horse-battery"):
    """`flask create-admin`, as anyone who runs a deployment of their own may: a new
    organisation and partnership with a user who is admin of both. Returns the CLI result."""
    return app.test_cli_runner().invoke(args=[
        "create-admin", "--email", email, "--name", name, "--organisation", organisation,
        "--partnership", partnership, "--password", password])


def user_by_email(email):
    return db.session.scalar(select(User).where(User.email == email))


def freeze_version_1(document, admin):
    """Every signatory agrees every matter; version 1 is frozen, then the document goes back
    to draft and out for agreement again, so version 1 exists while the text is open."""
    from workspace.review import lifecycle, positions
    members = {u.organisation_id: u for u in db.session.scalars(
        select(User).where(User.role == "member"))}
    for matter in positions.strategic_matters(document):
        for signatory in positions.signatories(document):
            if positions.in_scope(signatory, matter):
                positions.record_position(matter, members[signatory.organisation_id], "agreed",
                                          route="delegation")
    agree(document, admin)
    lifecycle.back_to_draft(document, admin, confirmed=True)
    # The demo Statement has gaps: the admin gives the reason to send it out with them.
    lifecycle.send_out(document, admin, reason="Positions are needed before the rest is done.")


def publish_version_1(document):
    """Version 1 on the public register, as lifecycle.publish leaves it (a publication date
    and the document's public address), without the signing it needs first: the register
    asks only those two. Returns the document's public address."""
    from workspace.clock import utcnow
    from workspace.publishing.addresses import give_address
    from workspace.review.models import DocumentVersion
    row = db.session.scalar(select(DocumentVersion).where(
        DocumentVersion.document_id == document.id, DocumentVersion.number == 1))
    row.published_at = utcnow()
    slug = give_address(document)
    db.session.flush()
    return slug


def build_foreign(slug="elsewhere", code="luton", organisation="Luton Borough Council",
                  name="Luton and Central Bedfordshire", short_name="Luton", also_active=(),
                  also_invited=(), admin_grant=False):
    """A partnership the demo users do not belong to (unless their organisation is named in
    also_active), with a document, a section, a comment, a decision sought, a stakeholder, an
    engagement activity, an objective, a strategic matter, a body, a meeting, an agreed
    action, an evidence pack of the document and one of the whole partnership (ready), an
    officer and an organisation admin of its own
    (`admin@<code>.example`, a partnership admin there too when admin_grant), a partnership
    admin grant (the officer's), and a membership still waiting for consent (the first of
    also_invited, when given). Returns their ids."""
    from workspace.documents.service import append_section, create_document
    from workspace.review.comments import add_comment
    from workspace.review.models import DecisionSought
    home = Organisation(code=code, name=organisation)
    partnership = Partnership(slug=slug, name=name, short_name=short_name)
    db.session.add_all([home, partnership])
    db.session.flush()
    membership = Partner(partnership_id=partnership.id, organisation_id=home.id)
    db.session.add(membership)
    for organisation_id in also_active:
        db.session.add(Partner(partnership_id=partnership.id, organisation_id=organisation_id))
    invited = [Partner(partnership_id=partnership.id, organisation_id=organisation_id,
                       status="invited") for organisation_id in also_invited]
    db.session.add_all(invited)
    user = User(email=f"officer@{code}.example", name=f"{short_name} Officer",
                organisation=home, role="officer")
    user.set_password("correct-horse-1")
    admin = User(email=f"admin@{code}.example", name=f"{short_name} Admin", organisation=home,
                 role="admin")
    admin.set_password("correct-horse-1")
    db.session.add_all([user, admin])
    db.session.flush()
    grant = PartnershipAdmin(partnership_id=partnership.id, user_id=user.id)
    db.session.add(grant)
    if admin_grant:
        db.session.add(PartnershipAdmin(partnership_id=partnership.id, user_id=admin.id))
    db.session.flush()
    document = create_document(partnership, f"{short_name} Statement", "scg", admin)
    section = append_section(document, f"{short_name} housing", f"{short_name} text.",
                             user=admin)
    section.strategic_matter = True
    db.session.flush()
    comment = add_comment(section, f"A {short_name} comment.", user)
    decision = DecisionSought(document_id=document.id, body=f"{short_name} Executive",
                              description="Agree the statement.", due_date=date(2030, 1, 1))
    db.session.add(decision)
    db.session.flush()
    ids = {"slug": slug, "partnership_id": partnership.id, "document_id": document.id,
           "section_id": section.id, "comment_id": comment.id, "decision_id": decision.id,
           "organisation_id": home.id, "user_id": user.id, "admin_id": admin.id,
           "grant_id": grant.id,
           "partner_id": (invited or [membership])[0].id}
    ids["stakeholder_id"] = fresh_stakeholder(partnership.id, f"{short_name} stakeholder")
    ids["activity_id"] = fresh_activity(partnership.id, f"{short_name} residents")
    ids["objective_id"] = fresh_objective(partnership.id, f"{short_name} objective")
    ids["job_id"] = fresh_failed_job(partnership.id, f"{short_name} PDF")
    ids.update(cooperation_ids(partnership.id, document.id, admin.id))
    # Its address on a register, were it published (it is not: the partnership does not
    # publish, and the document has no version).
    document.public_slug = f"{slug}-statement"
    ids["document_slug"] = document.public_slug
    db.session.flush()
    return ids


def cooperation_ids(partnership_id, document_id, user_id):
    """A strategic matter, a body, a meeting, an agreed action and two ready evidence packs
    (the document's, the partnership's) of the partnership, for URLs that name them."""
    return {"matter_id": fresh_matter(partnership_id), "body_id": fresh_body(partnership_id),
            "meeting_id": fresh_meeting(partnership_id, user_id),
            "action_id": fresh_action(partnership_id, user_id),
            "pack_id": fresh_pack(partnership_id, None, user_id),
            "document_pack_id": fresh_pack(partnership_id, document_id, user_id)}


def fresh_matter(partnership_id, title=None):
    """A strategic matter with a reference and title of its own (both unique)."""
    from workspace.partnerships.models import StrategicMatter
    unique = uuid.uuid4().hex[:8]
    row = StrategicMatter(partnership_id=partnership_id, reference=f"T{unique}",
                          title=title or f"Matter {unique}")
    db.session.add(row)
    db.session.flush()
    return row.id


def fresh_body(partnership_id, name=None):
    from workspace.partnerships.models import Body
    row = Body(partnership_id=partnership_id, name=name or f"Body {uuid.uuid4().hex[:8]}",
               short_name="TB", kind="officer_group")
    db.session.add(row)
    db.session.flush()
    return row.id


def _lead(partnership_id, user_id):
    """(partnership, user, an active partner to name: the user's own organisation)."""
    partnership = db.session.get(Partnership, partnership_id)
    user = db.session.get(User, user_id)
    return partnership, user, user.organisation_id


def fresh_meeting(partnership_id, user_id):
    """A meeting recorded by the user (an attendee from their organisation, a partner)."""
    from workspace.cooperation.meetings import record_meeting
    partnership, user, organisation_id = _lead(partnership_id, user_id)
    row = record_meeting(partnership, user, held_on=date(2026, 1, 5), kind="workshop",
                         title=f"Workshop {uuid.uuid4().hex[:8]}",
                         attendees=[(organisation_id, "Head of Planning", "")])
    db.session.flush()
    return row.id


def fresh_action(partnership_id, user_id):
    """An open action the user's organisation leads, agreed on its own."""
    from workspace.cooperation.actions import add_action
    partnership, user, organisation_id = _lead(partnership_id, user_id)
    row = add_action(partnership, user, what=f"Meet {uuid.uuid4().hex[:8]}.",
                     lead_organisation_id=organisation_id, due_on=date(2030, 1, 1))
    db.session.flush()
    return row.id


def fresh_pack(partnership_id, document_id, user_id):
    """A ready evidence pack of the document (None: of the whole partnership), with stub
    files: who may download it is the question, not what it holds."""
    from workspace import files
    from workspace.clock import utcnow
    from workspace.export.models import EvidencePack
    pdf, archive = b"%PDF-1.7\n%stub\n", b"PK\x05\x06" + bytes(18)
    row = EvidencePack(partnership_id=partnership_id, document_id=document_id,
                       requested_by_id=user_id, requested_at=utcnow(), ready_at=utcnow(),
                       pdf_sha256=files.put(pdf), pdf_size=len(pdf),
                       zip_sha256=files.put(archive), zip_size=len(archive),
                       data_sha256="0" * 64)
    db.session.add(row)
    db.session.flush()
    return row.id


def fresh_stakeholder(partnership_id, name="A stakeholder"):
    row = Stakeholder(partnership_id=partnership_id, name=name)
    db.session.add(row)
    db.session.flush()
    return row.id


def fresh_objective(partnership_id, name=None):
    """An objective with a name of its own (names are unique in a partnership)."""
    row = Objective(partnership_id=partnership_id, order=99,
                    name=name or f"Objective {uuid.uuid4().hex[:8]}")
    db.session.add(row)
    db.session.flush()
    return row.id


def fresh_failed_job(partnership_id, label="A PDF"):
    """A background job of the partnership that failed (its admins may try it again)."""
    from workspace.jobs.models import Job
    row = Job(kind="matrix.render", status="failed", attempts=5, max_attempts=5,
              partnership_id=partnership_id, label=label, last_error="Pango crashed.")
    db.session.add(row)
    db.session.flush()
    return row.id


def fresh_activity(partnership_id, audience="An audience"):
    row = EngagementActivity(partnership_id=partnership_id, audience=audience,
                             start_date=date(2026, 1, 5), end_date=date(2026, 2, 5))
    db.session.add(row)
    db.session.flush()
    return row.id


# Looking for anything executable in a page ---------------------------------------------------

#: Elements user text must never produce.
FORBIDDEN_TAGS = {"iframe", "object", "embed", "svg", "math", "frame", "frameset", "applet",
                  "base", "style", "img", "video", "audio", "source", "portal", "template",
                  "marquee", "isindex", "xmp", "plaintext", "noscript", "foreignobject",
                  "use", "animate", "set", "animatetransform", "animatemotion", "handler",
                  "listener"}
#: The app's own pictures (engagement charts) are inline SVG with this class; user text can
#: carry no class attribute, so an <svg> without it came from somewhere else.
APP_SVG_CLASS = "cg-chart"
#: Attributes that hold a URL a browser may load or navigate to.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background",
                  "xlink:href", "srcset", "ping", "cite", "longdesc", "lowsrc", "dynsrc",
                  "hx-get", "hx-post", "hx-put", "hx-patch", "hx-delete"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:", "mocha:")
#: Browsers drop ASCII tab and newline anywhere in a URL and C0 controls and spaces at its
#: ends: normalise the same way before looking at the scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")


def url_scheme_is_bad(value):
    cleaned = _URL_NOISE.sub("", value or "").lower()
    return cleaned.startswith(BAD_SCHEMES)


def _json_object(value):
    """True for hx-vals that are plain JSON: htmx evaluates only a "js:"/"javascript:" value
    (and hx-vars always), so a JSON object is data, not code."""
    try:
        return isinstance(json.loads(value or ""), dict)
    except ValueError:
        return False


class Risks(HTMLParser):
    """What in a page a browser would run, load or style from outside the app's own code."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems = []
        self.in_head = False
        self.text = []

    def _problem(self, text):
        self.problems.append(f"line {self.getpos()[0]}: {text}")

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        values = {}
        for name, value in attrs:
            values[name] = value or ""
        if tag == "script":
            src = values.get("src", "")
            if not src or not src.startswith("/static/"):
                self._problem(f"<script src={src!r}>")
        if tag in FORBIDDEN_TAGS and not (
                tag == "svg" and APP_SVG_CLASS in values.get("class", "").split()):
            self._problem(f"<{tag}>")
        if tag in {"link", "meta"} and not self.in_head:
            self._problem(f"<{tag}> outside <head>")
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self._problem("<meta http-equiv=refresh>")
        for name in ("action", "formaction"):
            target = values.get(name, "/")
            if not target.startswith("/") or target.startswith("//"):
                self._problem(f"<{tag} {name}={target[:60]!r}> leaves the site")
        for name, value in values.items():
            if name.startswith(("on", "hx-on", "data-hx-on")):
                self._problem(f"<{tag} {name}=...>")
            if name in {"style", "srcdoc", "hx-vars", "data-hx-vars"} or (
                    name in {"hx-vals", "data-hx-vals"} and not _json_object(value)):
                self._problem(f"<{tag} {name}=...>")
            if name in URL_ATTRIBUTES and url_scheme_is_bad(value):
                if (tag, name, value) == ("link", "href", "data:,") and self.in_head:
                    continue          # the page's own empty favicon
                self._problem(f"<{tag} {name}={value[:60]!r}>")
            if name.startswith("hx-") and name in URL_ATTRIBUTES and \
                    not value.startswith("/"):
                self._problem(f"<{tag} {name}={value[:60]!r}> leaves the site")

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)

    def handle_comment(self, data):
        self._problem("an HTML comment reached the page")


def inspect(html):
    """(problems found in the page as readable strings, the page's text)."""
    parser = Risks()
    parser.feed(html)
    parser.close()
    return parser.problems, " ".join(parser.text)


def risks(html):
    """Problems found in the page, as readable strings (empty when the page is safe)."""
    return inspect(html)[0]


def normalise(text):
    """Text with every run of whitespace as one space, to compare what was typed with what
    a page shows."""
    return " ".join(text.split())
