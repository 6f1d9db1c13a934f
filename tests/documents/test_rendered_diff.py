"""Tracked changes over the rendered text: history's comparison, "what changed since" and the
conflict view show the text as it reads, with insertions and deletions marked."""
import re
import time

import pytest

from workspace.documents import service
from workspace.documents.markdown import clean_diff
from workspace.documents.rendered_diff import conflict_view, rendered_diff
from workspace.extensions import db
from workspace.partnerships.models import Partnership

HX = {"HX-Request": "true"}
TABLE = ("Intro *para* one.\n\n| Council | Homes |\n|---|---:|\n| Dacorum | 100 |\n"
         "| Watford | 200 |\n\nClosing words.\n")
INS = '<ins><span class="govuk-visually-hidden">[inserted: </span>'
DEL = '<del><span class="govuk-visually-hidden">[deleted: </span>'
#: Far above what the bounded diff needs (under a second here) on these inputs.
QUICK = 8.0


def cpu(function, *args):
    start = time.process_time()
    result = function(*args)
    return result, time.process_time() - start


def test_a_table_cell_change_is_marked_inside_its_cell():
    html = str(rendered_diff(TABLE, TABLE.replace("| 100 |", "| 150 |")))
    cell = re.search(r'<td class="align-right">(.*?)</td>', html, re.S).group(1)
    assert cell == (f'{DEL}100<span class="govuk-visually-hidden">]</span></del>'
                    f'{INS}150<span class="govuk-visually-hidden">]</span></ins>')
    assert "<td>Watford</td>" in html and "200</td>" in html       # unchanged row as it was
    assert html.count("<table>") == 1 and html.count("<ins>") == html.count("<del>") == 1


def test_an_added_row_is_inserted_in_the_table_and_a_removed_one_deleted_there():
    new = TABLE.replace("| Watford | 200 |\n", "| Watford | 200 |\n| Three Rivers | 50 |\n")
    html = str(rendered_diff(TABLE, new))
    added = html[html.index("Three Rivers") - 200:html.index("</table>")]
    assert f"<td>{INS}Three Rivers" in added and f"{INS}50" in added
    html = str(rendered_diff(new, TABLE))
    assert f"<td>{DEL}Three Rivers" in html
    assert html.index("Three Rivers") < html.index("</table>")      # deleted where it was


def test_emphasis_renders_and_no_raw_markdown_shows():
    html = str(rendered_diff(TABLE, TABLE.replace("one.", "two.")))
    assert "<em>para</em>" in html
    assert "*" not in html and "|" not in html and "---" not in html
    assert f"{DEL}one" in html and f"{INS}two" in html


def test_formatting_a_word_is_a_change_and_links_keep_their_address():
    html = str(rendered_diff("The plan is agreed.\n", "The plan is **agreed** by [all](https://a.example).\n"))
    assert f"{INS}<strong>agreed</strong>" in html
    assert '<a href="https://a.example" rel="noopener noreferrer nofollow">all</a>' in html


def test_marks_read_without_colour_in_words_and_paragraphs_stay_paragraphs():
    html = str(rendered_diff("One.\n\nTwo.\n", "One.\n\nNew paragraph.\n\nTwo.\n"))
    assert html.count("<p>") == 3
    assert f"<p>{INS}New paragraph." in html
    assert "[inserted: </span>" in html and "<del>" not in html


def test_list_items_are_compared_item_by_item():
    html = str(rendered_diff("- a\n- b\n- c\n", "- a\n- B\n- c\n"))
    assert "<li>a</li>" in html and "<li>c</li>" in html
    assert f"<li>{DEL}b" in html and f"{INS}B" in html


