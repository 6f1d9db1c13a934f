"""Hostile input through every text field a user can fill, then every page that shows it.

One partnership is built for the purpose and taken through its whole life with the corpus in
every field: section text (save, preview, conflict), section titles (rename, add, new
document, Markdown import), change summaries, comments, replies and comment edits, the
feedback-sought question, positions (reason, decision body, minute reference), decisions
sought (body, description, outcome, minute reference), partner organisation names (and their
trial certificates), the names of invited users (one accepts and works), signatures (name and
position as printed, also in the PDF's digital signature stamps), stakeholders and
engagement objectives, stakeholders and activities (typed, edited and imported from CSV),
shown again as the live blocks of a section (page, PDF, frozen version, Word), and the record
of cooperation (hostile_cooperation: strategic matters, bodies, meetings and their
corrections, agreed actions, the evidence packs made of them, the public register's contact),
the Statement's version 1 then published on the register, whose pages the last sweeps read.

Then every GET page of the app, as a full page and as an htmx partial, is parsed: no inline
script, no event-handler attribute, no javascript:/vbscript:/data: URL, no iframe, object,
embed, svg, style or form from elsewhere (support.Risks). What was typed into a plain-text
field must show as text somewhere. The PDF exports (a draft and the signed version) render,
and show the hostile text as text; the Word exports link only to web and mail addresses; the
stakeholder CSV starts no cell with a formula character. Strings over a field's limit are
refused with a message, safely. Strings go in batches packed up to each field's limit, so the
whole run stays quick.
"""
import csv
import io
import json
import re
import zipfile
from xml.etree import ElementTree

from flask import url_for
from pypdf import PdfReader
from sqlalchemy import func, select

from tests.conftest import TEST_SECRET
from tests.support import download
from workspace.accounts.models import Organisation, User
from workspace.documents.models import Document, Section
from workspace.documents.starters import TEMPLATES
from workspace.engagement.csv_io import CSV_COLUMNS
from workspace.engagement.models import EngagementActivity, Objective, Stakeholder
from workspace.extensions import db
from workspace.partnerships.models import Partner, Partnership, PartnershipAdmin
from workspace.review.models import Comment, DecisionSought, Signatory
from workspace.security import CONTROL_CHARACTERS

from . import hostile_cooperation as cooperation
from .corpus import FORMULA_STARTS, HOSTILE, LONG
from .support import inspect, normalise, publish_version_1, url_scheme_is_bad

#: Dates as GOV.UK's day / month / year boxes post them.
DUE = {"due_date-day": "1", "due_date-month": "1", "due_date-year": "2030"}
TAKEN = {"taken_at-day": "5", "taken_at-month": "1", "taken_at-year": "2026"}

PASSWORD = "correct-horse-1"
SLUG = "hostile"
#: Field -> longest text it takes (characters, after trimming); the section text is in bytes.
LIMITS = {"title": 200, "summary": 200, "comment": 5000, "feedback": 1000, "reason": 10_000,
          "route_body": 200, "minute_ref": 100, "decision_body": 200,
          "decision_text": 2000, "decision_minute_ref": 100, "invite_name": 200,
          "partner_name": 200, "signed": 200}
BODY_LIMIT_BYTES = 200 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_the_corpus_is_big_and_varied_enough():
    assert len(HOSTILE) >= 50
    assert len(set(HOSTILE)) == len(HOSTILE)
    joined = "\n".join(HOSTILE).lower()
    for needle in ("<script", "onerror", "javascript:", "vbscript:", "data:", "<svg",
                   "<iframe", "<style", "expression(", "](javascript", "![", "\u202e",
                   "\u200d", "\x00", "\u0335", "=hyperlink(", "+cmd", "-1+1",
                   "@sum"):
        assert needle in joined, needle


def pack(strings, limit, sep):
    """The strings joined by sep into as few texts as fit the limit (each string whole)."""
    chunks, current = [], None
    for text in strings:
        assert len(text.strip()) <= limit, "a corpus string longer than a field's limit"
        candidate = text if current is None else current + sep + text
        if len(candidate.strip()) <= limit:
            current = candidate
        else:
            chunks.append(current)
            current = text
    chunks.append(current)
    return chunks


def plain_chunks(field, sep=" | "):
    return pack(HOSTILE, LIMITS[field], sep)


# The world --------------------------------------------------------------------------------------

