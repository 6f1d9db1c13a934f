"""Steps of test_hostile_input's run for the record of cooperation and what hangs off it: the
partnership's strategic matters and bodies (added, changed, retired and restored), meetings
(title, attendees' roles and names, notes in Markdown, outcome, stated positions, a form posted
back with "Add another", a correction's reason), agreed actions (what, closed with an
outcome), the evidence packs (their PDF and ZIP made from all of it) and the public register
(the accessibility contact; the published version's pages come in the run's sweeps).

Each plain-text field is filled with the corpus packed up to its limit and remembered, so the
run's last check finds it shown as text somewhere; an over-long value is refused with a
message (422), never a 500.
"""
import csv
import io
import json
import zipfile

from pypdf import PdfReader
from sqlalchemy import select

from workspace.cooperation.models import Action, Meeting
from workspace.export.models import EvidencePack
from workspace.extensions import db
from workspace.partnerships.models import Body, Partnership, StrategicMatter

from .corpus import FORMULA_STARTS, HOSTILE, LONG

#: Field -> longest text it takes (workspace.cooperation.meeting_checks.LIMITS, actions.WHAT_MAX and
#: OUTCOME_MAX, partnerships.matters); packs of a few characters less where a number goes in
#: front to keep names unique.
LIMITS = {"matter title": 200, "matter description": 2000, "body name": 200,
          "body short name": 40, "meeting title": 200, "attendee role": 200,
          "attendee name": 200, "meeting outcome": 2000, "stated position": 10_000,
          "correction reason": 2000, "action what": 1000, "action outcome": 2000,
          "register contact": 300}
HELD_ON = {"held_on-day": "5", "held_on-month": "1", "held_on-year": "2026"}


def _pack(field, sep=" | ", room=0):
    from .test_hostile_input import pack
    return pack(HOSTILE, LIMITS[field] - room, sep)


def _hostile_partnership(w):
    from .test_hostile_input import SLUG
    return db.session.scalar(select(Partnership.id).where(Partnership.slug == SLUG))


def _ids(w, model):
    with w.app.app_context():
        return list(db.session.scalars(select(model.id).where(
            model.partnership_id == _hostile_partnership(w)).order_by(model.id)))


def _either(w, client, url, data, what):
    """A value the rules may take or refuse: 303 or 422, safely either way."""
    response = client.post(url, data=data)
    assert response.status_code in (303, 422), (what, response.status_code)
    w.check(response, what)
    return response.status_code == 303


def keep_lists(w):
    """The partnership's admin keeps its strategic matters and bodies with hostile names."""
    from .test_hostile_input import SLUG
    admin = w.clients["admin"]
    titles, descriptions = _pack("matter title", room=4), _pack("matter description")
    for i in range(max(len(titles), len(descriptions))):
        data = {"title": f"{i} {titles[i % len(titles)]}", "reference": "",
                "description": descriptions[i % len(descriptions)]}
        w.post(admin, w.url("partnerships.add_matter", slug=SLUG), data,
               "add a strategic matter")
        w.remember("matter title", data["title"])
        w.remember("matter description", data["description"])
    # References are short codes: the corpus is refused (or, if one fits, taken) safely.
    for i, text in enumerate(HOSTILE[:12]):
        if _either(w, admin, w.url("partnerships.add_matter", slug=SLUG),
                   {"title": f"Reference {i}", "reference": text, "description": ""},
                   "a hostile reference"):
            w.remember("matter reference", text.strip())
    # Short names: each string alone, cut to the limit (some are longer).
    names = _pack("body name", room=4)
    shorts = [text[:LIMITS["body short name"] - 4] for text in HOSTILE]
    for i in range(max(len(names), len(shorts))):
        data = {"name": f"{i} {names[i % len(names)]}",
                "short_name": f"{i} {shorts[i % len(shorts)]}", "kind": "other"}
        w.post(admin, w.url("partnerships.add_body", slug=SLUG), data, "add a body")
        w.remember("body name", data["name"])
        w.remember("body short name", data["short_name"])
    w.matters, w.bodies = _ids(w, StrategicMatter), _ids(w, Body)
    w.matter_id, w.body_id = w.matters[0], w.bodies[0]
    renamed = {"title": "Renamed " + titles[-1][:180], "reference": "SM-X",
               "description": descriptions[0]}
    w.post(admin, w.url("partnerships.save_matter", slug=SLUG, matter_id=w.matter_id),
           renamed, "change a strategic matter")
    w.remember("matter title", renamed["title"])
    body = {"name": "Renamed " + names[-1][:180], "short_name": shorts[0], "kind": "other"}
    w.post(admin, w.url("partnerships.save_body", slug=SLUG, body_id=w.body_id), body,
           "change a body")
    w.remember("body name", body["name"])
    for kind, row in (("matter", w.matters[-1]), ("body", w.bodies[-1])):
        for step in ("retire", "restore"):
            w.post(admin, w.url(f"partnerships.{step}_{kind}", slug=SLUG,
                                **{f"{kind}_id": row}), {}, f"{step} a {kind}")


