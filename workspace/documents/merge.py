"""Three-way merge of section text, paragraph by paragraph, and word-level differences."""
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

from markupsafe import Markup, escape

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
_WORDS = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


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
    matcher = SequenceMatcher(a=base, b=other, autojunk=False)
    return [_Hunk(i1, i2, other[j1:j2], side)
            for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


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
    """HTML marking words inserted and deleted, in text as well as style (not colour alone)."""
    a, b = _WORDS.findall(old or ""), _WORDS.findall(new or "")
    matcher = SequenceMatcher(a=a, b=b, autojunk=False)
    parts = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
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
    for tag, i1, i2, j1, j2 in SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            deleted += i2 - i1
        if tag in ("insert", "replace"):
            inserted += j2 - j1
    return inserted, deleted
