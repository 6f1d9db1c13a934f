"""The editor's Table button (issue 20): a modal dialog with a grid of labelled inputs that
writes a Markdown pipe table at the caret, and opens with an existing table's cells when the
caret is inside one, all by keyboard, focus back in the text afterwards, axe clean."""
import pytest

from .support import WATFORD, expect, open_document, section
from .test_accessibility import assert_accessible

# The demo Statement is out for agreement: officers editing here hold the partnership admin
# grant (conftest.officers_edit).
pytestmark = pytest.mark.usefixtures("officers_edit")


def _open_editor(open_page, text):
    page = open_document(open_page(WATFORD).page)
    part5 = section(page, "Part 5: Monitoring and review")
    part5.get_by_role("link", name="Edit").click()
    editor = part5.get_by_label("Section text")
    expect(editor).to_be_focused()
    editor.fill(text)
    return page, part5, editor


def test_a_3_by_2_table_built_by_keyboard_is_written_at_the_caret(demo, open_page):
    page, part5, editor = _open_editor(open_page, "Before.\nAfter.")
    editor.evaluate("t => t.setSelectionRange(7, 7)")              # after "Before."

    part5.get_by_role("button", name="Table").focus()
    page.keyboard.press("Enter")
    dialog = page.get_by_role("dialog", name="Insert a table")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Rows")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("3")
    page.keyboard.press("Tab")
    expect(dialog.get_by_label("Columns")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    header = dialog.get_by_role("checkbox", name="The first row is a header row")
    expect(header).to_be_focused()
    expect(header).to_be_checked()
    page.keyboard.press("Enter")            # submits: the grid of cells

    expect(dialog.get_by_role("heading", name="Insert a table")).to_be_visible()
    expect(dialog.get_by_label("Row 1 (header), column 1")).to_be_focused()
    for text in ["Matter", "Lead", "Housing", "Watford", "Green | Belt", "Dacorum"]:
        page.keyboard.type(text)
        page.keyboard.press("Tab")
    expect(dialog.get_by_label("Row 3, column 2")).to_have_value("Dacorum")
    dialog.get_by_label("Row 3, column 1").focus()
    page.keyboard.press("Enter")            # writes the table

    expect(dialog).to_be_hidden()
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Before.\n\n| Matter | Lead |\n|---|---|\n"
                                 "| Housing | Watford |\n| Green \\| Belt | Dacorum |\n\nAfter.")


def test_the_caret_in_a_table_opens_its_cells_and_the_edit_rewrites_it(demo, open_page):
    table = "| Matter | Lead |\n|---|:---:|\n| Housing | Watford |\n| Green \\| Belt | Dacorum |"
    page, part5, editor = _open_editor(open_page, f"Intro.\n\n{table}\n\nEnd.")
    editor.evaluate("t => t.setSelectionRange(t.value.indexOf('Dacorum') + 2, "
                    "t.value.indexOf('Dacorum') + 2)")

    part5.get_by_role("button", name="Table").click()
    dialog = page.get_by_role("dialog", name="Edit the table")
    expect(dialog.get_by_label("Row 3, column 2")).to_be_focused()         # where the caret was
    expect(dialog.get_by_label("Row 3, column 1")).to_have_value("Green | Belt")
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Control+a")
    page.keyboard.type("Green Belt | review")
    dialog.get_by_role("button", name="Add a row").click()
    expect(dialog.get_by_label("Row 4, column 1")).to_be_focused()
    page.keyboard.type("Transport")
    page.keyboard.press("Enter")

    expect(editor).to_be_focused()
    expect(editor).to_have_value(
        "Intro.\n\n| Matter | Lead |\n|---|:---:|\n| Housing | Watford |\n"
        "| Green Belt \\| review | Dacorum |\n| Transport |  |\n\nEnd.")


def test_escape_closes_the_dialog_without_changing_the_text(demo, open_page):
    page, part5, editor = _open_editor(open_page, "Unchanged.")
    editor.evaluate("t => t.setSelectionRange(3, 3)")
    part5.get_by_role("button", name="Table").click()
    dialog = page.get_by_role("dialog", name="Insert a table")
    page.keyboard.press("Enter")
    expect(dialog.get_by_label("Row 1 (header), column 1")).to_be_focused()
    page.keyboard.type("Nothing")
    page.keyboard.press("Escape")

    expect(dialog).to_be_hidden()
    expect(editor).to_be_focused()
    expect(editor).to_have_value("Unchanged.")
    assert editor.evaluate("t => [t.selectionStart, t.selectionEnd]") == [3, 3]


def test_the_table_dialog_is_accessible(demo, open_page):
    page, part5, editor = _open_editor(open_page, "| A | B |\n|---|---|\n| 1 | 2 |")
    editor.evaluate("t => t.setSelectionRange(0, 0)")
    part5.get_by_role("button", name="Table").click()
    expect(page.get_by_role("dialog", name="Edit the table")).to_be_visible()
    assert_accessible(page, "the table dialog, editing cells")
    page.keyboard.press("Escape")
    editor.fill("")
    part5.get_by_role("button", name="Table").click()
    expect(page.get_by_role("dialog", name="Insert a table")).to_be_visible()
    assert_accessible(page, "the table dialog, choosing its size")


def test_the_grid_of_a_wide_table_scrolls_inside_the_dialog_on_a_narrow_screen(demo, open_page):
    page, part5, _ = _open_editor(open_page, "")
    page.set_viewport_size({"width": 320, "height": 640})
    part5.get_by_role("button", name="Table").click()
    dialog = page.get_by_role("dialog", name="Insert a table")
    dialog.get_by_label("Columns").fill("6")
    page.keyboard.press("Enter")
    expect(dialog.get_by_label("Row 1 (header), column 6")).to_be_attached()
    box = dialog.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 320, box
    grid = dialog.locator(".cg-table-editor__grid")
    assert grid.evaluate("g => g.scrollWidth > g.clientWidth")      # scrolls inside
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
