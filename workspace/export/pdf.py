"""PDF rendering with WeasyPrint: A4, tagged (PDF/UA-1) or archival (PDF/A-3b).

WeasyPrint may fetch only the print stylesheet and fonts under static/print: no network and
no file outside that folder, so hostile text in a document cannot make the renderer read
anything else.
"""
import hashlib
from functools import cache
from pathlib import Path

from flask import current_app, render_template

VARIANTS = {"ua": "pdf/ua-1", "archive": "pdf/a-3b"}
#: Size of the box a digital signature's visible stamp fills on the signature page (pt).
STAMP_WIDTH_PT = 230
STAMP_HEIGHT_PT = 62
PX_TO_PT = 0.75


def print_root():
    return (Path(current_app.static_folder) / "print").resolve()


@cache
def _fetcher_class():
    """Defined on first use: importing WeasyPrint costs about a second of worker start-up."""
    from weasyprint.urls import URLFetcher

    class _StaticOnlyFetcher(URLFetcher):
        """Serves file: URLs inside static/print and refuses everything else."""

        def __init__(self, root):
            super().__init__(allowed_protocols={"file"}, allow_redirects=False)
            self.root = Path(root).resolve()

        def fetch(self, url, headers=None):
            if not url.startswith("file://"):
                raise ValueError(f"Refused to fetch {url[:80]!r}: only the app's print files")
            path = Path(url[len("file://"):].split("?")[0].split("#")[0]).resolve()
            if not path.is_relative_to(self.root) or not path.is_file():
                raise ValueError(f"Refused to fetch {path}: outside the app's print files")
            return super().fetch(path.as_uri(), headers)

    return _StaticOnlyFetcher


def StaticOnlyFetcher(root):
    """A WeasyPrint URL fetcher that serves only files under `root`."""
    return _fetcher_class()(root)


def render_html(context):
    """The print HTML for a content dict (see templates/export/print.html)."""
    stylesheet = (print_root() / "print.css").as_uri()
    return render_template("export/print.html", stylesheet=stylesheet, **context)


def render_pdf(html, variant="ua"):
    """Render print HTML to PDF bytes. Returns (bytes, stamp boxes, page count).

    Stamp boxes: {organisation code: (page index, (x1, y1, x2, y2) in PDF points)} where a
    digital signature's visible stamp goes on the signature page.
    """
    from weasyprint import HTML
    root = print_root()
    document = HTML(string=html, base_url=root.as_uri() + "/",
                    url_fetcher=StaticOnlyFetcher(root)).render(
        pdf_variant=VARIANTS[variant], pdf_tags=True, custom_metadata=False)
    boxes = {}
    for index, page in enumerate(document.pages):
        height_pt = page.height * PX_TO_PT
        for anchor, (x, y, *_rest) in page.anchors.items():
            if anchor.startswith("stamp-"):
                left, top = x * PX_TO_PT, height_pt - y * PX_TO_PT
                boxes[anchor[len("stamp-"):]] = (
                    index, (round(left), round(top - STAMP_HEIGHT_PT),
                            round(left + STAMP_WIDTH_PT), round(top)))
    data = document.write_pdf(pdf_variant=VARIANTS[variant], pdf_tags=True)
    return data, boxes, len(document.pages)


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()
