"""A document's public address: a slug of its title, unique in its partnership, never one of
the names the register itself uses, and never changed once given."""
import pytest

from workspace.documents.service import create_document
from workspace.extensions import db
from workspace.partnerships.models import Partnership
from workspace.publishing.addresses import give_address


@pytest.mark.parametrize(("title", "expected"), [
    ("Statement of Common Ground", "statement-of-common-ground"),
    ("Data", "data-2"), ("Accessibility", "accessibility-2"), ("Feed", "feed-2"),
    ("!!!", "document")])
def test_the_address_is_a_slug_of_the_title_clear_of_the_registers_own(app, world, title,
                                                                       expected):
    with app.app_context():
        own = db.session.get(Partnership, world["partnerships"]["own"])
        assert give_address(create_document(own, title, "scg")) == expected


def test_addresses_are_unique_in_a_partnership_and_kept(app, world):
    with app.app_context():
        own = db.session.get(Partnership, world["partnerships"]["own"])
        first = create_document(own, "Memorandum", "mou")
        second = create_document(own, "Memorandum", "mou")
        assert (give_address(first), give_address(second)) == ("memorandum", "memorandum-2")
        first.title = "Memorandum of Understanding"
        assert give_address(first) == "memorandum"
