"""Word's automatic paragraph numbering, worked out as Word shows it.

Word stores a numbered paragraph as a list id and level (w:numPr: numId, ilvl, on the
paragraph or its style) and the numbers themselves in numbering.xml: each list (w:num) points
at a definition (w:abstractNum) whose levels give a start value, a format (decimal,
lowerLetter, lowerRoman ...) and a text such as "%1.%2". Counters belong to the definition,
so lists sharing one continue each other's numbers, unless a list overrides a level's start
(w:lvlOverride/w:startOverride), which restarts it on the list's first paragraph. Using a
level restarts the levels below it (or only those whose w:lvlRestart says so).

`Numbering.label(p, styles)` gives ("1.2", ilvl) for a numbered paragraph, ("bullet", ilvl)
for a bulleted one, or (None, 0); it must be called for every paragraph in reading order,
headings included, because a heading numbered "2" moves its paragraphs on to "2.1".
"""
from docx.oxml.ns import qn

from ..numbers import whole_number

BULLET = "bullet"
_ROMAN = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
          (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]


def _val(node, name, default=None):
    child = node.find(qn(name)) if node is not None else None
    value = child.get(qn("w:val")) if child is not None else None
    return default if value is None else value


#: Word's own limits: list levels 0 to 8; a list starts at no more than 32767. A file is
#: anyone's to write: a larger start made roman() loop for ever, a level of 10 a 500.
MAX_LEVEL, MAX_START = 8, 32767


def _int(value, default, maximum=MAX_START):
    number = whole_number(value, maximum=maximum)
    return default if number is None else number


def _level(value):
    return _int(value, 0, MAX_LEVEL)


def roman(number):
    out = ""
    for value, letters in _ROMAN:
        while number >= value:
            out, number = out + letters, number - value
    return out


def format_number(number, fmt):
    """A counter as Word writes it in the format `fmt`."""
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (number - 1) % 26) * ((number - 1) // 26 + 1) if number > 0 \
            else ""
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        return roman(number).upper() if fmt == "upperRoman" else roman(number)
    if fmt == "decimalZero":
        return f"{number:02d}"
    if fmt == "ordinal":
        suffix = "th" if 10 <= number % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(
            number % 10, "th")
        return f"{number}{suffix}"
    if fmt == "none":
        return ""
    return str(number)


class _Level:
    def __init__(self, node, ilvl):
        start = _val(node, "w:start")       # none: 0, as in Word; one not readable: 1
        self.start = 0 if start is None else _int(start, 1)
        self.fmt = _val(node, "w:numFmt", "decimal")
        self.text = _val(node, "w:lvlText", f"%{ilvl + 1}.")
        self.restart = _int(_val(node, "w:lvlRestart"), ilvl, MAX_LEVEL + 1)
        legal = node.find(qn("w:isLgl")) if node is not None else None
        self.legal = legal is not None and legal.get(qn("w:val")) not in ("0", "false")
        self.style = _val(node, "w:pStyle")


class Numbering:
    def __init__(self, word):
        self.word = word
        self.abstract = {}            # abstractNumId -> {ilvl: _Level}
        self.nums = {}                # numId -> (abstractNumId, {ilvl: start override})
        self.counters = {}            # abstractNumId -> [counter or None] * 9
        self.used = set()             # numIds whose start overrides have been applied
        try:
            root = word.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            root = None
        if root is None:
            return
        style_links = {}
        for node in root.findall(qn("w:abstractNum")):
            key = node.get(qn("w:abstractNumId"))
            self.abstract[key] = {_level(lvl.get(qn("w:ilvl"))): _Level(lvl, _level(
                lvl.get(qn("w:ilvl")))) for lvl in node.findall(qn("w:lvl"))}
            link = _val(node, "w:numStyleLink")
            if link:
                style_links[key] = link
        for node in root.findall(qn("w:num")):
            overrides = {}
            for override in node.findall(qn("w:lvlOverride")):
                ilvl = _level(override.get(qn("w:ilvl")))
                start = _val(override, "w:startOverride")
                if start is not None:
                    overrides[ilvl] = _int(start, 1)
                lvl = override.find(qn("w:lvl"))
                if lvl is not None:
                    overrides.setdefault(ilvl, _Level(lvl, ilvl).start)
            self.nums[node.get(qn("w:numId"))] = (_val(node, "w:abstractNumId"), overrides)
        self._follow_style_links(style_links)

    def _follow_style_links(self, style_links):
        """A definition that only points at a numbering style takes that style's list."""
        for key, style_id in style_links.items():
            try:
                style = self.word.styles.element.get_by_id(style_id)
                num_id = style.pPr.numPr.numId.val
                self.abstract[key] = self.abstract.get(self.nums[str(num_id)][0], {})
            except (AttributeError, KeyError, TypeError):
                continue

    def _num_pr(self, p, styles):
        """(numId, ilvl) from the paragraph, else its style chain; numId 0 switches off."""
        num_id = ilvl = None
        for p_pr, style in [(p.pPr, None)] + [(s.element.pPr, s) for s in styles]:
            num_pr = p_pr.numPr if p_pr is not None else None
            if num_pr is None:
                continue
            if ilvl is None and num_pr.ilvl is not None:
                ilvl = _level(num_pr.ilvl.get(qn("w:val")))
            if num_id is None and num_pr.numId is not None:
                num_id = str(num_pr.numId.val)
                if ilvl is None and style is not None:
                    ilvl = self._style_level(num_id, style.style_id)
            if num_id is not None and ilvl is not None:
                break
        return num_id, ilvl or 0

    def _style_level(self, num_id, style_id):
        levels = self.abstract.get(self.nums.get(num_id, (None,))[0], {})
        return next((i for i, lvl in levels.items() if lvl.style == style_id), None)

    def label(self, p, styles):
        """("1.2" or BULLET, ilvl) for the paragraph element `p` with the style chain
        `styles`, or (None, 0) when it is not numbered."""
        num_id, ilvl = self._num_pr(p, styles)
        if num_id in (None, "0") or num_id not in self.nums:
            return None, 0
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id)
        if levels and ilvl not in levels:
            # A level the list does not define: Word shows the bullet of the level above.
            above = [k for k in levels if k < ilvl]
            if above and levels[max(above)].fmt == BULLET:
                return BULLET, ilvl
            return None, 0
        if not levels:
            return None, 0
        level = levels[ilvl]
        if level.fmt == BULLET:
            return BULLET, ilvl
        counters = self.counters.setdefault(abstract_id, [None] * 10)
        if num_id not in self.used:
            self.used.add(num_id)
            for at, start in overrides.items():
                if 0 <= at < 10:
                    counters[at] = start - 1
        counters[ilvl] = level.start if counters[ilvl] is None else counters[ilvl] + 1
        for deeper in range(ilvl + 1, 10):
            restart = levels[deeper].restart if deeper in levels else deeper
            if restart and ilvl < restart:
                counters[deeper] = None
        text = level.text
        for at in range(9, -1, -1):
            placeholder = f"%{at + 1}"
            if placeholder in text:
                lvl = levels.get(at)
                value = counters[at] if counters[at] is not None else (lvl.start if lvl else 1)
                fmt = "decimal" if level.legal and at < ilvl else (lvl.fmt if lvl else "decimal")
                text = text.replace(placeholder, format_number(value, fmt))
        return text.strip(), ilvl
