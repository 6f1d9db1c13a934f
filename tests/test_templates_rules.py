"""Templates hold no rule about a document's state: they ask `Document` (`is_editable`,
`is_agreed`, `can_return_to_draft`, ...) and never compare a status string.

Each template is parsed by Jinja and its syntax tree searched, so a comparison is found however
it is written (`==`, `!=`, `in`, `is equalto`, `selectattr(..., "equalto", ...)`). Flagged:
a comparison of a document's `status` (`document.status`, `doc.status`, `d.status`) with
anything, and any comparison with a status only a document has ("draft", "signed", ...).
"agreed" alone is also a stance and a strategic matter's state, so it is flagged only against
a document's status.
"""
from pathlib import Path

from jinja2 import Environment, nodes

from workspace.documents.models import STATUSES

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
#: Names the templates give a document.
DOCUMENT_NAMES = frozenset({"document", "doc", "d"})
#: Statuses no other thing in the product has (see the module docstring for "agreed").
DOCUMENT_ONLY_STATUSES = frozenset(STATUSES) - {"agreed"}
#: Filters and tests that compare.
COMPARING_TESTS = frozenset({"equalto", "eq", "==", "ne", "!=", "sameas", "in"})
COMPARING_FILTERS = frozenset({"selectattr", "rejectattr"})


def _is_document_status(node):
    return (isinstance(node, nodes.Getattr) and node.attr == "status"
            and ((isinstance(node.node, nodes.Name) and node.node.name in DOCUMENT_NAMES)
                 or (isinstance(node.node, nodes.Getattr) and node.node.attr == "document")))


def _names_document_status(node):
    """A string constant, or a tuple or list of them, holding a document-only status."""
    if isinstance(node, nodes.Const):
        return node.value in DOCUMENT_ONLY_STATUSES
    if isinstance(node, (nodes.Tuple, nodes.List)):
        return any(_names_document_status(item) for item in node.items)
    return False


def _offending(node):
    """True when the node compares with a document status."""
    if isinstance(node, nodes.Compare):
        operands = [node.expr] + [op.expr for op in node.ops]
    elif isinstance(node, nodes.Test) and node.name in COMPARING_TESTS:
        operands = [node.node, *node.args]
    elif isinstance(node, nodes.Filter) and node.name in COMPARING_FILTERS:
        operands = list(node.args)
    else:
        return False
    return any(_is_document_status(o) or _names_document_status(o) for o in operands)


def status_comparisons(source):
    """The lines of `source` that compare with a document status."""
    env = Environment(extensions=["jinja2.ext.do"])
    tree = env.parse(source)
    found = []
    for kind in (nodes.Compare, nodes.Test, nodes.Filter):
        found.extend(node.lineno for node in tree.find_all(kind) if _offending(node))
    return sorted(set(found))


def test_no_template_compares_a_document_status():
    offences = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        for lineno in status_comparisons(source):
            offences.append(f"{path.relative_to(TEMPLATES)}:{lineno}: "
                            f"{lines[lineno - 1].strip()[:120]}")
    assert not offences, ("Ask Document (is_draft, is_editable, is_agreed, "
                          "can_return_to_draft, ...) instead of comparing its status:\n"
                          + "\n".join(offences))


def test_the_scan_finds_each_way_of_comparing():
    """The scan itself: each of these is a status comparison, none of the last three is."""
    offending = [
        '{% if document.status == "agreed" %}x{% endif %}',
        "{% if d.status != 'draft' %}x{% endif %}",
        '{% if document.status in ("draft", "out_for_agreement") %}x{% endif %}',
        '{% if x.status == "published" %}x{% endif %}',
        '{{ docs|selectattr("status", "equalto", "signed")|list }}',
        '{% if version.document.status is equalto("agreed") %}x{% endif %}',
    ]
    for source in offending:
        assert status_comparisons(source), source
    fine = [
        '{% if m.status == "agreed" %}x{% endif %}',
        '{% if document.is_agreed %}x{% endif %}',
        '{% call step_form("draft", "Send back to draft") %}{% endcall %}',
    ]
    for source in fine:
        assert not status_comparisons(source), source
