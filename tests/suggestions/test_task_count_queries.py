"""The header's suggestion count costs a fixed number of statements however many documents
and partnerships have suggestions waiting (issue 20): the partnership admin grant comes with
the count, and the documents that decide who may accept are loaded together."""
import pytest

from tests.support import counting_queries
from workspace.accounts.models import User
from workspace.documents import service
from workspace.documents.models import Document
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.suggestions import listings
from workspace.suggestions.models import Suggestion


def _waiting_in_another_document(scg, world, status):
    """A second document in `own`, in `status`, with an open suggestion by Dacorum."""
    with scg.app.app_context():
        document = service.create_document(
            db.session.get(Partnership, world["partnerships"]["own"]), "Another", "scg")
        section = service.append_section(document, "Housing", "Some text.\n")
        document.status = status
        db.session.add(Suggestion(document_id=document.id, section_id=section.id,
                                  base_number=1, body="Other text.\n",
                                  author_id=scg.users["dacorum_officer"],
                                  organisation_id=world["orgs"]["dacorum"]))
        db.session.commit()


@pytest.mark.parametrize("who, expected", [("padmin", 2), ("officer", 0), ("member", 0)])
def test_the_count_is_two_statements_whatever_the_documents(scg, world, who, expected):
    scg.suggest(scg.client("dacorum_officer"), "green", "Changed text.\n")
    scg.set_status("out_for_agreement")              # deciding needs the admin grant
    _waiting_in_another_document(scg, world, "out_for_agreement")
    with scg.app.test_request_context():
        user = db.session.get(User, scg.users[who])
        with counting_queries(scg.app) as statements:
            assert listings.task_count(user) == expected
        # The count with each grant, then the two documents together.
        assert len(statements) == 2, statements
        assert expected == len(listings.to_decide(user))


def test_a_grant_the_count_found_is_the_one_permissions_answer(scg, world):
    """The grant the count reads is is_partnership_admin's: held by padmin, not by officer."""
    from workspace.permissions import is_partnership_admin
    scg.suggest(scg.client("dacorum_officer"), "green", "Changed text.\n")
    own = world["partnerships"]["own"]
    for who, held in (("padmin", True), ("officer", False)):
        with scg.app.test_request_context():
            user = db.session.get(User, scg.users[who])
            listings.task_count(user)
            with counting_queries(scg.app) as statements:
                assert is_partnership_admin(user, own) is held
            assert statements == []
        with scg.app.test_request_context():
            assert is_partnership_admin(db.session.get(User, scg.users[who]), own) is held
    with scg.app.app_context():
        assert db.session.get(Document, scg.id).status == "draft"
