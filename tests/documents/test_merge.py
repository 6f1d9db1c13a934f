"""The three-way paragraph merge and the word diff, bounded on repetitive text."""
import time

from tests.test_permissions import make_document
from workspace.documents.merge import MAX_PAIRS, merge3, normalise, paragraphs, word_diff

BASE = "Alpha one.\n\nBravo two.\n\nCharlie three.\n"


def test_changes_to_different_paragraphs_merge_cleanly():
    result = merge3(BASE, "Alpha ONE.\n\nBravo two.\n\nCharlie three.\n",
                    "Alpha one.\n\nBravo two.\n\nCharlie THREE.\n")
    assert result.clean
    assert result.text == "Alpha ONE.\n\nBravo two.\n\nCharlie THREE.\n"


def test_different_changes_to_the_same_paragraph_conflict():
    result = merge3(BASE, "Alpha mine.\n\nBravo two.\n\nCharlie three.\n",
                    "Alpha theirs.\n\nBravo two.\n\nCharlie three.\n")
    assert not result.clean
    assert result.conflicts == 1


def test_identical_changes_on_both_sides_are_not_a_conflict():
    same = "Alpha same.\n\nBravo two.\n\nCharlie three.\n"
    result = merge3(BASE, same, same)
    assert result.clean and result.text == same


def test_insertions_at_either_end_merge():
    result = merge3(BASE, "Zero.\n\n" + BASE, BASE + "\nDelta four.\n")
    assert result.clean
    assert paragraphs(result.text) == ["Zero.", "Alpha one.", "Bravo two.", "Charlie three.",
                                       "Delta four."]


def test_two_insertions_at_the_same_place_conflict():
    result = merge3(BASE, BASE + "\nMine.\n", BASE + "\nTheirs.\n")
    assert not result.clean


def test_deleting_a_paragraph_the_other_side_edited_conflicts():
    result = merge3(BASE, "Alpha one.\n\nCharlie three.\n",
                    "Alpha one.\n\nBravo edited.\n\nCharlie three.\n")
    assert not result.clean


def test_a_table_is_one_paragraph():
    table = "| a | b |\n|---|---|\n| 1 | 2 |"
    assert paragraphs(f"Intro.\n\n{table}\n\nOutro.") == ["Intro.", table, "Outro."]


def test_windows_line_endings_are_normalised():
    assert normalise("One\r\n\r\nTwo\r\n") == "One\n\nTwo\n"
    assert merge3(BASE, BASE.replace("\n", "\r\n"), BASE).text == BASE


def test_word_diff_marks_changes_in_text_not_only_colour():
    html = str(word_diff("the cat sat", "the dog sat"))
    assert "<del>" in html and "<ins>" in html
    assert "[deleted: </span>cat" in html and "[inserted: </span>dog" in html


def test_word_diff_escapes_markup():
    html = str(word_diff("safe", "<script>alert(1)</script>"))
    assert "<script>" not in html and "&lt;script&gt;" in html


# Diffs and merges of repetitive text ---------------------------------------------------------
# A word or paragraph repeated many times made the history diff, the conflict view and the
# three-way merge of a save quadratic: one request held a worker (and, for a save on SQLite,
# the write lock) for minutes. Each diff now has a budget of comparisons and answers more
# coarsely past it.


#: Far above what the bounded diff needs (well under a second) and far below what the
#: unbounded one took on these inputs (tens of seconds to many minutes).
QUICK = 8.0


def timed(function, *args, **kwargs):
    """The result and the CPU seconds this process spent on it: the diff's own work, which
    other programs on a busy machine do not inflate as they do the time on the clock."""
    start = time.process_time()
    result = function(*args, **kwargs)
    return result, time.process_time() - start


def test_word_diff_of_repetitive_text_is_bounded_and_still_marks_the_change():
    old = "<script>alert('long')</script> " * 6000
    new = "A new first sentence. " + old.replace("long", "short", 1)
    html, seconds = timed(word_diff, old, new)
    assert seconds < QUICK
    assert "[inserted: </span>" in html and "short" in html
    assert "<script>" not in str(html)


def test_word_diff_of_small_texts_is_unchanged_by_the_budget():
    html = str(word_diff("the cat sat on the mat", "the dog sat on the mat"))
    assert "[deleted: </span>cat" in html and "[inserted: </span>dog" in html
    assert html.count("<del>") == html.count("<ins>") == 1
    assert MAX_PAIRS >= 100_000


def test_merge_of_repetitive_paragraphs_is_bounded_and_loses_nothing():
    base = "\n\n".join(["Same paragraph."] * 20000)
    mine = "My new opening.\n\n" + base
    theirs = base + "\n\nTheir new ending."
    result, seconds = timed(merge3, base, mine, theirs)
    assert seconds < QUICK
    assert result.clean
    assert result.text.startswith("My new opening.") and \
        result.text.rstrip().endswith("Their new ending.")


def test_saving_over_repetitive_text_from_an_old_version_answers_quickly(app, client, world,
                                                                         login):
    """The stale-base save runs the three-way merge inside the write: bounded, it answers."""
    document_id, section_id = make_document(app, world["partnerships"]["own"])
    login(client, world["users"]["officer"])
    url = f"/p/own/d/{document_id}/s/{section_id}"
    text = "\n\n".join(["x"] * 20000)
    assert client.post(url, data={"body": text, "base_version": "1"}).status_code == 303
    assert client.post(url, data={"body": text + "\n\nEnd.", "base_version": "2"}
                       ).status_code == 303
    response, seconds = timed(client.post, url, data={"body": "Start.\n\n" + text,
                                                      "base_version": "2"})
    assert seconds < QUICK
    assert response.status_code in (303, 409)
    response, seconds = timed(client.get, url + "/diff", query_string={"from": 1, "to": 4})
    assert seconds < QUICK and response.status_code == 200
