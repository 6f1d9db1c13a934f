"""What a published PDF must keep, read from its bytes: fonts embedded, signature fields out of
the way of assistive technology, the structure tree, metadata that agrees with itself, and the
signatures' times. (veraPDF is not available here: these are the rules of PDF/UA-1 and PDF/A-3
that signing could break, checked directly.)"""
import io
import re

from pypdf import PdfReader
from pypdf.generic import IndirectObject

FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


def _resolve(obj):
    return obj.get_object() if isinstance(obj, IndirectObject) else obj


def _font_problems(font, where, seen):
    font = _resolve(font)
    if id(font) in seen:
        return []
    seen.add(id(font))
    problems = []
    if font.get("/Subtype") == "/Type3":
        return problems                        # drawn by its own glyph procedures
    descendants = font.get("/DescendantFonts")
    if descendants is not None:
        for child in _resolve(descendants):
            problems += _font_problems(child, where, seen)
        return problems
    descriptor = _resolve(font.get("/FontDescriptor"))
    if descriptor is None or not any(k in descriptor for k in FONT_FILES):
        problems.append(f"{where}: font {font.get('/BaseFont')} is not embedded")
    return problems


def _resources_problems(resources, where, seen, depth=0):
    resources = _resolve(resources)
    if resources is None or depth > 8:
        return []
    problems = []
    for name, font in _resolve(resources.get("/Font", {})).items():
        problems += _font_problems(font, f"{where} {name}", seen)
    for name, xobject in _resolve(resources.get("/XObject", {})).items():
        xobject = _resolve(xobject)
        if xobject.get("/Subtype") == "/Form":
            problems += _resources_problems(xobject.get("/Resources"), f"{where} {name}", seen,
                                            depth + 1)
    return problems


def _appearance_streams(annotation):
    for kind in ("/N", "/R", "/D"):
        stream = _resolve(_resolve(annotation.get("/AP", {})).get(kind))
        if stream is None:
            continue
        if "/Resources" in stream or hasattr(stream, "get_data"):
            yield stream
        else:                                  # a dictionary of appearance states
            yield from (_resolve(s) for s in stream.values())


def unembedded_fonts(reader: PdfReader) -> list[str]:
    """Every font used by a page, an annotation's appearance or the form's default
    resources that has no font file embedded."""
    seen, problems = set(), []
    for index, page in enumerate(reader.pages):
        problems += _resources_problems(page.get("/Resources"), f"page {index + 1}", seen)
        for annotation in page.get("/Annots", []) or []:
            for stream in _appearance_streams(_resolve(annotation)):
                problems += _resources_problems(stream.get("/Resources"),
                                                f"page {index + 1} annotation", seen)
    form = _resolve(reader.trailer["/Root"].get("/AcroForm"))
    if form is not None:
        problems += _resources_problems(form.get("/DR"), "AcroForm /DR", seen)
    return problems


def signature_widgets(reader: PdfReader) -> list:
    """The signature fields' widget annotations, from the pages and the AcroForm."""
    widgets = {}
    form = _resolve(reader.trailer["/Root"].get("/AcroForm"))
    for field in (_resolve(form.get("/Fields", [])) if form is not None else []):
        field = _resolve(field)
        if field.get("/FT") == "/Sig":
            kids = field.get("/Kids")
            for widget in ([_resolve(k) for k in kids] if kids else [field]):
                widgets[id(widget)] = (field, widget)
    for page in reader.pages:
        for annotation in page.get("/Annots", []) or []:
            annotation = _resolve(annotation)
            if annotation.get("/Subtype") == "/Widget" and (
                    annotation.get("/FT") == "/Sig" or
                    _resolve(annotation.get("/Parent", {})).get("/FT") == "/Sig"):
                widgets.setdefault(id(annotation), (annotation, annotation))
    return list(widgets.values())


def zero_sized(widget) -> bool:
    x1, y1, x2, y2 = (float(v) for v in widget["/Rect"])
    return x1 == x2 and y1 == y2


HIDDEN, PRINT = 2, 4


def xmp_text(reader: PdfReader) -> str:
    metadata = reader.trailer["/Root"].get("/Metadata")
    return _resolve(metadata).get_data().decode("utf-8") if metadata is not None else ""


def xmp_value(xmp: str, tag: str) -> str | None:
    """The text of an XMP property, as an element (with rdf:Alt/Seq items) or attribute."""
    element = re.search(rf"<{tag}(?:\s[^>]*)?>(.*?)</{tag}>", xmp, re.S)
    if element:
        inner = element.group(1)
        item = re.search(r"<rdf:li[^>]*>(.*?)</rdf:li>", inner, re.S)
        return (item.group(1) if item else inner).strip()
    attribute = re.search(rf'\b{tag}="([^"]*)"', xmp)
    return attribute.group(1) if attribute else None


def reader_of(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def text_of(data: bytes) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in reader_of(data).pages]
