"""The demo Statement carries two open suggestions and one rejected with a reason."""
from sqlalchemy import select

from workspace.extensions import db
from workspace.suggestions.models import Suggestion


def test_the_demo_has_two_open_suggestions_and_one_rejected(app, demo):
    with app.app_context():
        rows = db.session.scalars(select(Suggestion).order_by(Suggestion.id)).all()
        found = [(r.organisation.name, r.section.title, r.status) for r in rows]
        assert found == [
            ("Hertsmere Borough Council", "The future role of the Green Belt", "open"),
            ("Hertfordshire County Council", "Strategic infrastructure priorities", "open"),
            ("St Albans City and District Council", "Housing need and distribution",
             "rejected")]
        assert rows[2].decision_reason and rows[2].decided_by.email == "admin@swherts.example"
