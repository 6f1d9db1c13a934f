"""Markdown is rendered once per text (a revision's text never changes, so neither does its
HTML), and the difference shown for a stale position once per pair of texts; very long texts
are not kept, so the caches stay small."""
from workspace.documents import markdown, rendered_diff


class Counting:
    """Wraps a function and counts the calls that reach it."""

    def __init__(self, function):
        self.function, self.calls = function, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.function(*args, **kwargs)


def test_the_same_text_is_parsed_once_and_gives_the_same_html(monkeypatch):
    parse = Counting(markdown._md.parse)
    monkeypatch.setattr(markdown._md, "parse", parse)
    markdown._render_cached.cache_clear()
    text = "Housing need is **4,900** homes a year.[^1]\n\n[^1]: Standard method.\n"
    first = markdown.render_markdown(text)
    assert markdown.render_markdown(text) == first
    assert parse.calls == 1
    assert markdown.render_markdown(text, prefix="s12") != first        # another prefix
    assert parse.calls == 2
    assert "<script" not in markdown.render_markdown("<script>alert(1)</script>")


def test_a_very_long_text_is_rendered_each_time_not_kept(monkeypatch):
    parse = Counting(markdown._md.parse)
    monkeypatch.setattr(markdown._md, "parse", parse)
    held = markdown._render_cached.cache_info().currsize
    long_text = "word " * (markdown.CACHE_MAX_CHARS // 5 + 1)
    markdown.render_markdown(long_text)
    markdown.render_markdown(long_text)
    assert parse.calls == 2
    assert markdown._render_cached.cache_info().currsize == held


def test_a_stale_positions_difference_is_worked_out_once_per_pair(monkeypatch):
    work = Counting(rendered_diff.rendered_html_diff)
    monkeypatch.setattr(rendered_diff, "rendered_html_diff", work)
    rendered_diff._rendered_diff_cached.cache_clear()
    old, new = "Green Belt land is released.\n", "Green Belt land is not released.\n"
    shown = rendered_diff.rendered_diff(old, new)
    assert rendered_diff.rendered_diff(old, new) == shown
    assert work.calls == 1
    assert "<ins>" in shown and "not" in shown
    rendered_diff.rendered_diff(new, old)
    assert work.calls == 2
