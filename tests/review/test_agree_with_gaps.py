"""Template guidance left in a Statement is frozen, signed and published as written: the
"Mark as agreed" step and the publish confirmation say so, with the completeness check's gaps
(found by a walkthrough: the demo's prompts went onto the public register unremarked)."""
import re

from sqlalchemy import select

from tests.publishing.register_support import agree_and_sign, scg
from workspace.accounts.models import User
from workspace.documents import completeness
from workspace.extensions import db
from workspace.review import positions


def _admin(app, login, client):
    with app.app_context():
        admin = db.session.scalar(select(User.id).where(User.email == "admin@swherts.example"))
        document = scg()
        gaps = completeness.check(document)
        base = f"/p/sw-herts/d/{document.id}"
    login(client, admin)
    return base, gaps


def _give_every_position(app):
    """Every position given and the demo's open suggestions decided: "Mark as agreed" is
    offered."""
    from workspace.suggestions import service as suggestions
    from workspace.suggestions.models import OPEN, Suggestion

    with app.test_request_context():
        document = scg()
        admin = db.session.scalar(select(User).where(User.email == "admin@swherts.example"))
        for suggestion in db.session.scalars(select(Suggestion).where(
                Suggestion.document_id == document.id, Suggestion.status == OPEN)).all():
            suggestions.reject(suggestion, admin, "Decided before agreement.")
        members = db.session.scalars(select(User).where(User.role == "member")).all()
        for cell in positions.agreement_grid(document).outstanding:
            who = next(u for u in members
                       if u.organisation_id == cell.signatory.organisation_id)
            positions.record_position(cell.section, who, "agreed", route="cabinet")
        db.session.commit()


def test_marking_agreed_warns_that_the_gaps_are_frozen(app, demo, login, client):
    base, gaps = _admin(app, login, client)
    assert gaps and not gaps.complete                 # the demo keeps template prompts
    _give_every_position(app)
    page = client.get(f"{base}/lifecycle").text
    assert "Mark as agreed" in page
    warning = re.search(r'<div class="govuk-warning-text" id="agree-with-gaps">(.*?)</div>',
                        page, re.S)
    assert warning, "no warning before Mark as agreed"
    count = len(gaps.gaps)
    assert f"still finds {count} gap{'s' if count != 1 else ''}" in warning.group(1)
    assert "guidance text included" in warning.group(1)


def test_the_publish_confirmation_lists_the_gaps_of_the_version(app, demo, login, client):
    number = agree_and_sign(app)
    base, gaps = _admin(app, login, client)
    page = client.get(f"{base}/publish").text
    assert f"Publish version {number}" in page
    section = re.search(r'id="publish-with-gaps">(.*?)</div>\s*</div>', page, re.S)
    assert section, "the gaps are not shown before publishing"
    listed = re.findall(r"<li>(.*?)</li>", section.group(1))
    assert len(listed) == len(gaps.gaps) > 0
    assert "would be public as written" in section.group(1)


def test_a_complete_statement_gets_no_warning(app, demo, login, client, monkeypatch):
    """With nothing missing (the check stubbed complete), neither page warns."""
    complete = completeness.Completeness("SCG template", (), 5)
    monkeypatch.setattr(completeness, "check", lambda document, numbered=None: complete)
    base, _ = _admin(app, login, client)
    _give_every_position(app)
    page = client.get(f"{base}/lifecycle").text
    assert "Mark as agreed" in page and "agree-with-gaps" not in page
    number = agree_and_sign(app)
    page = client.get(f"{base}/publish").text
    assert f"Publish version {number}" in page and "publish-with-gaps" not in page