class Hostile:
    """Ids, signed-in clients and everything typed, for one run."""

    def __init__(self, app, login):
        self.app, self.login = app, login
        self.typed = {}            # field -> [texts submitted and accepted]
        self.pages = {}            # description -> page text
        self.problems = []

    def remember(self, field, text):
        self.typed.setdefault(field, []).append(text)

    def url(self, endpoint, **values):
        with self.app.test_request_context():
            return url_for(endpoint, **values)

    def doc_url(self, endpoint, **values):
        return self.url(endpoint, slug=SLUG, document_id=self.document_id, **values)

    def section_version(self, section_id):
        with self.app.app_context():
            return db.session.get(Section, section_id).version

    def check(self, response, what):
        """Nothing executable in the answer, no secret in it; keep its text."""
        if response.mimetype == "text/csv":
            self.check_csv(response, what)
        if response.mimetype == DOCX:
            self.check_docx(response, what)
        if response.status_code < 300 and response.mimetype.endswith(("xml", "json")):
            self.check_data(response, what)
        if response.mimetype != "text/html":
            return
        html = response.get_data(as_text=True)
        problems, text = inspect(html)
        self.problems += [f"{what}: {p}" for p in problems]
        if TEST_SECRET in html:
            self.problems.append(f"{what}: the secret key is in the page")
        self.pages[what] = text

    def check_docx(self, response, what):
        """A Word export: a sound package, links only to web and mail addresses, no macros."""
        with zipfile.ZipFile(io.BytesIO(response.data)) as package:
            names = package.namelist()
            assert not any("vbaproject" in n.lower() for n in names), what
            for name in names:
                if not name.endswith(".rels"):
                    continue
                for rel in ElementTree.fromstring(package.read(name)):
                    target = rel.get("Target", "")
                    if rel.get("TargetMode") == "External" and (
                            url_scheme_is_bad(target) or not target.startswith(
                                ("http://", "https://", "mailto:"))):
                        self.problems.append(f"{what}: external link {target[:60]!r}")
            body = ElementTree.fromstring(package.read("word/document.xml"))
        self.pages[what] = " ".join(body.itertext())

    def check_data(self, response, what):
        """The register's feed (Atom) and open data (JSON): well formed whatever the text."""
        body = response.get_data(as_text=True)
        if response.mimetype.endswith("xml"):
            self.pages[what] = " ".join(ElementTree.fromstring(body.encode()).itertext())
        else:
            json.loads(body)

    def check_csv(self, response, what):
        """A CSV export must not start any cell with a formula character."""
        rows = csv.reader(io.StringIO(response.get_data(as_text=True)))
        for row in rows:
            for cell in row:
                if cell.startswith(FORMULA_STARTS):
                    self.problems.append(f"{what}: CSV cell starts a formula: {cell[:40]!r}")

    def post(self, client, url, data, what, accepted=True, headers=None):
        response = client.post(url, data=data, headers=headers or {})
        if accepted:
            assert response.status_code < 400, (what, response.status_code,
                                                 response.get_data(as_text=True)[:2000])
        else:
            assert response.status_code in (413, 422), (what, response.status_code)
        self.check(response, what)
        return response

    def get(self, client, url, what, headers=None):
        response = client.get(url, headers=headers or {})
        assert response.status_code < 500, (what, response.status_code)
        self.check(response, what)
        return response


def build(app, login, signers):
    """A partnership with an admin, an officer and a viewer at "Host", and `signers` other
    authorities with a Member each, all signatories of a document with two sections."""
    from workspace.documents.service import append_section, create_document
    world = Hostile(app, login)
    with app.app_context():
        host = Organisation(code="host", name="Host Council")
        partnership = Partnership(slug=SLUG, name="Hostile Input Partnership",
                                  short_name="Hostile")
        db.session.add_all([host, partnership])
        db.session.flush()
        db.session.add(Partner(partnership_id=partnership.id, organisation_id=host.id))
        people = {}
        for role in ("admin", "officer", "viewer"):
            people[role] = User(email=f"{role}@host.example", name=f"Host {role.title()}",
                                organisation=host, role=role)
        members = []
        for i in range(signers):
            org = Organisation(code=f"signer{i}", name=f"Signing Authority {i}")
            db.session.add(org)
            db.session.flush()
            db.session.add(Partner(partnership_id=partnership.id, organisation_id=org.id))
            members.append(User(email=f"member{i}@signer.example", name=f"Member {i}",
                                organisation=org, role="member"))
        for user in list(people.values()) + members:
            user.set_password(PASSWORD)
            db.session.add(user)
        db.session.flush()
        # Host's organisation admin is the partnership's admin too.
        db.session.add(PartnershipAdmin(partnership_id=partnership.id,
                                        user_id=people["admin"].id))
        document = create_document(partnership, "Hostile Statement", "scg", people["admin"])
        matter = append_section(document, "Matter", "Matter text.", user=people["admin"])
        matter.strategic_matter = True
        plain = append_section(document, "Plain", "Plain text.", user=people["admin"])
        db.session.flush()
        for member in members:
            db.session.add(Signatory(document_id=document.id,
                                     organisation_id=member.organisation_id, all_matters=True))
        db.session.commit()
        world.document_id, world.matter, world.plain = document.id, matter.id, plain.id
        world.host = host.id
        world.users = {role: user.id for role, user in people.items()}
        world.members = [m.id for m in members]
    world.clients = {role: login(app.test_client(), uid) for role, uid in world.users.items()}
    world.member_clients = [login(app.test_client(), uid) for uid in world.members]
    return world