def _meeting_data(w, i, titles, roles, people, outcomes, statements):
    return {**HELD_ON, "kind": "workshop", "body_id": str(w.body_id),
            "title": titles[i % len(titles)], "notes": "\n\n".join(HOSTILE),
            "outcome": outcomes[i % len(outcomes)],
            "attendees-0-organisation_id": str(w.host),
            "attendees-0-role": roles[i % len(roles)],
            "attendees-0-person": people[i % len(people)],
            "matter_ids": [str(m) for m in w.matters[:2]],
            "positions-0-organisation_id": str(w.host),
            "positions-0-matter_id": str(w.matters[0]), "positions-0-stance": "reservations",
            "positions-0-statement": statements[i % len(statements)]}


def record_meetings(w):
    """An officer records meetings with hostile text everywhere, posts the form back with
    "Add another" and refused, and corrects one with hostile reasons."""
    from .test_hostile_input import SLUG
    officer = w.clients["officer"]
    texts = [_pack(f) for f in ("meeting title", "attendee role", "attendee name",
                                "meeting outcome", "stated position")]
    url = w.url("cooperation.new_meeting", slug=SLUG)
    for i in range(max(len(t) for t in texts)):
        data = _meeting_data(w, i, *texts)
        w.post(officer, url, data, "record a meeting")
        for field, key in (("meeting title", "title"), ("attendee role", "attendees-0-role"),
                           ("attendee name", "attendees-0-person"),
                           ("meeting outcome", "outcome"),
                           ("stated position", "positions-0-statement")):
            w.remember(field, data[key])
    w.remember("body", "\n\n".join(HOSTILE))
    data = _meeting_data(w, 0, *texts)
    for which in ("attendee", "position"):
        w.post(officer, url, dict(data, add=which), f"add another {which} row")
    w.post(officer, url, dict(data, **{"attendees-0-role": ""}), "a meeting refused",
           accepted=False)
    w.meetings = _ids(w, Meeting)
    w.meeting_id = w.meetings[0]
    correct = w.url("cooperation.correct_meeting", slug=SLUG, meeting_id=w.meeting_id)
    w.get(officer, correct, "the correction form of a hostile meeting")
    for n, reason in enumerate(_pack("correction reason"), start=1):
        changed = dict(_meeting_data(w, n, *texts), expected_version=str(n), reason=reason)
        w.post(officer, correct, changed, "correct a meeting")
        w.remember("correction reason", reason)
    # A stale correction: 409, what was typed kept on the page.
    response = officer.post(correct, data=dict(data, expected_version="1", reason="Stale."))
    assert response.status_code == 409, response.status_code
    w.check(response, "a stale correction")


