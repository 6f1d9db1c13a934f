"""My tasks lists the actions the user's authority leads in one statement, however many
supporters they have (issue 20): the page shows each action's text, due date and
partnership, so the supporters, matters and documents an action loads eagerly elsewhere wait
until something reads them."""
from tests.support import counting_queries
from workspace.accounts.models import User
from workspace.cooperation import tasks as cooperation_tasks
from workspace.extensions import db

from . import actions_support
from .actions_support import add

record = actions_support.record


def test_the_actions_led_are_listed_in_one_statement(app, record):
    orgs = record["orgs"]
    for i in range(3):
        add(app, record, what=f"Led {i}", supporter_ids=[orgs["dacorum"]])
    with app.test_request_context():
        user = db.session.get(User, record["users"]["officer"])
        with counting_queries(app) as statements:
            rows = cooperation_tasks.led_actions(user)
            shown = [(t.action.what, t.action.due_on, t.state, t.partnership.name)
                     for t in rows]
        assert len(statements) == 1, statements
        assert shown == [(f"Led {i}", None, "open", "Own Partnership") for i in range(3)]
        # Read when asked for: the supporters are still there.
        assert [[s.organisation_id for s in t.action.supporters] for t in rows] == \
            [[orgs["dacorum"]]] * 3
