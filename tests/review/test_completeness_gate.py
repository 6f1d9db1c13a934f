"""Completeness gates "Out for agreement" (issue 14): a document with gaps goes out only with
the partnership admin's recorded reason (audited, shown on the lifecycle page); without it
the step is refused (422) with the gaps listed and the typed text kept, and nothing changes.
The completeness panel is shown to officers and partnership admins while the text may change,
never to Members, and to nobody once the document is agreed."""
import json

import pytest
from sqlalchemy import select

from workspace.audit import AuditEvent
from workspace.documents import completeness, service
from workspace.documents.models import Document
from workspace.documents.starters import SCG_ANNEX_4
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.review import lifecycle
from workspace.review.errors import LifecycleError
from workspace.review.models import Signatory

PANEL = 'id="completeness"'
REASON = "Members asked to see the matters before the evidence section is written."


def _document(app, world, kind, parts):
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Statement of Common Ground", kind)
        sections = [service.append_section(document, title, body) for title, body in parts]
        sections[-1].strategic_matter = True
        db.session.add(Signatory(document_id=document.id,
                                 organisation_id=world["orgs"]["watford"], all_matters=True))
        db.session.commit()
        base = f"/p/own/d/{document.id}"
        return {"id": document.id, "base": base, "lifecycle": base + "/lifecycle",
                "show": base + "/"}


@pytest.fixture
def partial(app, world):
    """A Statement with three of the template's parts: it has gaps."""
    return _document(app, world, "scg", [("Strategic context", "The area.\n"),
                                         ("Housing need", "3,000 homes a year.\n"),
                                         ("Green Belt", "A joint review.\n")])


@pytest.fixture
def complete(app, world):
    """A Statement with every part of the Annex 4 template written: no gaps."""
    return _document(app, world, "scg", [(part.title, f"Written text for {part.title}.\n")
                                         for part in SCG_ANNEX_4.sections])


@pytest.fixture
def client_for(app, login, world):
    return lambda role: login(app.test_client(), world["users"][role])


def gaps_of(app, doc):
    with app.app_context():
        return len(completeness.check(db.session.get(Document, doc["id"])).gaps)


def row(app, doc):
    with app.app_context():
        document = db.session.get(Document, doc["id"])
        return {"status": document.status, "gaps": document.proceed_gaps,
                "reason": document.proceed_reason, "by": document.proceed_by_id,
                "at": document.proceed_at}


def status_events(app, doc):
    with app.app_context():
        return [json.loads(e.detail) for e in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "document.status_changed",
                                     AuditEvent.document_id == doc["id"]))]


def send_out(client, doc, **form):
    return client.post(doc["lifecycle"], data={"to": "out_for_agreement", "seen": "draft",
                                               **form})


def test_the_draft_lifecycle_page_asks_the_admin_for_a_reason_when_there_are_gaps(
        app, partial, client_for):
    gaps = gaps_of(app, partial)
    assert gaps > 1
    page = client_for("admin").get(partial["lifecycle"]).text
    assert f"The completeness check finds {gaps} gaps" in page
    assert 'name="proceed_reason"' in page
    assert f"Send out for agreement with {gaps} gaps" in page


@pytest.mark.parametrize("reason", ["", "   \n  "])
def test_without_a_reason_a_document_with_gaps_is_refused_and_nothing_changes(
        app, partial, client_for, reason):
    response = send_out(client_for("admin"), partial, proceed_reason=reason)
    assert response.status_code == 422
    gaps = gaps_of(app, partial)
    assert f"The document has {gaps} gaps in its completeness check" in response.text
    # The message is on the reason's field, linked from the error summary.
    assert 'href="#proceed_reason"' in response.text
    assert 'id="proceed_reason-error"' in response.text
    # The gaps are listed with links to where each is filled.
    assert f"Not yet complete: {gaps} gaps" in response.text
    panel = response.text.split(PANEL, 1)[1].split("</ul>", 1)[0]
    assert panel.count(f'<a class="govuk-link" href="/p/own/d/{partial["id"]}/') == gaps
    assert row(app, partial) == {"status": "draft", "gaps": None, "reason": None, "by": None,
                                 "at": None}
    assert status_events(app, partial) == []


def test_a_refusal_keeps_the_typed_reason(app, partial, client_for):
    typed = "x" * (lifecycle.MAX_REASON + 1)
    response = send_out(client_for("admin"), partial, proceed_reason=typed)
    assert response.status_code == 422
    assert f"The reason must be {lifecycle.MAX_REASON} characters or fewer" in response.text
    assert typed in response.text
    assert row(app, partial)["status"] == "draft"


