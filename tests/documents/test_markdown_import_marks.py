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