# Steps: each pushes the corpus through some fields ---------------------------------------------

def edit_sections(w):
    officer = w.clients["officer"]
    # Long text within the limit is taken and shown as text (then replaced, to keep the
    # PDFs short).
    w.post(officer, w.doc_url("documents.save", section_id=w.plain),
           {"body": LONG[0], "base_version": w.section_version(w.plain), "summary": ""},
           "save long section text")
    w.get(officer, w.doc_url("documents.show"), "document with long text")
    body = "\n\n".join(HOSTILE)
    for section in (w.matter, w.plain):
        w.post(officer, w.doc_url("documents.save", section_id=section),
               {"body": body, "base_version": w.section_version(section), "summary": ""},
               "save section text")
    w.remember("body", body)
    w.post(officer, w.doc_url("documents.preview", section_id=w.plain), {"body": body},
           "preview", headers={"HX-Request": "true"})
    for i, summary in enumerate(plain_chunks("summary")):
        w.post(officer, w.doc_url("documents.save", section_id=w.plain),
               {"body": body + f"\n\nEdit {i}.", "base_version": w.section_version(w.plain),
                "summary": summary}, "save with a summary")
        w.remember("summary", summary)
    # An overlapping change from an older base: the conflict view shows the user's text.
    base = w.section_version(w.plain)
    w.post(officer, w.doc_url("documents.save", section_id=w.plain),
           {"body": "First paragraph changed.\n\n" + body, "base_version": base,
            "summary": ""}, "save before the conflict")
    response = officer.post(w.doc_url("documents.save", section_id=w.plain),
                            data={"body": HOSTILE[0] + "\n\n" + body, "base_version": base,
                                  "summary": ""})
    assert response.status_code == 409
    w.check(response, "conflict view")
    for title in plain_chunks("title"):
        w.post(officer, w.doc_url("documents.add_after", section_id=w.plain), {"title": title},
               "add a section")
        w.post(officer, w.doc_url("documents.rename", section_id=w.plain), {"title": title},
               "rename a section")
        w.remember("title", title)
    with w.app.app_context():
        sections = db.session.scalars(select(Section.id).where(
            Section.document_id == w.document_id).order_by(Section.position)).all()
    for section, question in zip(sections, pack(HOSTILE, LIMITS["feedback"], "\n")):
        w.post(officer, w.doc_url("review.feedback", section_id=section),
               {"feedback_sought": question}, "feedback sought")
        w.remember("feedback", question)


