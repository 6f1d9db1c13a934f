"""The three-way paragraph merge and the word diff."""
from workspace.documents.merge import merge3, normalise, paragraphs, word_diff

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
