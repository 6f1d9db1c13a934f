"""Footnotes, superscript and subscript in section text: `[^1]` with `[^1]: the note` at the
end of the section becomes numbered notes at the end of the section; `^2^` and `~2~` become
<sup> and <sub>. The sanitiser gains those tags and the footnote markup's attributes, and
nothing else; the rendered difference and the PDF show the notes."""
import re

from workspace.documents import service as documents
from workspace.documents.markdown import clean_diff, render_markdown
from workspace.documents.models import Document
from workspace.documents.rendered_diff import rendered_diff
from workspace.extensions import db
from workspace.partnerships.models import Partnership

NOTED = ("The NPPF (December 2024)[^1] and the plan[^2] agree.\n\n"
         "[^1]: National Planning Policy Framework, paragraph 27.\n"
         "[^2]: The *adopted* Local Plan.\n")


def _ids(html):
    return re.findall(r'\bid="([^"]+)"', html)


def test_footnotes_render_as_numbered_notes_at_the_end_of_the_section():
    html = render_markdown(NOTED)
    ref = re.search(r'<sup class="footnote-ref"><a href="#(fn-[0-9a-f]{8}-1)" '
                    r'id="(fnref-[0-9a-f]{8}-1)"[^>]*>\[1\]</a></sup>', html)
    assert ref, html
    assert "(December 2024)<sup" in html                # the marker does not join the word
    notes = html[html.index('<section class="footnotes" aria-label="Notes">'):]
    assert html.index("agree.") < html.index("<section")  # after the text
    assert f'<li id="{ref.group(1)}" class="footnote-item">' in notes
    assert "National Planning Policy Framework, paragraph 27." in notes
    assert "<em>adopted</em>" in notes
    assert f'href="#{ref.group(2)}" class="footnote-backref" ' \
           'aria-label="Back to reference 1"' in notes
    assert notes.index("paragraph 27") < notes.index("Local Plan")
    assert "[^" not in html


def test_superscript_and_subscript_and_strikethrough_side_by_side():
    html = render_markdown("The 2^nd^ review of NO~2~ is ~~withdrawn~~.\n")
    assert "2<sup>nd</sup>" in html and "NO<sub>2</sub>" in html
    assert "<s>withdrawn</s>" in html


def test_two_sections_notes_have_different_ids_on_one_page():
    """Every section of a document is on one page: [^1] in two sections must not give two
    elements the same id (the links would go to the first section's note)."""
    first = render_markdown("A[^1].\n\n[^1]: The first note.\n")
    second = render_markdown("B[^1].\n\n[^1]: Another note.\n")
    assert _ids(first) and _ids(second)
    assert not set(_ids(first)) & set(_ids(second))
    assert set(_ids(render_markdown("A[^1].\n\n[^1]: x\n", prefix="s1"))).isdisjoint(
        _ids(render_markdown("A[^1].\n\n[^1]: x\n", prefix="s2")))


def test_ids_stay_when_the_sections_other_text_changes():
    """So a rendered difference compares a note reference with itself, not as changed."""
    before = render_markdown("Old words[^1].\n\n[^1]: The note.\n")
    after = render_markdown("New words here[^1].\n\n[^1]: The note.\n")
    assert _ids(before) == _ids(after)


def test_the_sanitiser_keeps_only_the_footnote_markup_it_needs():
    hostile = ('<section class="evil" aria-label="Click me" onclick="x()">'
               '<ol class="footnotes-list" style="color:red"><li id="main" class="x">a</li>'
               '<li id="fn-0badf00d-1" class="footnote-item">b</li></ol></section>'
               '<sup class="footnote-ref" onmouseover="x()">1</sup><sub title="t">2</sub>'
               '<a id="login" href="javascript:alert(1)" aria-label="Sign in">c</a>'
               '<a href="#fnref-0badf00d-1" class="footnote-backref" '
               'aria-label="Back to reference 1">d</a><aside>e</aside><span class="x">f</span>'
               '<p id="fn-0badf00d-2">g</p>')
    clean = clean_diff(hostile)
    assert "onclick" not in clean and "onmouseover" not in clean and "style" not in clean
    assert 'class="evil"' not in clean and "Click me" not in clean
    assert 'id="main"' not in clean and 'id="login"' not in clean and "Sign in" not in clean
    assert "javascript" not in clean and "<aside" not in clean and 'class="x"' not in clean
    assert '<p id=' not in clean                           # ids on note elements only
    assert '<li id="fn-0badf00d-1" class="footnote-item">b</li>' in clean
    assert '<ol class="footnotes-list">' in clean
    assert '<sup class="footnote-ref">1</sup>' in clean and ">2</sub>" in clean
    assert 'href="#fnref-0badf00d-1" class="footnote-backref" ' \
           'aria-label="Back to reference 1"' in clean


def test_note_labels_are_never_written_into_the_page():
    html = render_markdown('A[^"><script>x</script>].\n\n[^"><script>x</script>]: note\n')
    assert "<script" not in html
    assert all(re.fullmatch(r"fn(ref)?-[0-9a-f]{8}-\d+(:\d+)?", i) for i in _ids(html))


def test_rendered_difference_shows_a_changed_note_and_leaves_references_alone():
    diff = str(rendered_diff("Old words[^1].\n\n[^1]: The first note.\n",
                             "New words[^1].\n\n[^1]: The first note.\n"))
    assert "<del>" in diff and "<ins>" in diff
    assert re.search(r"<sup class=\"footnote-ref\"><a [^>]*>\[1\]</a></sup>", diff)
    assert "[deleted: </span>[1]" not in diff and "[inserted: </span>[1]" not in diff
    changed = str(rendered_diff("A[^1].\n\n[^1]: The old note.\n",
                                "A[^1].\n\n[^1]: The new note.\n"))
    assert '<section class="footnotes" aria-label="Notes">' in changed
    assert "old" in changed and "new" in changed and "<ins>" in changed


def test_the_pdf_shows_the_notes_tagged(app, factory):
    from pypdf import PdfReader

    from workspace.export import pdf, service
    org = factory.organisation("watford")
    pid = factory.partnership("sw-herts", [org])
    with app.test_request_context():
        document = documents.create_document(db.session.get(Partnership, pid), "S", "scg")
        documents.append_section(document, "Housing", NOTED)
        documents.append_section(document, "Air", "NO~2~ falls[^1].\n\n[^1]: ASR 2024.\n")
        db.session.commit()
        html, _sha, _row, _agreed = service.print_html(db.session.get(Document, document.id))
        data, _pages = pdf.render_pdf(html)
    assert html.count('<section class="footnotes" aria-label="Notes">') == 2
    ids = _ids(html)
    assert len(ids) == len(set(ids))                        # unique across the sections
    import io
    reader = PdfReader(io.BytesIO(data))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    assert "National Planning Policy Framework, paragraph 27." in text
    assert "ASR 2024." in text
    tags = set()

    def walk(node, depth=0):
        node = node.get_object()
        if depth > 60:
            return
        if "/S" in node:
            tags.add(str(node["/S"]))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in (kids if isinstance(kids, list) else [kids]):
            kid = kid.get_object()
            if hasattr(kid, "get") and ("/S" in kid or "/K" in kid):
                walk(kid, depth + 1)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    assert {"/L", "/LI"} <= tags                             # the notes are a tagged list
