"""Tracked changes over rendered text: both versions rendered with the app's Markdown renderer,
then compared block by block (paragraphs, headings, list items, table rows and cells) and word
by word inside a block, with `<ins>` and `<del>` marking what changed.

Chosen over lxml's `htmldiff`, which on tables moves deleted cells after the table (outside
it) and marks unchanged rows as changed. Structure is kept from the newer text; deleted
blocks are shown where they were. Marks are readable without colour: underline and strike
through in CSS, and visually hidden "[inserted: " / "[deleted: " words for screen readers.
All comparisons share one budget (merge.MAX_PAIRS pairs), past which they become coarser
(the changed middle as one change), so a huge or repetitive text costs bounded work. The
result is sanitised again (markdown.clean_diff): nothing but the renderer's tags, ins/del
and the visually hidden span.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from lxml import html as lxml_html
from markupsafe import Markup, escape

from .markdown import CACHE_MAX_CHARS, clean_diff, render_markdown
from .merge import _WORDS, _Budget, _opcodes, word_diff

#: Elements whose children are blocks to align one by one.
_CONTAINERS = {"div", "table", "thead", "tbody", "tr", "ul", "ol", "blockquote", "li"}
_BLOCKS = {"p", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "pre",
           "table", "thead", "tbody", "tr", "th", "td", "caption", "hr"}
_VOID = {"br", "hr"}
_HIDDEN = '<span class="govuk-visually-hidden">'
_OPEN = {"ins": Markup(f"<ins>{_HIDDEN}[inserted: </span>"),
         "del": Markup(f"<del>{_HIDDEN}[deleted: </span>")}
_CLOSE = {"ins": Markup(f"{_HIDDEN}]</span></ins>"), "del": Markup(f"{_HIDDEN}]</span></del>")}


def _start(element):
    return Markup(_open_tag(element.tag, element.items()))


def _end(element):
    return Markup("") if element.tag in _VOID else Markup(f"</{element.tag}>")


def _is_container(element):
    """A container holds blocks only (a tight list item holding text is inline)."""
    return element.tag in _CONTAINERS and (
        element.tag != "li" or any(child.tag in _BLOCKS for child in element))


def _key(element):
    return lxml_html.tostring(element, encoding="unicode", with_tail=False)


def _tokens(element, context=()):
    """(text, inline context) for each word, space and line break inside a block."""
    out = [(word, context) for word in _WORDS.findall(element.text or "")]
    for child in element:
        if isinstance(child.tag, str):
            inner = context + ((child.tag, tuple(child.items())),)
            if child.tag == "br":
                out.append(("\n", inner))
            else:
                out.extend(_tokens(child, inner))
        out.extend((word, context) for word in _WORDS.findall(child.tail or ""))
    return out


def _open_tag(tag, attributes):
    return "".join(f' {name}="{escape(value)}"' for name, value in attributes).join(
        (f"<{tag}", ">"))


def _inline(tokens):
    """Tokens of one kind as HTML, each run of words in its own inline elements."""
    parts, run, context = [], [], None
    for text, ctx in [*tokens, (None, None)]:
        if ctx != context and run:
            elements = [(tag, attrs) for tag, attrs in context if tag != "br"]
            body = Markup("<br>" * len(run)) if context and context[-1][0] == "br" else \
                escape("".join(run))
            parts.append(Markup("".join(_open_tag(*e) for e in elements)) + body
                         + Markup("".join(f"</{tag}>" for tag, _ in reversed(elements))))
            run = []
        context = ctx
        if text is not None:
            run.append(text)
    return Markup("").join(parts)


def _marked(kind, tokens):
    if not tokens:
        return Markup("")
    return _OPEN[kind] + _inline(tokens) + _CLOSE[kind] if kind != "equal" else _inline(tokens)


def _inline_diff(old, new, budget):
    a = _tokens(old) if old is not None else []
    b = _tokens(new) if new is not None else []
    parts = []
    for tag, i1, i2, j1, j2 in _opcodes(a, b, budget):
        if tag == "equal":
            parts.append(_marked("equal", b[j1:j2]))
            continue
        parts.append(_marked("del", a[i1:i2]))
        parts.append(_marked("ins", b[j1:j2]))
    return Markup("").join(parts)


def _whole(element, kind, budget):
    """A block only one side has, every word in it marked as inserted or deleted."""
    old, new = (element, None) if kind == "del" else (None, element)
    return _block(old, new, budget)


def _block(old, new, budget):
    """One block compared with its counterpart (either may be None: wholly added/removed)."""
    shape = new if new is not None else old
    if shape.tag == "hr":
        return Markup("<hr>") if new is not None else Markup("")
    inner = _children(old, new, budget) if _is_container(shape) else \
        _inline_diff(old, new, budget)
    return _start(shape) + inner + _end(shape)


def _elements(element):
    return [] if element is None else [c for c in element if isinstance(c.tag, str)]


def _children(old, new, budget):
    a, b = _elements(old), _elements(new)
    parts = []
    for tag, i1, i2, j1, j2 in _opcodes([_key(e) for e in a], [_key(e) for e in b], budget):
        if tag == "equal":
            parts.extend(Markup(_key(e)) for e in b[j1:j2])
            continue
        parts.extend(_changed(a[i1:i2], b[j1:j2], budget))
    return Markup("\n").join(parts)


def _changed(olds, news, budget):
    """Changed blocks: those of the same kind paired in order and compared inside, the rest
    shown as wholly deleted or inserted (deleted first, where they were)."""
    shape = [(e.tag, _is_container(e)) for e in olds], [(e.tag, _is_container(e)) for e in news]
    for tag, i1, i2, j1, j2 in _opcodes(*shape, budget):
        if tag == "equal":
            yield from (_block(o, n, budget) for o, n in zip(olds[i1:i2], news[j1:j2]))
            continue
        yield from (_whole(o, "del", budget) for o in olds[i1:i2])
        yield from (_whole(n, "ins", budget) for n in news[j1:j2])


def rendered_diff(old_text, new_text):
    """Tracked changes from one Markdown text to another, over their rendered HTML. The
    same two texts always give the same changes (a stale position shows the same difference
    on every page view), so it is worked out once while the pair is in the cache."""
    old_text, new_text = old_text or "", new_text or ""
    if len(old_text) + len(new_text) > CACHE_MAX_CHARS:
        return _rendered_diff(old_text, new_text)
    return _rendered_diff_cached(old_text, new_text)


def _rendered_diff(old_text, new_text):
    return rendered_html_diff(render_markdown(old_text) or "", render_markdown(new_text) or "")


_rendered_diff_cached = lru_cache(maxsize=256)(_rendered_diff)


def rendered_html_diff(old_html, new_html):
    """Tracked changes from one rendered (sanitised) HTML text to another, e.g. the frozen
    sections of two published versions, whose live blocks are already printed."""
    def fragment(text):
        return lxml_html.fragment_fromstring(text or "", create_parent="div")
    html = _children(fragment(old_html), fragment(new_html), _Budget())
    return Markup(clean_diff(str(html)))


@dataclass
class ConflictView:
    """What the conflict view shows: each side's change from the text both started from,
    rendered, and the Markdown word diff from the current text to the user's."""
    yours: Markup
    theirs: Markup
    source: Markup
    started_from: int | None


def conflict_view(base_text, started_from, current, mine):
    """`base_text` is the revision the user started from (None when it is not known)."""
    if base_text is None:
        return ConflictView(rendered_diff(current, mine), Markup(""),
                            word_diff(current, mine), None)
    return ConflictView(rendered_diff(base_text, mine), rendered_diff(base_text, current),
                        word_diff(current, mine), started_from)
