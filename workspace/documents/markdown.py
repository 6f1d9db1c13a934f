"""Markdown to safe HTML: rendered with markdown-it, then sanitised with nh3 (ammonia).

Besides CommonMark, tables and ~~strikethrough~~: footnotes (`text[^1]` with `[^1]: the
note` at the end of the section), rendered as numbered notes at the end of the section;
superscript `^2^` and subscript `H~2~O` (pandoc style)."""
import hashlib
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.subscript import sub_plugin
from mdit_py_plugins.superscript import superscript_plugin


def parser():
    """The app's Markdown dialect (the Word export parses with it too)."""
    # inline=False: `^[note]` inline notes are not part of the dialect (`^…^` is superscript).
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}) \
        .enable("table").enable("strikethrough") \
        .use(footnote_plugin, inline=False).use(sub_plugin).use(superscript_plugin)


_md = parser()

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "caption", "sup", "sub", "section",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "id", "class", "aria-label"},
                      "th": {"scope", "class"}, "td": {"class"}, "ol": {"start", "class"},
                      "li": {"id", "class"}, "sup": {"class"}, "hr": {"class"},
                      "section": {"class", "aria-label"}}
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
#: The classes, ids and labels the footnote markup uses, and nothing else.
NOTE_CLASSES = {"a": {"footnote-backref"}, "sup": {"footnote-ref"}, "hr": {"footnotes-sep"},
                "section": {"footnotes"}, "ol": {"footnotes-list"}, "li": {"footnote-item"}}
NOTE_ID = re.compile(r"fn(ref)?-[0-9a-f]{8}-\d+(:\d+)?")
NOTE_LABEL = re.compile(r"Notes|Back to reference \d+(:\d+)?")
#: markdown-it writes column alignment as a style attribute; the CSP allows no inline style.
_ALIGN_STYLE = re.compile(r'style="text-align:(left|center|right)"')
URL_SCHEMES = {"http", "https", "mailto"}
#: A rendered difference (rendered_diff) may also hold ins and del, and the visually hidden
#: span that says "inserted" / "deleted" to a screen reader: nothing else.
DIFF_TAGS = ALLOWED_TAGS | {"ins", "span"}
DIFF_ATTRIBUTES = {**ALLOWED_ATTRIBUTES, "span": {"class"}}
HIDDEN_CLASS = "govuk-visually-hidden"


def _known_classes_only(tag, attribute, value):
    if attribute == "class":
        if tag == "span":
            allowed = {HIDDEN_CLASS}
        elif tag in ("th", "td"):
            allowed = ALIGN_CLASSES
        else:
            allowed = NOTE_CLASSES.get(tag, set())
        return value if value in allowed else None
    if attribute == "id":
        return value if NOTE_ID.fullmatch(value) else None
    if attribute == "aria-label":
        return value if NOTE_LABEL.fullmatch(value) else None
    return value


# Footnote markup: numbered notes in a labelled section at the end, ids unique per section.

def _note_ident(self, tokens, idx, options, env):
    meta = tokens[idx].meta
    return f"-{env['docId']}-{meta['id'] + 1}"


def _note_caption(self, tokens, idx, options, env):
    meta = tokens[idx].meta
    sub = f":{meta['subId']}" if meta.get("subId", -1) > 0 else ""
    return f"[{meta['id'] + 1}{sub}]"


def _notes_open(self, tokens, idx, options, env):
    return '<hr class="footnotes-sep">\n<section class="footnotes" aria-label="Notes">\n' \
        '<ol class="footnotes-list">\n'


def _note_backref(self, tokens, idx, options, env):
    meta = tokens[idx].meta
    ident = _note_ident(self, tokens, idx, options, env)
    sub = f":{meta['subId']}" if meta["subId"] > 0 else ""
    return (f' <a href="#fnref{ident}{sub}" class="footnote-backref" '
            f'aria-label="Back to reference {meta["id"] + 1}{sub}">\u21a9\ufe0e</a>')


_md.add_render_rule("footnote_anchor_name", _note_ident)
_md.add_render_rule("footnote_caption", _note_caption)
_md.add_render_rule("footnote_block_open", _notes_open)
_md.add_render_rule("footnote_anchor", _note_backref)


def _notes_prefix(tokens, prefix):
    """8 hex digits that make the notes' ids unique on a page showing many sections: from
    `prefix` (e.g. the section's key) when given, else from the notes' own labels and text,
    so editing the section's other text keeps them (a rendered diff compares like with
    like) and two sections with different notes differ."""
    if prefix is None:
        inside, parts = False, []
        for tok in tokens:
            if tok.type == "footnote_open":
                inside = True
                parts.append("\x00" + str(tok.meta.get("label")))
            elif tok.type == "footnote_close":
                inside = False
            elif inside and tok.type == "inline":
                parts.append(tok.content)
        prefix = "\x01".join(parts)
    return hashlib.sha256(str(prefix).encode()).hexdigest()[:8]


#: Rendered HTML is kept for this many texts per process (a revision's text never changes, so
#: the same text always renders the same); a text longer than CACHE_MAX_CHARS is rendered
#: each time, so the cache holds a few megabytes at most in practice (512 × 20,000 characters
#: and their HTML at the very worst).
CACHE_TEXTS = 512
CACHE_MAX_CHARS = 20_000


def render_markdown(text, prefix=None):
    """Markdown in, sanitised HTML out: no script, no event handler, no javascript: URL.
    Rendered once per text and prefix while the text is in the cache (see CACHE_TEXTS)."""
    text = text or ""
    if len(text) > CACHE_MAX_CHARS:
        return _render(text, prefix)
    return _render_cached(text, prefix)


def _render(text, prefix):
    env = {}
    tokens = _md.parse(text, env)
    env["docId"] = _notes_prefix(tokens, prefix)
    html = _ALIGN_STYLE.sub(r'class="align-\1"', _md.renderer.render(tokens, _md.options, env))
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", attribute_filter=_known_classes_only,
        strip_comments=True)


_render_cached = lru_cache(maxsize=CACHE_TEXTS)(_render)


def clean_diff(html):
    """A rendered difference sanitised: the renderer's allow-list plus ins, del and the
    visually hidden span."""
    return nh3.clean(
        html, tags=DIFF_TAGS, attributes=DIFF_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", attribute_filter=_known_classes_only,
        strip_comments=True)
