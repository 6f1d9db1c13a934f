"""Markdown as councils' documents write it (the seeds in ../shared/seeds/ do): headings in
bold, footnotes and ordinals as HTML <sup>. Found importing a seed: titles kept their
asterisks ("**DACORUM (DBC)**") and typed numbers, and "(NPPF)<sup>1</sup>" showed as text
with its note as a stray paragraph. tests/data/seed_001_next_steps_opening.md is the first 80
lines of ../shared/seeds/001_9252f2b10dbd113a.txt, copied verbatim (no personal names)."""
from pathlib import Path

import pytest

from workspace.documents.markdown import render_markdown
from workspace.documents.markdown_import import parse_markdown

SEED = Path(__file__).resolve().parents[1] / "data" / "seed_001_next_steps_opening.md"


def _parse(text):
    return parse_markdown(text.encode("utf-8"))


@pytest.mark.parametrize("heading, title", [
    ("## **2 Taking forward a Joint Spatial Plan**", "Taking forward a Joint Spatial Plan"),
    ("### ***Joint 'strategic' plans***", "Joint 'strategic' plans"),
    ("#### **DACORUM (DBC)**", "DACORUM (DBC)"),
    ("## Plans for `2026` and [the map](https://example.org)", "Plans for 2026 and the map"),
    ("## Escaped \\*stars\\* stay", "Escaped *stars* stay"),
    ("Setext **title**\nover two lines\n===", "Setext title over two lines"),
    ("## Sites <A1> and <A2> options", "Sites <A1> and <A2> options"),
    ("## The NPPF<sup>1</sup> <!-- check -->", "The NPPF1"),
])
def test_a_headings_marks_do_not_reach_its_title(heading, title):
    parsed = _parse(f"{heading}\n\nText.\n")
    assert [s.title for s in parsed.sections] == [title]


def test_footnotes_written_as_html_become_footnotes_in_their_section():
    parsed = _parse("# Context\n\nThe NPPF<sup>1</sup> and the plan<sup>2</sup> agree.\n\n"
                    "<sup>1</sup> National Planning Policy Framework.\n\n"
                    "<sup>2</sup> The adopted Local Plan.\n")
    body = parsed.sections[0].body
    assert body == ("The NPPF[^1] and the plan[^2] agree.\n\n"
                    "[^1]: National Planning Policy Framework.\n\n"
                    "[^2]: The adopted Local Plan.\n")
    html = render_markdown(body)
    assert 'class="footnote-ref"' in html and "National Planning Policy Framework" in html
    assert "&lt;sup" not in html
    assert "2 footnotes written as HTML (<sup>) were made Markdown footnotes." in parsed.notes


def test_a_note_whose_mark_is_in_another_section_stays_readable_text():
    """A footnote's text without its mark in the section would not be shown at all: across
    sections both become superscripts, and nothing is lost."""
    parsed = _parse("# One\n\nThe NPPF<sup>1</sup> says so.\n\n# Two\n\n"
                    "<sup>1</sup> A revised NPPF is due.\n")
    one, two = (s.body for s in parsed.sections)
    assert one == "The NPPF^1^ says so.\n" and two == "^1^ A revised NPPF is due.\n"
    assert "A revised NPPF is due." in render_markdown(two)
    assert "<sup>1</sup>" in render_markdown(one)
    assert ("2 superscripts or subscripts written as HTML (<sup>, <sub>) became ^ and ~ "
            "marks.") in parsed.notes


def test_ordinals_and_subscripts_become_the_editors_marks():
    parsed = _parse("# Dates\n\nOn 21<sup>st</sup> February, CO<sub>2</sub> and "
                    "<sup>a b</sup>.\n")
    body = parsed.sections[0].body
    assert body == "On 21^st^ February, CO~2~ and ^a\\ b^.\n"
    html = render_markdown(body)
    assert "21<sup>st</sup>" in html and "CO<sub>2</sub>" in html and "<sup>a b</sup>" in html


def test_the_seed_imports_with_clean_titles_and_its_footnotes():
    parsed = parse_markdown(SEED.read_bytes())
    titles = [s.title for s in parsed.sections]
    assert not [t for t in titles if "*" in t or "<" in t]
    assert "Joint 'strategic' plans" in titles and "Taking forward a Joint Spatial Plan in " \
        "South West Hertfordshire" in titles
    bodies = "\n".join(s.body for s in parsed.sections)
    assert "<sup>" not in bodies and "[^2]: The West of England Authorities" in bodies


@pytest.mark.parametrize("text, shown", [
    # Two notes and no mark: a footnote would have no reference and not be shown.
    ("Intro.\n\n<sup>1</sup> First note.\n\n<sup>1</sup> Second note.\n",
     "Intro.\n\n^1^ First note.\n\n^1^ Second note.\n"),
    # The label used twice (numbering restarted): the second note would replace the first.
    (("X<sup>1</sup> text.\n\n<sup>1</sup> Note one.\n\nY<sup>1</sup>.\n\n"
      "<sup>1</sup> Other note one.\n"),
     "X^1^ text.\n\n^1^ Note one.\n\nY^1^.\n\n^1^ Other note one.\n"),
    # Marks and notes differ in case: not the same label.
    ("Annex<sup>A</sup> says.\n\n<sup>a</sup> Secret note a.\n",
     "Annex^A^ says.\n\n^a^ Secret note a.\n"),
    # In a link's text a footnote mark would break the link.
    ("See [NPPF<sup>1</sup>](https://example.org/nppf).\n\n<sup>1</sup> The framework.\n",
     "See [NPPF^1^](https://example.org/nppf).\n\n^1^ The framework.\n"),
    # Code stays as written.
    ("```\n<sup>1</sup> literal code\nx<sup>1</sup>\n```\n\nUse `a<sub>b</sub>` here.\n",
     "```\n<sup>1</sup> literal code\nx<sup>1</sup>\n```\n\nUse `a<sub>b</sub>` here.\n"),
], ids=["notes-without-mark", "label-twice", "case-differs", "in-link", "in-code"])
def test_no_note_is_hidden_and_code_and_links_are_kept(text, shown):
    """Found by a review: each of these lost or hid text, or changed code or a link."""
    body = _parse("# Notes\n\n" + text).sections[0].body
    assert body == shown
    html = render_markdown(body)
    for words in ("First note", "Second note", "Note one", "Other note one",
                  "Secret note a", "The framework", "literal code"):
        if words in text:
            assert words in html


def test_a_file_of_many_notes_makes_each_a_footnote():
    """20,000 notes with their marks (and code spans between them). A review found the first
    version searched the whole text once per label: minutes for a 2 MB file; the labels are
    now counted in one pass (no time is asserted here: a test never measures time)."""
    line = "<sup>{0:06d}</sup> note `c{0}` x<sup>{0:06d}</sup>.\n\n"
    text = "".join(line.format(i) for i in range(20_000))
    body = _parse("# Notes\n\n" + text).sections[0].body
    assert body.count("[^") == 40_000 and "<sup>" not in body