def test_with_a_reason_it_goes_out_and_the_reason_is_stored_audited_and_shown(
        app, partial, client_for, world):
    gaps = gaps_of(app, partial)
    admin = client_for("admin")
    response = send_out(admin, partial, proceed_reason=f"  {REASON}  ")
    assert response.status_code == 303
    stored = row(app, partial)
    assert stored["status"] == "out_for_agreement"
    assert (stored["gaps"], stored["reason"], stored["by"]) == (gaps, REASON,
                                                               world["users"]["admin"])
    assert stored["at"] is not None
    [event] = status_events(app, partial)
    assert (event["new"], event["gaps"], event["proceed_reason"]) == (
        "out_for_agreement", gaps, REASON)
    # Shown on the lifecycle page, to the admin and to a Member alike.
    for role in ("admin", "member"):
        page = client_for(role).get(partial["lifecycle"]).text
        assert f"Sent out with {gaps} gaps: {REASON} — Test Admin, " in page


def test_the_rule_holds_when_the_step_is_taken_directly(app, partial, world):
    from workspace.accounts.models import User
    with app.test_request_context():
        document = db.session.get(Document, partial["id"])
        admin = db.session.get(User, world["users"]["admin"])
        with pytest.raises(LifecycleError) as refused:
            lifecycle.send_out(document, admin)
        assert (refused.value.status, refused.value.field) == (422, "proceed_reason")
        lifecycle.send_out(document, admin, reason=REASON)
        assert document.is_out_for_agreement and document.proceed_reason == REASON


def test_a_document_without_gaps_goes_out_as_before(app, complete, client_for):
    assert gaps_of(app, complete) == 0
    admin = client_for("admin")
    page = admin.get(complete["lifecycle"]).text
    assert 'name="proceed_reason"' not in page
    assert send_out(admin, complete, proceed_reason="ignored").status_code == 303
    assert row(app, complete) == {"status": "out_for_agreement", "gaps": None, "reason": None,
                                  "by": None, "at": None}
    [event] = status_events(app, complete)
    assert "proceed_reason" not in event
    assert "Sent out with" not in admin.get(complete["lifecycle"]).text


def test_a_document_that_is_not_a_statement_has_no_gaps_to_gate(app, world, client_for):
    other = _document(app, world, "other", [("Notes", "")])
    assert send_out(client_for("admin"), other).status_code == 303
    assert row(app, other)["status"] == "out_for_agreement"


def test_sent_back_to_draft_and_out_again_complete_clears_the_reason(app, partial,
                                                                    client_for):
    admin = client_for("admin")
    assert send_out(admin, partial, proceed_reason=REASON).status_code == 303
    assert admin.post(partial["lifecycle"], data={"to": "draft", "confirm": "y"}
                      ).status_code == 303
    # Back in draft the old reason is not shown as if it applied.
    assert "Sent out with" not in admin.get(partial["lifecycle"]).text
    with app.app_context():
        document = db.session.get(Document, partial["id"])
        document.kind = "other"             # nothing to measure now: no gaps
        db.session.commit()
    assert send_out(admin, partial).status_code == 303
    assert row(app, partial)["reason"] is None


# Who sees the completeness panel ------------------------------------------------------------

PANEL = 'id="completeness"'


@pytest.mark.parametrize("role, shown", [("officer", True), ("admin", True),
                                         ("member", False), ("viewer", False)])
def test_the_panel_shows_to_officers_and_admins_while_draft_never_to_members(
        app, partial, client_for, role, shown):
    client = client_for(role)
    assert (PANEL in client.get(partial["show"]).text) is shown
    assert (PANEL in client.get(partial["lifecycle"]).text) is shown


def test_the_panel_shows_while_out_for_agreement(app, partial, client_for):
    admin = client_for("admin")
    assert send_out(admin, partial, proceed_reason=REASON).status_code == 303
    assert PANEL in client_for("officer").get(partial["show"]).text
    assert PANEL in admin.get(partial["lifecycle"]).text
    assert PANEL not in client_for("member").get(partial["show"]).text


@pytest.mark.parametrize("status", ["agreed", "signed", "published"])
def test_the_panel_is_not_shown_to_anyone_once_agreed(app, partial, client_for, status):
    with app.app_context():
        db.session.get(Document, partial["id"]).status = status
        db.session.commit()
    for role in ("officer", "admin", "member"):
        client = client_for(role)
        assert PANEL not in client.get(partial["show"]).text
        assert PANEL not in client.get(partial["lifecycle"]).text
