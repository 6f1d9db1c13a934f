"""The stakeholder register as CSV: export (labels, not codes, safe to open in a spreadsheet)
and import (every row checked first; new names added, known names updated; all or nothing)."""
import csv
import io
from dataclasses import dataclass, field

from .. import audit
from ..clock import utcnow
from ..extensions import db
from ..security import CONTROL_CHARACTERS
from .models import Stakeholder
from .objectives import objectives
from .stakeholders import (
    CHOICES,
    StakeholderValues,
    apply_values,
    stakeholders,
    validate_stakeholder,
)

#: Largest CSV accepted for import.
MAX_CSV_BYTES = 2 * 1024 * 1024
#: CSV columns, in order: the header an import must carry.
CSV_COLUMNS = ("name", "category", "contact", "lead_partner", "lead_person",
               "relationship_now", "relationship_target", "influence", "quality", "priority",
               "actions", "objectives")


#: Characters that make a spreadsheet treat a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class CsvRefused(Exception):
    """A CSV import refused as a whole: message and HTTP status (413 or 422)."""

    def __init__(self, message, status=422, problems=()):
        super().__init__(message)
        self.message = message
        self.status = status
        self.problems = list(problems)


def neutralise(value):
    """A cell a spreadsheet will not run as a formula: prefix risky starts with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _unneutralise(value):
    if len(value) > 1 and value[0] == "'" and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def export_csv(partnership):
    """The register as CSV text (labels, not codes), safe to open in a spreadsheet."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in stakeholders(partnership):
        values = {name: getattr(row, name) for name in CSV_COLUMNS}
        for name, options in CHOICES.items():
            values[name] = options[values[name]]
        values["objectives"] = row.objective_names
        writer.writerow([neutralise(values[name]) for name in CSV_COLUMNS])
    return out.getvalue()


@dataclass
class ImportResult:
    added: int = 0
    updated: int = 0
    problems: list = field(default_factory=list)


def read_csv(raw):
    """Rows of an uploaded CSV as dicts, after checking size, encoding and header."""
    if len(raw) > MAX_CSV_BYTES:
        raise CsvRefused("The file is larger than 2 MB. Split it into smaller files.", 413)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CsvRefused("The file is not UTF-8 text. Save it as \u201cCSV UTF-8\u201d "
                           "and try again.") from None
    # As for every form (workspace.security): no control characters; PostgreSQL refuses NUL.
    text = CONTROL_CHARACTERS.sub("", text)
    if not text.strip():
        raise CsvRefused("The file is empty.")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
        rows = list(reader)
    except csv.Error as exc:
        raise CsvRefused(f"The file could not be read as CSV: {exc}.") from None
    if tuple(header) != CSV_COLUMNS:
        raise CsvRefused("The first row must be exactly these column names: "
                           f"{','.join(CSV_COLUMNS)}.")
    return rows


def import_csv(partnership, raw, user):
    """Validate every row, then add new stakeholders and update those of the same name.

    Nothing is saved when any row is bad: CsvRefused lists every problem by row and column.
    """
    rows = read_csv(raw)
    live_objectives = objectives(partnership)
    cleaned, problems = [], []
    for number, cells in enumerate(rows, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(CSV_COLUMNS):
            problems.append((number, "",
                             f"has {len(cells)} columns; expected {len(CSV_COLUMNS)}."))
            continue
        values = StakeholderValues.from_row(
            {name: _unneutralise(value) for name, value in zip(CSV_COLUMNS, cells)})
        clean, errors = validate_stakeholder(values, live_objectives)
        problems += [(number, name, message) for name, message in errors.items()]
        cleaned.append(clean)
    if problems:
        raise CsvRefused(f"Nothing was imported: {len(problems)} "
                           f"problem{'s' if len(problems) != 1 else ''} found.",
                           problems=problems)
    existing = {s.name.lower(): s for s in stakeholders(partnership)}
    result = ImportResult()
    added, changed = [], {}
    for clean in cleaned:
        row = existing.get(clean["name"].lower())
        if row is None:
            row = Stakeholder(partnership_id=partnership.id, **clean)
            db.session.add(row)
            existing[clean["name"].lower()] = row
            added.append(row.name)
            result.added += 1
            continue
        changes = apply_values(row, clean)
        if not changes or row.id is None:    # the same values again, or added by this file
            continue
        row.updated_at = utcnow()
        if row.name not in changed:
            result.updated += 1
        # A name given twice in the file: keep the first "before" and the last "after".
        for name, (old, new) in changes.items():
            before = changed.setdefault(row.name, {}).get(name, [old])[0]
            changed[row.name][name] = [before, new]
    db.session.flush()
    audit.record("stakeholder.imported", None, actor=user, partnership=partnership,
                 added=result.added, updated=result.updated, added_names=added,
                 changes=changed)
    return result
