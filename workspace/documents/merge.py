"""Three-way merge of section text, paragraph by paragraph, and word-level differences."""
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from itertools import accumulate

from markupsafe import Markup, escape

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)
#: SequenceMatcher looks at every pair of equal items, so a text with one word or paragraph
#: repeated many times makes it quadratic: 200 KB of one repeated paragraph held a worker for
#: many minutes (on SQLite, with the write lock). Each diff or merge may look at this many
#: pairs; past it the answer is coarser (the changed middle as one change), still correct.
MAX_PAIRS = 1_000_000


class _TooBig(Exception):
    pass


class _Budget:
    def __init__(self):
        self.left = MAX_PAIRS


class _BoundedMatcher(SequenceMatcher):
    """SequenceMatcher (no autojunk) that stops before looking at more pairs than budgeted."""

    def __init__(self, a, b, budget):
        self.budget = budget
        super().__init__(None, a, b, autojunk=False)
        # Work of find_longest_match over a[alo:ahi]: each item and every equal item of b.
        self._work = list(accumulate((1 + len(self.b2j.get(x, ())) for x in a), initial=0))

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        self.budget.left -= self._work[ahi] - self._work[alo]
        if self.budget.left < 0:
            raise _TooBig
        return super().find_longest_match(alo, ahi, blo, bhi)


def _coarse(a, b):
    """Opcodes keeping the common start and end, with everything between as one change."""
    start, limit = 0, min(len(a), len(b))
    while start < limit and a[start] == b[start]:
        start += 1
    end_a, end_b = len(a), len(b)
    while end_a > start and end_b > start and a[end_a - 1] == b[end_b - 1]:
        end_a, end_b = end_a - 1, end_b - 1
    ops = [("equal", 0, start, 0, start)] if start else []
    if end_a > start or end_b > start:
        tag = "replace" if end_a > start and end_b > start else \
            "delete" if end_a > start else "insert"
        ops.append((tag, start, end_a, start, end_b))
    if end_a < len(a):
        ops.append(("equal", end_a, len(a), end_b, len(b)))
    return ops


def _opcodes(a, b, budget=None):
    """SequenceMatcher's opcodes from a to b, or coarser ones when the budget runs out."""
    try:
        return _BoundedMatcher(a, b, budget or _Budget()).get_opcodes()
    except _TooBig:
        return _coarse(a, b)


def normalise(text):
    """Line endings as \\n, no trailing white space at the end of the text."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n").rstrip() + "\n" \
        if (text or "").strip() else ""


def paragraphs(text):
    """Blocks separated by blank lines (a table or list is one block)."""
    text = normalise(text).strip("\n")
    return _PARAGRAPH_BREAK.split(text) if text else []


def _join(blocks):
    return "\n\n".join(blocks) + "\n" if blocks else ""


@dataclass
class _Hunk:
    start: int          # first base paragraph replaced
    end: int            # one past the last base paragraph replaced (start == end: insertion)
    lines: list         # the replacement paragraphs
    side: str


def _hunks(base, other, side):
    return [_Hunk(i1, i2, other[j1:j2], side)
            for tag, i1, i2, j1, j2 in _opcodes(base, other) if tag != "equal"]


def _overlap(a, b):
    if a.start < b.end and b.start < a.end:
        return True                                  # ranges share base paragraphs
    if a.start == a.end == b.start == b.end:
        return True                                  # both insert at the same place
    # an insertion strictly inside the other's replaced range
    return any(h.start == h.end and o.start < h.start < o.end for h, o in ((a, b), (b, a)))


@dataclass
class MergeResult:
    text: str
    conflicts: int

    @property
    def clean(self):
        return self.conflicts == 0


def merge3(base, mine, theirs):
    """Merge two edits of `base`. Clean where they touch different paragraphs.

    Returns the merged text and the number of overlapping changes; when there are any, the
    text is not usable and the caller shows a conflict instead.
    """
    b, m, t = paragraphs(base), paragraphs(mine), paragraphs(theirs)
    hunks = sorted(_hunks(b, m, "mine") + _hunks(b, t, "theirs"),
                   key=lambda h: (h.start, h.end))
    out, position, conflicts = [], 0, 0
    i = 0
    while i < len(hunks):
        cluster = [hunks[i]]
        i += 1
        while i < len(hunks) and any(_overlap(hunks[i], h) for h in cluster):
            cluster.append(hunks[i])
            i += 1
        start = min(h.start for h in cluster)
        end = max(h.end for h in cluster)
        out.extend(b[position:start])
        sides = {h.side for h in cluster}
        if len(sides) == 1:
            out.extend(_apply(b, start, end, cluster))
        else:
            mine_result = _apply(b, start, end, [h for h in cluster if h.side == "mine"])
            theirs_result = _apply(b, start, end, [h for h in cluster if h.side == "theirs"])
            if mine_result != theirs_result:
                conflicts += 1
            out.extend(theirs_result)
        position = end
    out.extend(b[position:])
    return MergeResult(_join(out), conflicts)


def _apply(base, start, end, hunks):
    """Base paragraphs start..end with one side's hunks applied."""
    result, position = [], start
    for hunk in sorted(hunks, key=lambda h: (h.start, h.end)):
        result.extend(base[position:hunk.start])
        result.extend(hunk.lines)
        position = hunk.end
    result.extend(base[position:end])
    return result


def word_diff(old, new):
    """HTML marking words inserted and deleted, in text as well as style (not colour alone).

    Word by word; for long texts whose word diff would take too long, line by line and then
    word by word within the changed lines.
    """
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    try:
        return _marked(_BoundedMatcher(a, b, _Budget()).get_opcodes(), a, b)
    except _TooBig:
        pass
    lines_a = (old or "").splitlines(keepends=True)
    lines_b = (new or "").splitlines(keepends=True)
    budget = _Budget()
    parts = []
    for tag, i1, i2, j1, j2 in _opcodes(lines_a, lines_b, budget):
        if tag == "equal":
            parts.append(escape("".join(lines_a[i1:i2])))
            continue
        a = _WORDS.findall("".join(lines_a[i1:i2]))
        b = _WORDS.findall("".join(lines_b[j1:j2]))
        parts.append(_marked(_opcodes(a, b, budget), a, b))
    return Markup("").join(parts)


def _marked(opcodes, a, b):
    parts = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            parts.append(escape("".join(a[i1:i2])))
            continue
        if tag in ("delete", "replace"):
            parts.append(Markup('<del><span class="govuk-visually-hidden">[deleted: </span>')
                         + escape("".join(a[i1:i2]))
                         + Markup('<span class="govuk-visually-hidden">]</span></del>'))
        if tag in ("insert", "replace"):
            parts.append(Markup('<ins><span class="govuk-visually-hidden">[inserted: </span>')
                         + escape("".join(b[j1:j2]))
                         + Markup('<span class="govuk-visually-hidden">]</span></ins>'))
    return Markup("").join(parts)


def diff_counts(old, new):
    """(words inserted, words deleted), for summaries."""
    a, b = (old or "").split(), (new or "").split()
    inserted = deleted = 0
    for tag, i1, i2, j1, j2 in _opcodes(a, b):
        if tag in ("delete", "replace"):
            deleted += i2 - i1
        if tag in ("insert", "replace"):
            inserted += j2 - j1
    return inserted, deleted