def agree_actions(w):
    """An officer adds actions (one at a meeting) with hostile text and closes them with
    hostile outcomes (the first dropped)."""
    from .test_hostile_input import SLUG
    officer = w.clients["officer"]
    whats, outcomes = _pack("action what"), _pack("action outcome")
    count = max(len(whats), len(outcomes))
    for i in range(count):
        data = {"what": whats[i % len(whats)], "lead_organisation_id": str(w.host),
                "supporter_ids": [str(w.member_organisation(0))],
                "matter_ids": [str(w.matters[0])], "document_ids": [str(w.document_id)],
                "due_on-day": "1", "due_on-month": "3", "due_on-year": "2027",
                "meeting": str(w.meeting_id) if i == 0 else ""}
        w.post(officer, w.url("cooperation.add_action", slug=SLUG), data, "add an action")
        w.remember("action what", data["what"])
    w.actions = _ids(w, Action)
    w.action_id = w.actions[0]
    for i, action in enumerate(w.actions[-count:]):
        outcome = outcomes[i % len(outcomes)]
        w.post(officer, w.url("cooperation.close_action", slug=SLUG, action_id=action),
               {"close-status": "dropped" if i == 0 else "done", "close-outcome": outcome,
                "close-version": "1"}, "close an action")
        w.remember("action outcome", outcome)
    # The first open again (its outcome is kept in the history) and shown with its forms.
    w.post(officer, w.url("cooperation.reopen_action", slug=SLUG, action_id=w.actions[-count]),
           {"reopen-version": "2"}, "reopen an action")
    w.get(officer, w.url("cooperation.action", slug=SLUG, action_id=w.actions[-count]),
          "an action with its forms")


def refuse_long(w):
    """Each over-long string alone in each field: a message (422), nothing stored, no 500."""
    from .test_hostile_input import SLUG
    admin, officer = w.clients["admin"], w.clients["officer"]
    texts = [_pack(f) for f in ("meeting title", "attendee role", "attendee name",
                                "meeting outcome", "stated position")]
    for i, text in enumerate(LONG):
        w.post(admin, w.url("partnerships.add_matter", slug=SLUG),
               {"title": text, "reference": "", "description": ""}, "over-long matter title",
               accepted=False)
        # A matter's description has no limit (partnerships.matters._check_matter checks
        # none): taken, it must at least be stored inert. It is cut short again at once, so
        # the pages and the evidence pack stay quick.
        if _either(w, admin, w.url("partnerships.add_matter", slug=SLUG),
                   {"title": f"Long {i}", "reference": "", "description": text},
                   "over-long matter description"):
            w.get(admin, w.url("partnerships.matters", slug=SLUG),
                  "matters with an over-long description")
            long_matter = _ids(w, StrategicMatter)[-1]
            w.post(admin, w.url("partnerships.save_matter", slug=SLUG, matter_id=long_matter),
                   {"title": f"Long {i}", "reference": f"LONG-{i}", "description": "Short."},
                   "shorten a matter's description")
        for field in ("name", "short_name"):
            data = {"name": "Long", "short_name": "", "kind": "other"}
            data[field] = text
            w.post(admin, w.url("partnerships.add_body", slug=SLUG), data,
                   f"over-long body {field}", accepted=False)
        for key, limit in (("title", 200), ("notes", 100_000), ("outcome", 2000),
                           ("attendees-0-role", 200), ("attendees-0-person", 200),
                           ("positions-0-statement", 10_000)):
            if len(text) <= limit:
                continue
            data = _meeting_data(w, 0, *texts)
            data[key] = text
            w.post(officer, w.url("cooperation.new_meeting", slug=SLUG), data,
                   f"over-long meeting {key}", accepted=False)
        w.post(officer, w.url("cooperation.add_action", slug=SLUG),
               {"what": text, "lead_organisation_id": str(w.host)}, "over-long action",
               accepted=False)
        w.post(officer, w.url("cooperation.close_action", slug=SLUG, action_id=w.action_id),
               {"close-status": "dropped", "close-outcome": text, "close-version": "1"},
               "over-long action outcome", accepted=False)
        w.post(admin, w.url("publishing_admin.save", slug=SLUG),
               {"publishes": "on", "accessibility_contact": text},
               "over-long register contact", accepted=False)