def test_the_result_is_sanitised_and_the_allow_list_is_widened_by_ins_and_span_only():
    html = str(rendered_diff(
        "Hello.\n", "Hello <script>alert(1)</script> [x](javascript:alert(1))\n"))
    assert "<script" not in html and "&lt;script&gt;" in html and "href" not in html
    hostile = ('<ins onclick="x"><span class="evil govuk-visually-hidden" style="x">a</span>'
               '<span class="evil">b</span><div>c</div><img src=x></ins>')
    assert clean_diff(hostile) == "<ins><span>a</span><span>b</span>c</ins>"
    assert clean_diff('<span class="govuk-visually-hidden">k</span>') == \
        '<span class="govuk-visually-hidden">k</span>'


def test_huge_repetitive_texts_cost_bounded_work_and_still_mark_the_change():
    old = "Same paragraph words here.\n\n" * 7000                       # ~190 KB
    new = "New start.\n\n" + old.replace("words", "WORDS", 1)
    html, seconds = cpu(rendered_diff, old, new)
    assert seconds < QUICK
    assert f"{INS}New start" in html
    assert f"{INS}Same paragraph WORDS" in html       # coarser past the budget, still marked
    one_paragraph = "<script>alert('long')</script> " * 6000
    html, seconds = cpu(rendered_diff, one_paragraph,
                        "A new first sentence. " + one_paragraph.replace("long", "short", 1))
    assert seconds < QUICK
    assert f"{INS}A new first sentence" in html and "short" in html and "<script>" not in html


def test_conflict_view_shows_each_side_from_where_both_started():
    view = conflict_view("Alpha one.\n", 1, "Alpha theirs.\n", "Alpha *mine*.\n")
    assert f"{INS}theirs" in view.theirs and f"{DEL}one" in view.theirs
    assert f"{INS}<em>mine</em>" in view.yours
    assert "*mine*" in view.source                                      # the Markdown source
    unknown = conflict_view(None, None, "Alpha theirs.\n", "Alpha mine.\n")
    assert unknown.started_from is None and f"{INS}mine" in unknown.yours


# Pages --------------------------------------------------------------------------------------

@pytest.fixture
def doc(app, world):
    with app.app_context():
        partnership = db.session.get(Partnership, world["partnerships"]["own"])
        document = service.create_document(partnership, "Statement of Common Ground", "scg")
        section = service.append_section(document, "Housing", TABLE)
        db.session.commit()
        return f"/p/own/d/{document.id}/s/{section.id}"


def save(client, url, body, base):
    return client.post(url, data={"body": body, "base_version": str(base)}, headers=HX)


def test_the_difference_page_shows_the_rendered_changes_and_the_source_on_request(
        doc, client, login, world):
    officer = login(client, world["users"]["officer"])
    assert save(officer, doc, TABLE.replace("| 100 |", "| 150 |"), 1).status_code == 200
    page = officer.get(doc + "/diff?from=1&to=2")
    assert page.status_code == 200
    rendered = page.text[page.text.index("cg-rendered-diff"):page.text.index("cg-diff-source")]
    assert f'<td class="align-right">{DEL}100' in rendered and "<em>para</em>" in rendered
    assert "|" not in rendered and "*para*" not in rendered
    assert "Show the Markdown source" in page.text and "underlined" in page.text
    assert "*para*" in page.text[page.text.index("cg-diff-source"):]


def test_the_conflict_view_shows_both_changes_rendered_and_keeps_the_text(
        app, doc, client, login, world):
    other = login(app.test_client(), world["users"]["dacorum_officer"])
    assert save(other, doc, TABLE.replace("Intro *para* one.", "Intro *para* theirs."),
                1).status_code == 200
    officer = login(client, world["users"]["officer"])
    mine = TABLE.replace("Intro *para* one.", "Intro **para** mine.")
    response = save(officer, doc, mine, 1)
    assert response.status_code == 409
    text = response.text
    assert "Their change, since revision 1" in text
    assert "Your change, since revision 1" in text
    assert f"{INS}theirs" in text and f"{INS}<strong>para</strong>" in text
    assert "Show the Markdown source" in text
    assert "Intro **para** mine." in text                              # still in the editor
    assert 'name="base_version" value="2"' in text