def comment(w):
    viewer = w.clients["viewer"]
    texts = pack(HOSTILE, LIMITS["comment"] // 2, "\n")
    section_url = {"section_id": w.matter}
    for text in texts:
        w.post(viewer, w.doc_url("review.add_comment", **section_url), {"body": text},
               "comment")
        w.remember("comment", text)
    with w.app.app_context():
        threads = db.session.scalars(select(Comment.id).where(
            Comment.section_id == w.matter).order_by(Comment.id)).all()
    for thread, text in zip(threads, texts):
        w.post(viewer, w.doc_url("review.reply", comment_id=thread, **section_url),
               {"body": "Reply:\n" + text}, "reply")
        w.remember("comment", "Reply:\n" + text)
        w.post(viewer, w.doc_url("review.save_comment", comment_id=thread, **section_url),
               {"body": "Edited:\n" + text}, "edit a comment")
        w.remember("comment", "Edited:\n" + text)
    w.thread = threads[0]
    # A suggested change with a hostile reason, and hostile comments on it.
    officer = w.clients["officer"]
    w.post(officer, w.doc_url("suggestions.create", section_id=w.plain),
           {"body": "Suggested:\n" + HOSTILE[0], "base_version": w.section_version(w.plain),
            "reason": pack(HOSTILE, 2000, "\n")[0]}, "suggestion")
    with w.app.app_context():
        from workspace.suggestions.models import Suggestion
        w.suggestion = db.session.scalars(select(Suggestion.id)
                                          .order_by(Suggestion.id.desc())).first()
    for text in texts:
        w.post(viewer, w.doc_url("suggestions.add_comment", suggestion_id=w.suggestion),
               {"body": text}, "comment on a suggestion")
        w.remember("comment", text)


def decide(w):
    admin = w.clients["admin"]
    bodies = plain_chunks("decision_body")
    texts = pack(HOSTILE, LIMITS["decision_text"], "\n")
    minutes = plain_chunks("decision_minute_ref")
    for i in range(max(len(bodies), len(minutes))):
        body, text = bodies[i % len(bodies)], texts[i % len(texts)]
        w.post(admin, w.doc_url("review.add_decision"),
               {"body": body, "description": text, **DUE},
               "add a decision sought")
        with w.app.app_context():
            decision = db.session.scalar(select(func.max(DecisionSought.id)).where(
                DecisionSought.document_id == w.document_id))
        w.post(admin, w.doc_url("review.record_decision_post", decision_id=decision),
               {**TAKEN, "outcome": "Outcome:\n" + text,
                "minute_ref": minutes[i % len(minutes)]}, "record a decision")
        w.remember("decision_body", body)
        w.remember("decision_text", text)
        w.remember("decision_text", "Outcome:\n" + text)
        w.remember("decision_minute_ref", minutes[i % len(minutes)])
    w.decision = decision


def _invitation_token(response):
    marker = "/invitation/"
    start = response.text.index(marker) + len(marker)
    return response.text[start:response.text.index('"', start)]


def administer(w):
    """Partner names (each new organisation's first admin accepts and makes a trial
    certificate), invitations, one accepted."""
    admin = w.clients["admin"]
    for i, name in enumerate(plain_chunks("partner_name")):
        response = w.post(admin, w.url("partnerships.add_organisation", slug=SLUG),
                          {"name": name, "code": f"hostile-partner-{i}",
                           "admin_name": "First Admin",
                           "admin_email": f"first{i}@hostile-partner.example"},
                          "add a new organisation")
        w.remember("partner_name", name)
        first_admin = w.app.test_client()
        w.post(first_admin, w.url("auth.accept_invitation", token=_invitation_token(response)),
               {"new_password": "a-long-new-password", "confirm": "a-long-new-password"},
               "the new organisation's first admin accepts")
        w.post(first_admin, w.url("export.trial_certificate"), {},
               "trial certificate for a hostile name")
        w.get(first_admin, w.url("export.certificates"), "certificates of a hostile name")
    with w.app.app_context():
        # The first new organisation's membership, for the pages that show one.
        w.partner = db.session.scalar(select(Partner.id).join(Organisation).where(
            Organisation.code == "hostile-partner-0"))
    w.tokens = []
    for i, name in enumerate(plain_chunks("invite_name")):
        response = w.post(admin, w.url("organisation.invite"),
                          {"name": name, "email": f"invited{i}@host.example",
                           "role": "officer"}, "invite")
        w.remember("invite_name", name)
        w.tokens.append(_invitation_token(response))
    newcomer = w.app.test_client()
    w.get(newcomer, w.url("auth.accept_invitation", token=w.tokens[1]), "invitation page")
    w.post(newcomer, w.url("auth.accept_invitation", token=w.tokens[0]),
           {"new_password": "a-long-new-password", "confirm": "a-long-new-password"},
           "accept an invitation")
    # The newcomer, with a hostile name, works: their name shows beside their work.
    w.post(newcomer, w.doc_url("review.add_comment", section_id=w.plain),
           {"body": "From the newcomer."}, "newcomer comments")
    w.post(newcomer, w.doc_url("documents.save", section_id=w.matter),
           {"body": "Matter text by the newcomer.\n\n" + "\n\n".join(HOSTILE),
            "base_version": w.section_version(w.matter), "summary": "newcomer"},
           "newcomer saves")
    w.clients["newcomer"] = newcomer


def new_documents(w):
    """Documents started from a template with hostile titles."""
    template = next(iter(TEMPLATES))
    for title in plain_chunks("title"):
        w.post(w.clients["officer"], w.url("new_document.create", slug=SLUG),
               {"template": template, "title": title}, "new document")
        w.remember("title", title)


def import_file(w):
    """A Markdown file of hostile headings and text: previewed, then imported."""
    officer = w.clients["officer"]
    url = w.doc_url("importing.preview")
    lines = []
    titles = plain_chunks("title")
    for i, title in enumerate(titles):
        lines += [f"# {title}", ""] + HOSTILE[i::len(titles)] + [""]
    text = "\n".join(lines).replace("\x00", "")       # a NUL makes it "not a text file"
    response = w.post(officer, url, {"after": "end", "file": (
        io.BytesIO(text.encode()), "hostile.md")}, "import preview")
    token = re.search(r'name="token" value="([^"]+)"', response.text).group(1)
    w.post(officer, w.doc_url("importing.confirm"), {"after": "end", "token": token},
           "import")
    w.post(officer, url, {"after": "end", "file": (io.BytesIO(b"# T\n\nnul\x00"),
                                                   "nul.md")},
           "import a file with a NUL", accepted=False)


def import_new_document(w):
    """New documents from a Markdown file of hostile headings and text, with hostile
    titles: previewed, then created."""
    officer = w.clients["officer"]
    url = w.url("new_document.import_preview", slug=SLUG)
    lines = []
    for i, heading in enumerate(plain_chunks("title")):
        lines += [f"## {heading}", ""] + HOSTILE[i::7] + [""]
    text = "\n".join(lines).replace("\x00", "")
    for title in plain_chunks("title")[:3]:
        response = w.post(officer, url, {"title": title, "kind": "scg", "file": (
            io.BytesIO(text.encode()), "hostile.md")}, "new document from a file: preview")
        token = re.search(r'name="token" value="([^"]+)"', response.text).group(1)
        created = w.post(officer, w.url("new_document.import_confirm", slug=SLUG),
                         {"token": token}, "new document from a file")
        w.get(officer, created.headers["Location"], "document imported from a file")
        w.remember("title", title)
    w.post(officer, url, {"title": plain_chunks("title")[0], "kind": "<script>", "file": (
        io.BytesIO(b"# T\n\nnul\x00"), "nul.md")}, "new document from a bad file",
        accepted=False)


STAKEHOLDER_TEXT = {"name": 200, "contact": 200, "lead_partner": 200, "lead_person": 200,
                    "actions": 5000}
OBJECTIVE_TEXT = {"name": 60, "description": 2000}
ACTIVITY_TEXT = {"audience": 200, "convened_by": 200, "led_by": 200, "period": 100}


def engage(w):
    """Objectives, stakeholders and activities typed in, edited and imported from CSV; the CSV
    export must not hand a spreadsheet a formula. Then a section shows them as live blocks."""
    officer = w.clients["officer"]
    # Objective names: unique, and without the CSV's separator (a semicolon is refused).
    names = [f"{i} {t.replace(';', ',')}"[:OBJECTIVE_TEXT["name"]].strip()
             for i, t in enumerate(HOSTILE)]
    descriptions = pack(HOSTILE, OBJECTIVE_TEXT["description"], " | ")
    for i in range(max(len(names), len(descriptions))):
        data = {"name": names[i] if i < len(names) else f"Objective {i}",
                "description": descriptions[i % len(descriptions)]}
        w.post(officer, w.url("engagement.add_objective", slug=SLUG), data,
               "add an objective")
        for field in OBJECTIVE_TEXT:
            w.remember(f"objective {field}", data[field])
    with w.app.app_context():
        objectives = db.session.scalars(select(Objective).order_by(Objective.id)).all()
        w.objective = objectives[0].id
        ticked = [str(o.id) for o in objectives]
        csv_objectives = "; ".join(o.name for o in objectives[1:4])   # [0] is renamed
    renamed = {"name": "Renamed " + names[-1][:50], "description": descriptions[-1]}
    w.post(officer, w.url("engagement.save_objective", slug=SLUG, objective_id=w.objective),
           renamed, "rename an objective")
    w.remember("objective name", renamed["name"])
    packs = {field: pack(HOSTILE, limit, " | ") for field, limit in
             {**STAKEHOLDER_TEXT, **ACTIVITY_TEXT}.items()}
    choices = {"category": "other", "relationship_now": "coexist",
               "relationship_target": "cooperate", "influence": "3", "quality": "4",
               "priority": "high"}
    count = max(len(packs[f]) for f in STAKEHOLDER_TEXT)
    for i in range(count):
        data = dict(choices, **{f: packs[f][i % len(packs[f])] for f in STAKEHOLDER_TEXT})
        data["name"] = f"{i} {data['name']}"[:200]     # names are unique in the register
        data["objectives"] = ticked
        w.post(officer, w.url("engagement.add", slug=SLUG), data, "add a stakeholder")
        for field in STAKEHOLDER_TEXT:
            w.remember(f"stakeholder {field}", data[field])
    for i in range(max(len(packs[f]) for f in ACTIVITY_TEXT)):
        data = {f: packs[f][i % len(packs[f])] for f in ACTIVITY_TEXT}
        data.update(groups="2", participants="30", start_date="2026-06-01",
                    end_date="2026-07-01", level="consult", status="planned")
        w.post(officer, w.url("engagement.add_activity", slug=SLUG), data, "add an activity")
        for field in ACTIVITY_TEXT:
            w.remember(f"activity {field}", data[field])
    with w.app.app_context():
        w.stakeholder = db.session.scalar(select(func.min(Stakeholder.id)))
        w.activity = db.session.scalar(select(func.min(EngagementActivity.id)))
    edited = dict(choices, **{f: packs[f][-1] for f in STAKEHOLDER_TEXT})
    edited["name"] = "Edited " + edited["name"][:190]
    for headers in ({}, {"HX-Request": "true"}):
        w.post(officer, w.url("engagement.save", slug=SLUG, stakeholder_id=w.stakeholder),
               edited, "edit a stakeholder", headers=headers)
    w.remember("stakeholder name", edited["name"])
    # A CSV of hostile cells, formulas included, imported; then the register exported.
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for text in HOSTILE:
        row = dict(choices, objectives=csv_objectives, **dict.fromkeys(STAKEHOLDER_TEXT, text))
        writer.writerow([row[c] for c in CSV_COLUMNS])
    response = w.post(officer, w.url("engagement.import_csv", slug=SLUG), {
        "file": (io.BytesIO(out.getvalue().encode()), "hostile.csv")}, "import a CSV")
    export = w.get(officer, w.url("engagement.export", slug=SLUG), "CSV export")
    assert export.mimetype == "text/csv"
    cells = [c for row in csv.reader(io.StringIO(export.get_data(as_text=True)))
             for c in row]
    for text in HOSTILE:
        if text.startswith(FORMULA_STARTS) and text.strip():
            assert ("'" + CONTROL_CHARACTERS.sub("", text).strip()) in cells or \
                ("'" + text) in cells, text
    w.pages["CSV export"] = " ".join(c.removeprefix("'") for c in cells)
    # The register, map, ladder and timeline as live blocks of a section: on the page, in the
    # PDFs, and bound into the frozen version later.
    from workspace.documents.service import append_section
    with w.app.app_context():
        append_section(db.session.get(Document, w.document_id), "Live blocks",
                       "{{register}}\n\n{{map}}\n\n{{ladder}}\n\n{{timeline}}\n",
                       user=db.session.get(User, w.users["officer"]))
        db.session.commit()
    return response


def record_positions(w):
    reasons = pack(HOSTILE, LIMITS["reason"], "\n")
    bodies = plain_chunks("route_body")
    minutes = plain_chunks("minute_ref")
    count = max(len(bodies), len(minutes), len(w.members))
    for i in range(count):
        client = w.member_clients[i % len(w.members)]
        # The first Member gives the hostile reason (it shows in the record of agreement);
        # the others a short one, so the PDF stays short.
        reason = reasons[i % len(reasons)] if i % len(w.members) == 0 else f"Reason {i}."
        data = {"stance": "reservations", "reason": reason,
                "route": "committee", "route_body": bodies[i % len(bodies)],
                "meeting_date-day": "13", "meeting_date-month": "10",
                "meeting_date-year": "2026", "minute_ref": minutes[i % len(minutes)],
                "seen_version": w.section_version(w.matter)}
        w.post(client, w.doc_url("review.record_position", section_id=w.matter), data,
               "record a position")
        for field in ("reason", "route_body", "minute_ref") if i % len(w.members) == 0 \
                else ("route_body", "minute_ref"):
            w.remember(field, data[field])


def sign(w):
    names = plain_chunks("signed")
    assert len(names) <= len(w.members)
    for client, name in zip(w.member_clients, names):
        w.get(client, w.doc_url("review.sign"), "sign page")
        w.post(client, w.doc_url("review.sign_post"),
               {"declaration": "y", "signed_name": name, "signed_position": name,
                "password": PASSWORD}, "sign")
        w.remember("signed", name)


def move(w, to, seen, **extra):
    w.post(w.clients["admin"], w.doc_url("review.move"), {"to": to, "seen": seen, **extra},
           f"move to {to}")


def refuse_long(w, stage):
    """Each over-long string alone in each field of this stage: a message, nothing run."""
    officer, viewer, admin = w.clients["officer"], w.clients["viewer"], w.clients["admin"]
    for i, text in enumerate(LONG):
        if stage == "draft":
            if len(text.encode()) > BODY_LIMIT_BYTES:
                w.post(officer, w.doc_url("documents.save", section_id=w.plain),
                       {"body": text, "base_version": w.section_version(w.plain)},
                       "over-long text", accepted=False)
            w.post(officer, w.doc_url("documents.save", section_id=w.plain),
                   {"body": "Short.", "base_version": w.section_version(w.plain),
                    "summary": text}, "over-long summary", accepted=False)
            for endpoint in ("documents.rename", "documents.add_after"):
                w.post(officer, w.doc_url(endpoint, section_id=w.plain), {"title": text},
                       "over-long title", accepted=False)
            w.post(officer, w.doc_url("review.feedback", section_id=w.plain),
                   {"feedback_sought": text}, "over-long question", accepted=False)
            w.post(viewer, w.doc_url("review.add_comment", section_id=w.plain),
                   {"body": text}, "over-long comment", accepted=False)
            w.post(viewer, w.doc_url("suggestions.add_comment", suggestion_id=w.suggestion),
                   {"body": text}, "over-long comment on a suggestion", accepted=False)
            w.post(viewer, w.doc_url("review.reply", section_id=w.matter,
                                     comment_id=w.thread), {"body": text},
                   "over-long reply", accepted=False)
            w.post(viewer, w.doc_url("review.save_comment", section_id=w.matter,
                                     comment_id=w.thread), {"body": text},
                   "over-long comment edit", accepted=False)
            w.post(admin, w.doc_url("review.add_decision"),
                   {"body": text, "description": "x", **DUE},
                   "over-long decision body", accepted=False)
            w.post(admin, w.doc_url("review.add_decision"),
                   {"body": "Board", "description": text, **DUE},
                   "over-long decision description", accepted=False)
            for field in ("outcome", "minute_ref"):
                data = {**TAKEN, "outcome": "Approved", "minute_ref": "M"}
                data[field] = text
                w.post(admin, w.doc_url("review.record_decision_post",
                                        decision_id=w.decision), data,
                       f"over-long decision {field}", accepted=False)
            w.post(admin, w.url("partnerships.add_organisation", slug=SLUG),
                   {"name": text, "code": f"long{i}", "admin_name": "First Admin",
                    "admin_email": f"long{i}@new.example"}, "over-long partner name",
                   accepted=False)
            w.post(admin, w.url("organisation.invite"),
                   {"name": text, "email": f"long{i}@host.example", "role": "viewer"},
                   "over-long invitation name", accepted=False)
            w.post(officer, w.url("new_document.create", slug=SLUG),
                   {"template": next(iter(TEMPLATES)), "title": text},
                   "over-long document title", accepted=False)
            stakeholder = {"name": "Long", "category": "other", "relationship_now": "coexist",
                           "relationship_target": "cooperate", "influence": "3",
                           "quality": "3", "priority": "low"}
            for field in STAKEHOLDER_TEXT:
                w.post(officer, w.url("engagement.add", slug=SLUG),
                       dict(stakeholder, **{field: text}), f"over-long stakeholder {field}",
                       accepted=False)
            for field in OBJECTIVE_TEXT:
                w.post(officer, w.url("engagement.add_objective", slug=SLUG),
                       dict({"name": "Long"}, **{field: text}), f"over-long objective {field}",
                       accepted=False)
            activity = {"audience": "Long", "start_date": "2026-06-01",
                        "end_date": "2026-07-01", "level": "consult", "status": "planned"}
            for field in ACTIVITY_TEXT:
                w.post(officer, w.url("engagement.add_activity", slug=SLUG),
                       dict(activity, **{field: text}), f"over-long activity {field}",
                       accepted=False)
        elif stage == "out_for_agreement":
            for field in ("reason", "route_body", "minute_ref"):
                data = {"stance": "reservations", "reason": "Because.", "route": "committee",
                        "route_body": "Cabinet", "minute_ref": "M1",
                        "seen_version": w.section_version(w.matter)}
                data[field] = text
                for headers in ({}, {"HX-Request": "true"}):
                    w.post(w.member_clients[0], w.doc_url("review.record_position",
                                                          section_id=w.matter),
                           data, f"over-long position {field}", accepted=False,
                           headers=headers)
        elif stage == "agreed":
            for field in ("signed_name", "signed_position"):
                data = {"declaration": "y", "signed_name": "Name",
                        "signed_position": "Position", "password": PASSWORD}
                data[field] = text
                w.post(w.member_clients[-1], w.doc_url("review.sign_post"), data,
                       f"over-long {field}", accepted=False)


# Looking at every page -----------------------------------------------------------------------

def sweep(w, role, client, values):
    """Every GET page of the app, full and as htmx, as seen by `role`."""
    # The PDFs are rendered once each, below; everything else every time.
    # Health probes show no user text (/readyz may answer 503: tests/test_health.py).
    skip = {"static", "health", "readyz", "favicon", "export.document_pdf",
            "export.version_pdf", "public.version_pdf"}
    for rule in sorted(w.app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint in skip:
            continue
        query = {"documents.diff": {"from": 1}, "documents.changes": {"cursor": 0},
                 "engagement.index": {"q": HOSTILE[3] + HOSTILE[17], "sort": "name"}}
        arguments = {k: values[k] for k in rule.arguments}
        if "pack_id" in arguments and "document_id" in arguments:
            arguments["pack_id"] = values["document_pack_id"]
        url = w.url(rule.endpoint, **arguments, **query.get(rule.endpoint, {}))
        downloads = rule.endpoint.endswith(("_docx", "_pdf", "_zip")) or \
            rule.rule.endswith((".csv", ".json", ".atom"))
        for headers in ({}, ) if downloads else ({}, {"HX-Request": "true"}):
            w.get(client, url, f"{role} GET {url}{' (htmx)' if headers else ''}", headers)


def sweep_values(w, section_id):
    return {"slug": SLUG, "document_id": w.document_id, "section_id": section_id,
            "comment_id": w.thread, "decision_id": w.decision, "number": 1,
            "suggestion_id": w.suggestion, "signature_id": 1,
            "organisation_id": w.member_organisation(0), "user_id": w.users["officer"],
            "token": w.tokens[-1], "stakeholder_id": w.stakeholder,
            "activity_id": w.activity, "objective_id": w.objective,
            "partner_id": w.partner, "notification_id": 1, "unsubscribe_token": "x",
            "matter_id": w.matter_id, "body_id": w.body_id, "meeting_id": w.meeting_id,
            "action_id": w.action_id, "pack_id": w.pack_id,
            "document_pack_id": w.document_pack_id, "document_slug": "hostile-statement",
            "rest": "no-such-page/here"}


def pdf_text(w, client, url, what):
    response = download(client, url, w.run_jobs)      # rendered (and signed) by jobs
    assert response.status_code == 200, (what, response.status_code)
    assert response.mimetype == "application/pdf"
    reader = PdfReader(io.BytesIO(response.data))
    # WeasyPrint encodes a font that also holds astral-plane glyphs (the emoji in the corpus)
    # through an embedded CMap; pypdf reads those codes as UTF-16 and leaves a NUL before each
    # character (poppler's pdftotext reads them right). The probes are ASCII: drop the NULs.
    text = "\n".join(page.extract_text() or "" for page in reader.pages).replace("\x00", "")
    assert text.strip(), what
    return text, response.data


def print_html(w):
    """The HTML WeasyPrint is given for the document as it stands."""
    from workspace.export.pdf import render_html
    from workspace.export.service import export_source, print_context
    with w.app.test_request_context():
        document = db.session.get(Document, w.document_id)
        return render_html(print_context(document, *export_source(document)))


#: Bits of hostile text that must come out of a PDF as text, unchanged.
PDF_PROBES = ["<script>alert('cg-xss-1')</script>", "onerror=alert(8)", "<iframe",
              "=HYPERLINK(", "@SUM(1+1)"]


def check_pdf(w, text, data, what):
    squashed = "".join(text.split())
    for probe in PDF_PROBES:
        assert "".join(probe.split()) in squashed, (what, probe)
    # No JavaScript or launch action made it into the file.
    for marker in (b"/JavaScript", b"/JS ", b"/Launch", b"/SubmitForm", b"/URI (javascript"):
        assert marker not in data, (what, marker)


# The run -------------------------------------------------------------------------------------

def test_hostile_input_everywhere(app, login, run_jobs):
    signers = len(plain_chunks("signed"))
    w = build(app, login, signers)
    w.run_jobs = run_jobs

    def member_organisation(i):
        with app.app_context():
            return db.session.get(User, w.members[i]).organisation_id
    w.member_organisation = member_organisation

    # Draft: text, titles, summaries, questions, comments, decisions, partners, people.
    edit_sections(w)
    comment(w)
    decide(w)
    administer(w)
    new_documents(w)
    import_file(w)
    import_new_document(w)
    engage(w)
    cooperation.keep_lists(w)
    cooperation.record_meetings(w)
    cooperation.agree_actions(w)
    cooperation.set_register(w)
    cooperation.refuse_long(w)
    cooperation.evidence_packs(w)
    refuse_long(w, "draft")
    sweep(w, "officer", w.clients["officer"], sweep_values(w, w.plain))
    w.get(w.clients["officer"], w.doc_url("documents.edit", section_id=w.matter),
          "editor with hostile text")
    w.check(w.clients["viewer"].get(w.doc_url("review.edit_comment", section_id=w.matter,
                                              comment_id=w.thread)), "comment editor")

    html = print_html(w)
    problems, _ = inspect(html)
    assert not problems, problems
    text, data = pdf_text(w, w.clients["viewer"], w.doc_url("export.document_pdf"),
                          "draft PDF")
    assert "DRAFT" in text
    check_pdf(w, text, data, "draft PDF")

    # Out for agreement: positions; agreed: signatures (those with a certificate sign the
    # PDF too, with the hostile name in the visible stamp).
    move(w, "out_for_agreement", "draft", proceed_reason="Sent out with gaps on purpose.")
    record_positions(w)
    refuse_long(w, "out_for_agreement")
    # An open suggestion stops the document being agreed: the admin rejects it first.
    w.post(w.clients["admin"], w.doc_url("suggestions.reject", suggestion_id=w.suggestion),
           {"reason": "Decided before the document is agreed."}, "reject the suggestion")
    move(w, "agreed", "out_for_agreement", with_exceptions="y")
    refuse_long(w, "agreed")
    with app.app_context():
        from workspace.export.keys import make_self_signed
        for i in (0, len(w.members) // 2, len(w.members) - 1):
            make_self_signed(db.session.get(Organisation, member_organisation(i)))
        db.session.commit()
    sign(w)
    # Version 1 on the public register (on since set_register): its pages, data and feed are
    # read in the sweeps, signed in and not.
    with app.app_context():
        assert publish_version_1(db.session.get(Document, w.document_id)) == \
            "hostile-statement"
        db.session.commit()
    sweep(w, "anonymous", app.test_client(), sweep_values(w, w.matter))
    for role, client in (("admin", w.clients["admin"]), ("member", w.member_clients[0])):
        sweep(w, role, client, sweep_values(w, w.matter))

    problems, _ = inspect(print_html(w))
    assert not problems, problems
    text, data = pdf_text(w, w.clients["viewer"], w.doc_url("export.version_pdf", number=1),
                          "signed version PDF")
    check_pdf(w, text, data, "signed version PDF")
    squashed = "".join(text.split())
    for name in plain_chunks("signed")[:1]:
        assert "".join(name.split()[:3]) in squashed

    assert not w.problems, "\n".join(w.problems)
    shown = normalise(" ".join(w.pages.values()))
    missing = []
    for field, texts in sorted(w.typed.items()):
        if field == "body":
            continue                 # Markdown: shown rendered, checked for safety above
        for typed in texts:
            for part in typed.split(" | "):
                # Control characters are taken out of every request (workspace.security).
                if normalise(CONTROL_CHARACTERS.sub("", part)) not in shown:
                    missing.append(f"{field}: {part[:60]!r}")
    assert not missing, "typed but shown on no page:\n" + "\n".join(missing)