def set_register(w):
    """The admin publishes the register with a contact: unsafe ones refused, odd but valid
    ones (an e-mail address or web address full of markup) taken and shown as text."""
    from .test_hostile_input import SLUG
    admin = w.clients["admin"]
    url = w.url("publishing_admin.save", slug=SLUG)
    for contact in ("javascript:alert('cg')", "data:text/html,<script>alert(1)</script>",
                    "vbscript:msgbox(1)", "//evil.example/x", " ", "<script>alert(1)</script>"):
        w.post(admin, url, {"publishes": "on", "accessibility_contact": contact},
               "a refused register contact", accepted=False)
    for i, contact in enumerate(("\"><script>alert('cg-contact')</script>@evil.example",
                                 "https://evil.example/\"><img/src=x/onerror=alert(1)>?a=<svg>")):
        w.post(admin, url, {"publishes": "on", "accessibility_contact": contact},
               "a hostile register contact")
        w.remember("register contact", contact)
        # The register is on (nothing published yet): its statement shows the contact.
        w.get(w.app.test_client(), w.url("public.accessibility", slug=SLUG),
              f"accessibility statement with hostile contact {i}")
    w.get(admin, w.url("publishing_admin.settings", slug=SLUG), "register settings")


def evidence_packs(w):
    """Evidence packs of the document and of the partnership, made by the jobs from all of
    the above: the PDF holds the hostile text as text and nothing that runs; the ZIP's CSV
    starts no cell with a formula, its JSON parses."""
    from .test_hostile_input import PDF_PROBES, SLUG
    officer = w.clients["officer"]
    w.post(officer, w.doc_url("export.request_document_evidence"), {},
           "ask for a document's evidence pack")
    w.post(officer, w.url("export.request_partnership_evidence", slug=SLUG), {},
           "ask for the partnership's evidence pack")
    w.run_jobs()
    with w.app.app_context():
        packs = {document_id: pack_id for pack_id, document_id in db.session.execute(
            select(EvidencePack.id, EvidencePack.document_id).where(
                EvidencePack.partnership_id == _hostile_partnership(w),
                EvidencePack.ready_at.is_not(None)))}
    assert set(packs) == {None, w.document_id}, packs
    w.pack_id, w.document_pack_id = packs[None], packs[w.document_id]
    downloads = {
        "document": (w.doc_url("export.document_evidence_pdf", pack_id=w.document_pack_id),
                     w.doc_url("export.document_evidence_zip", pack_id=w.document_pack_id)),
        "partnership": (w.url("export.partnership_evidence_pdf", slug=SLUG,
                              pack_id=w.pack_id),
                        w.url("export.partnership_evidence_zip", slug=SLUG,
                              pack_id=w.pack_id))}
    for of, (pdf_url, zip_url) in downloads.items():
        response = w.get(officer, pdf_url, f"evidence pack PDF of the {of}")
        assert response.status_code == 200 and response.mimetype == "application/pdf", of
        data = response.data
        reader = PdfReader(io.BytesIO(data))
        text = "".join("".join((page.extract_text() or "").replace("\x00", "").split())
                       for page in reader.pages)
        if of == "partnership":          # every meeting and action is in it
            for probe in PDF_PROBES:
                assert "".join(probe.split()) in text, (of, probe)
        for marker in (b"/JavaScript", b"/JS ", b"/Launch", b"/SubmitForm",
                       b"/URI (javascript"):
            assert marker not in data, (of, marker)
        response = w.get(officer, zip_url, f"evidence pack ZIP of the {of}")
        assert response.status_code == 200, of
        with zipfile.ZipFile(io.BytesIO(response.data)) as package:
            for name in package.namelist():
                assert not name.startswith("/") and ".." not in name, name
                body = package.read(name).decode("utf-8-sig")
                if name.endswith(".csv"):
                    for row in csv.reader(io.StringIO(body)):
                        for cell in row:
                            if cell.startswith(FORMULA_STARTS):
                                w.problems.append(f"evidence {of} {name}: a cell "
                                                  f"starts a formula: {cell[:40]!r}")
                elif name.endswith(".json"):
                    json.loads(body)
