"""Presence in the editor (issue 20): two people editing one section each see "Also editing:"
with the other's name, and see the other go when their tab closes: at once by the closing
page's beacon, or (a beacon lost) when the presence expires."""
import pytest

from .support import DACORUM, WATFORD, WATFORD_NAME, expect, open_document, section

# The demo Statement is out for agreement: officers editing here hold the partnership admin
# grant (conftest.officers_edit).
pytestmark = pytest.mark.usefixtures("officers_edit")

DACORUM_NAME = "Dacorum Officer (Dacorum Borough Council)"
TITLE = "Part 5: Monitoring and review"


@pytest.fixture
def quick_heartbeat(app, monkeypatch):
    """Editors renew presence every second, so the test sees news within a second or two."""
    monkeypatch.setitem(app.config, "PRESENCE_HEARTBEAT_SECONDS", 1)


def _edit(open_page, email):
    page = open_document(open_page(email).page)
    part5 = section(page, TITLE)
    part5.get_by_role("link", name="Edit").click()
    expect(part5.get_by_label("Section text")).to_be_focused()
    return page, part5


def _both_editing(open_page):
    dacorum, dacorum_editor = _edit(open_page, DACORUM)
    watford, watford_editor = _edit(open_page, WATFORD)
    # Watford's editor knew at once; Dacorum's learns it from its next heartbeat.
    expect(watford_editor.get_by_role("status")).to_have_text(f"Also editing: {DACORUM_NAME}")
    expect(dacorum_editor.get_by_role("status")).to_have_text(f"Also editing: {WATFORD_NAME}")
    return dacorum, dacorum_editor, watford


@pytest.mark.usefixtures("quick_heartbeat")
def test_two_editors_see_each_other_and_the_beacon_of_a_closed_tab(app, demo, open_page,
                                                                  monkeypatch):
    # Presence would outlast the test: only the closing page's beacon can end it.
    monkeypatch.setitem(app.config, "PRESENCE_TIMEOUT_SECONDS", 3600)
    _, dacorum_editor, watford = _both_editing(open_page)

    watford.close()

    expect(dacorum_editor.get_by_role("status")).to_have_text("")
    expect(dacorum_editor.get_by_text("Also editing")).to_have_count(0)


@pytest.mark.usefixtures("quick_heartbeat")
def test_a_closed_tab_whose_beacon_is_lost_leaves_when_its_presence_expires(
        app, demo, open_page, monkeypatch):
    monkeypatch.setitem(app.config, "PRESENCE_TIMEOUT_SECONDS", 3)
    _, dacorum_editor, watford = _both_editing(open_page)
    watford.context.set_offline(True)       # the beacon never reaches the server

    watford.close()

    expect(dacorum_editor.get_by_role("status")).to_have_text("")
