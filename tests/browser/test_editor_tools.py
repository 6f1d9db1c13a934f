"""The editor's JavaScript: formatting toolbar and paste from Word or the web."""
import re

import pytest

from .support import WATFORD, expect, open_document, section

# The demo Statement is out for agreement: its text is edited directly by partnership admins
# only (issue 17), so the officers editing here hold the grant (conftest.officers_edit).
pytestmark = pytest.mark.usefixtures("officers_edit")

PASTED = ("<table><tr><td>A</td><td>B</td></tr><tr><td>1</td><td>2</td></tr></table>"
          "<h2>T</h2><ul><li>x</li></ul>")


def _open_editor(open_page):
    page = open_document(open_page(WATFORD).page)
    part5 = section(page, "Part 5: Monitoring and review")
    part5.get_by_role("link", name="Edit").click()
    editor = part5.get_by_label("Section text")
    expect(editor).to_be_focused()
    return page, part5, editor


def test_bold_wraps_the_selection(demo, open_page):
    _, part5, editor = _open_editor(open_page)
    editor.fill("alpha beta gamma")
    editor.evaluate("textarea => textarea.setSelectionRange(6, 10)")     # "beta"

    part5.get_by_role("button", name="Bold").click()

    expect(editor).to_have_value("alpha **beta** gamma")
    assert editor.evaluate("t => t.value.slice(t.selectionStart, t.selectionEnd)") == "beta"


def test_html_converts_to_markdown(demo, open_page):
    page, _, _ = _open_editor(open_page)
    markdown = page.evaluate("html => window.commonGround.htmlToMarkdown(html)", PASTED)

    lines = [line.strip() for line in markdown.splitlines()]
    header = lines.index("| A | B |")
    assert re.fullmatch(r"\|( *:?-{3,}:? *\|){2}", lines[header + 1]), markdown
    assert lines[header + 2] == "| 1 | 2 |", markdown
    assert "## T" in lines, markdown
    assert "- x" in lines, markdown


def test_pasting_html_into_the_editor_inserts_markdown(demo, open_page):
    _, _, editor = _open_editor(open_page)
    editor.fill("")
    editor.evaluate("""(textarea, html) => {
        const data = new DataTransfer();
        data.setData("text/html", html);
        data.setData("text/plain", "A B 1 2 T x");
        textarea.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true,
                                                            cancelable: true}));
    }""", PASTED)

    expect(editor).to_have_value(re.compile(r"^\| A \| B \|\n"))
    value = editor.input_value()
    assert "| 1 | 2 |" in value and "## T" in value and "- x" in value, value
    assert "A B 1 2 T x" not in value
