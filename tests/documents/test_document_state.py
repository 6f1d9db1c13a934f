"""`Document` answers every question about its state; this table is the lifecycle's rules."""
import pytest

from workspace.documents.models import STATUSES, Document

#: status: (editable, has a frozen version, can return to draft)
RULES = {
    "draft": (True, False, False),
    "out_for_agreement": (True, False, True),
    "agreed": (False, True, True),
    "signed": (False, True, True),
    "published": (False, True, False),
}


def test_the_table_covers_the_whole_lifecycle_in_order():
    assert list(RULES) == list(STATUSES)


@pytest.mark.parametrize("status", list(RULES))
def test_each_status_answers_its_rules(status):
    document = Document(status=status)
    editable, frozen, returnable = RULES[status]
    assert document.is_editable is editable
    assert document.text_locked is not editable
    assert document.has_frozen_version is frozen
    assert document.can_return_to_draft is returnable
    assert document.status_label == STATUSES[status]
    named = {"draft": document.is_draft, "out_for_agreement": document.is_out_for_agreement,
             "agreed": document.is_agreed, "signed": document.is_signed,
             "published": document.is_published}
    assert [key for key, answer in named.items() if answer] == [status]
