"""The home page costs a fixed number of SQL statements, however many partnerships, partners
and documents the user's organisation has (issue 20): the partnerships come with their active
partners in one statement, the documents in one, and the header's counts in one each."""
import pytest

from tests.support import counting_queries
from workspace.accounts.models import User
from workspace.documents import service
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.suggestions import listings

#: The signed-in user; the partnerships with their active partners; their documents; the
#: header's counts: review's tasks, suggestions, actions led, unread notifications. An
#: organisation admin's page also asks for invitations to accept.
HOME_STATEMENTS = 7


def _home_statements(app, client):
    with counting_queries(app) as statements:
        response = client.get("/")
    assert response.status_code == 200
    # SQLite's BEGIN is a statement of its own (PostgreSQL's is implicit).
    return response.text, len([s for s in statements if s.strip().lower() != "begin"])


def _add_documents(app, partnership_id, count):
    with app.app_context():
        partnership = db.session.get(Partnership, partnership_id)
        for i in range(count):
            service.create_document(partnership, f"{partnership.name} document {i}", "scg")
        db.session.commit()


@pytest.mark.parametrize("role", ["viewer", "officer", "member", "admin"])
def test_home_statements_do_not_grow_with_partnerships_and_documents(app, client, login,
                                                                     factory, world, role):
    orgs = world["orgs"]
    _add_documents(app, world["partnerships"]["own"], 1)
    login(client, world["users"][role])
    _home_statements(app, client)                         # warm-up: the first request costs
    page, few = _home_statements(app, client)
    assert "Own Partnership document 0" in page

    for slug in ("north", "south", "east"):
        partnership = factory.partnership(slug, [orgs["watford"], orgs["dacorum"],
                                                 orgs["luton"]])
        _add_documents(app, partnership, 3)
    page, many = _home_statements(app, client)

    for slug in ("North", "South", "East"):
        assert f"{slug} Partnership</a></h2>" in page
        assert f"{slug} Partnership document 2" in page
    assert ("3 partners: Dacorum Borough Council, Luton Borough Council, Watford Borough "
            "Council") in page
    assert "Foreign Partnership" not in page            # Watford is not a partner there
    assert many == few, f"1 partnership: {few} statements, 4 partnerships: {many}"
    assert few == HOME_STATEMENTS + (role == "admin"), few


def test_the_suggestions_header_count_is_one_statement_whatever_the_documents(app, world):
    """An officer decides in every draft: no statement per document to ask who may."""
    own = world["partnerships"]["own"]
    _add_documents(app, own, 5)
    with app.test_request_context():
        user = db.session.get(User, world["users"]["officer"])
        with counting_queries(app) as statements:
            assert listings.task_count(user) == 0
        assert len(statements) == 1
