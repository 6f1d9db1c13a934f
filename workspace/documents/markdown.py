"""Markdown to safe HTML: rendered with markdown-it, then sanitised with nh3 (ammonia)."""
import re

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}) \
    .enable("table").enable("strikethrough")

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s", "code",
    "pre", "blockquote", "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td",
    "caption",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope", "class"}, "td": {"class"},
                      "ol": {"start"}}
ALIGN_CLASSES = {"align-left", "align-center", "align-right"}
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
        allowed = {HIDDEN_CLASS} if tag == "span" else ALIGN_CLASSES
        return value if value in allowed else None
    return value


def render_markdown(text):
    """Markdown in, sanitised HTML out: no script, no event handler, no javascript: URL."""
    html = _ALIGN_STYLE.sub(r'class="align-\1"', _md.render(text or ""))
    return nh3.clean(
        html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", attribute_filter=_known_classes_only,
        strip_comments=True)


def clean_diff(html):
    """A rendered difference sanitised: the renderer's allow-list plus ins, del and the
    visually hidden span."""
    return nh3.clean(
        html, tags=DIFF_TAGS, attributes=DIFF_ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer nofollow", attribute_filter=_known_classes_only,
        strip_comments=True)
