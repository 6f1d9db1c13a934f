"""The section history lists the decided suggestions: accepted, rejected and withdrawn, with
who decided, when and why; open ones stay under the section, not in the history."""
from .conftest import GREEN_BELT

CHANGED = GREEN_BELT.replace("is kept", "is kept and reviewed every five years")


def test_the_history_lists_accepted_rejected_and_withdrawn_suggestions(scg):
    dacorum = scg.client("dacorum_officer")
    officer = scg.client("officer")
    scg.suggest(dacorum, "green", CHANGED.replace("five", "ten"), reason="Ten is enough.")
    assert officer.post(scg.url(scg.last().id, "reject"),
                        data={"reason": "The plan says five."}).status_code == 303
    scg.suggest(dacorum, "green", CHANGED.replace("five", "three"))
    assert dacorum.post(scg.url(scg.last().id, "withdraw")).status_code == 303
    scg.suggest(dacorum, "green", CHANGED, reason="Matches the Local Plan.")
    assert officer.post(scg.url(scg.last().id, "accept")).status_code == 303
    scg.suggest(dacorum, "green", CHANGED + "\nStill open.\n")
    page = scg.client("viewer").get(scg.section_url("green") + "/history")
    assert page.status_code == 200
    text = page.text
    assert "Suggestions decided" in text and "3 suggestions accepted, rejected or withdrawn" \
        in text
    table = text[text.index("cg-decided-suggestions"):]
    rows = table.split('<tr class="govuk-table__row">')[2:]
    assert [("Accepted" in r, "Withdrawn" in r, "Rejected" in r) for r in rows] == [
        (True, False, False), (False, True, False), (False, False, True)]
    assert "Suggested because: Matches the Local Plan." in rows[0]
    assert "Test Officer" in rows[0]
    assert "(its author)" in rows[1] and "Dacorum Officer" in rows[1]
    assert "Rejected because: The plan says five." in rows[2]
    assert "Suggested because: Ten is enough." in rows[2]
    assert "Still open" not in table
    assert '<strong class="govuk-tag govuk-tag--turquoise">Suggestion</strong>' in text


def test_a_history_without_decided_suggestions_has_no_such_table(scg):
    scg.suggest(scg.client("dacorum_officer"), "green", CHANGED)
    page = scg.client("viewer").get(scg.section_url("green") + "/history").text
    assert "Suggestions decided" not in page
