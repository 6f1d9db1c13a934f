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
    """Render print HTML to PDF bytes, tagged, with every font embedded (subset). Returns
    (bytes, page count).

    The signature page names who signed in the tagged content itself; digital signatures
    are added afterwards with invisible fields (signing.py), so a signed file keeps its
    structure tree and embeds no font of its own.
    """
    from weasyprint import HTML
    root = print_root()
    document = HTML(string=html, base_url=root.as_uri() + "/",
                    url_fetcher=StaticOnlyFetcher(root)).render(
        pdf_variant=VARIANTS[variant], pdf_tags=True, custom_metadata=False)
    data = document.write_pdf(pdf_variant=VARIANTS[variant], pdf_tags=True)
    return data, len(document.pages)


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()
