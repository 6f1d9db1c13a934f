"""A frozen version's tables scroll in named, focusable regions when shown (the public
register has no script to add them), the wide ones at a readable width:
documents/regions.py."""
import re

from workspace.documents.regions import table_regions


def _table(columns, caption=None, cls=""):
    heads = "".join(f"<th>Head {i} &amp; more</th>" for i in range(columns))
    cells = "".join(f"<td>cell {i}</td>" for i in range(columns))
    caption = f"<caption{caption}>Stakeholder register</caption>" if caption is not None else ""
    return (f'<table{cls}>{caption}<thead><tr>{heads}</tr></thead>'
            f"<tbody><tr>{cells}</tr></tbody></table>")


def test_a_narrow_table_takes_the_width_in_its_region():
    shown = table_regions("<p>Text</p>" + _table(4), "2")
    assert shown == ('<p>Text</p><div class="cg-table-scroll" role="region" tabindex="0" '
                     'aria-label="Table 2.1: Head 0 &amp; more, Head 1 &amp; more, Head 2 '
                     '&amp; more, Head 3 &amp; more">' + _table(4) + "</div>")


def test_a_wide_table_without_a_caption_is_named_after_its_first_row():
    shown = table_regions("<p>Text</p>" + _table(5), "2")
    region = re.search(r'<div class="cg-table-scroll cg-table-scroll--wide" role="region" '
                       r'tabindex="0" aria-label="([^"]+)"><table>', shown)
    assert region, shown
    # The first row's text, cut at 60 characters, escaped as an attribute.
    assert region.group(1) == ("Table 2.1: Head 0 &amp; more, Head 1 &amp; more, "
                               "Head 2 &amp; more, Head 3 &amp; mor...")
    assert shown.endswith("</table></div>") and shown.startswith("<p>Text</p>")


def test_a_wide_table_with_a_caption_is_labelled_by_it_and_ids_stay_distinct():
    html = _table(6, caption=' class="govuk-table__caption"') + _table(7, caption="")
    shown = table_regions(html, "6.1")
    labels = re.findall(r'role="region" tabindex="0" aria-labelledby="([^"]+)"', shown)
    assert labels == ["cg-table-6-1-1", "cg-table-6-1-2"]
    for label in labels:
        assert f'<caption id="{label}"' in shown
    # A caption with its own id keeps it.
    kept = table_regions(_table(5, caption=' id="register-caption"'), "3")
    assert 'aria-labelledby="register-caption"' in kept and kept.count(' id="') == 1


def test_stacked_and_already_wrapped_tables_are_left_alone():
    stacked = _table(6, cls=' class="govuk-table cg-stack-table"')
    wrapped = f'<div class="cg-table-scroll" role="region" tabindex="0">{_table(6)}</div>'
    assert table_regions(stacked + wrapped, "1") == stacked + wrapped


def test_html_without_tables_is_returned_as_it_is():
    assert table_regions("<p>No tables</p>", "1") == "<p>No tables</p>"
    assert table_regions("", "1") == ""


def test_words_in_the_text_do_not_stop_a_table_being_wrapped():
    """Found by a review: the class names as words before a table or in its cells."""
    html = ("<p>The class cg-table-scroll is explained below.</p>"
            + _table(5).replace("Head 0", "cg-stack-table"))
    shown = table_regions(html, "4")
    assert shown.count('role="region"') == 1
