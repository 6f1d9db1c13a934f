"""CSV files the workspace hands out never carry a cell a spreadsheet would run as a formula:
such text goes behind an apostrophe (the JSON keeps it as written)."""
import csv
import io

from workspace.export.evidence_files import csv_text
from workspace.publishing.opendata import FIELD_NAMES, as_csv

HOSTILE = ['=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(A1)"]


def test_the_open_data_csv_puts_formulas_behind_an_apostrophe():
    rows = [dict.fromkeys(FIELD_NAMES, "") | {"reason": text} for text in HOSTILE]
    read = list(csv.DictReader(io.StringIO(as_csv(rows))))
    assert [r["reason"] for r in read] == ["'" + text for text in HOSTILE]


def test_the_evidence_pack_csv_puts_formulas_behind_an_apostrophe():
    table = [{"matter_reference": text, "matter_title": "plain"} for text in HOSTILE]
    text = csv_text("matters.csv", table)
    read = list(csv.DictReader(io.StringIO(text)))
    assert [r["matter_reference"] for r in read] == ["'" + t for t in HOSTILE]
