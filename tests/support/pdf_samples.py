"""PDFs as clients' phones and office programs make them, for the upload checks' tests."""

from __future__ import annotations

import io

import pypdfium2 as pdfium
from PIL import Image

A4 = (595, 842)  # points


def scanned(page: Image.Image, *more: Image.Image, dpi: float = 200.0) -> bytes:
    """A scanner app's PDF: each page is one JPEG photograph filling it (Pillow embeds JPEG)."""
    out = io.BytesIO()
    page.save(out, "PDF", resolution=dpi, save_all=bool(more), append_images=list(more))
    return out.getvalue()


def rotated(data: bytes, degrees: int) -> bytes:
    """The PDF with its page turned, as a scanner app stores a sideways scan."""
    document = pdfium.PdfDocument(data)
    document[0].set_rotation(degrees)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def exported(
    jpeg: bytes, box: tuple[float, float, float, float], page: tuple[float, float] = A4
) -> bytes:
    """An office program's export: a JPEG photo pasted, as it is, at ``box`` (x, y, width,
    height in points) onto a white page."""
    document = pdfium.PdfDocument.new()
    new_page = document.new_page(*page)
    image = pdfium.PdfImage.new(document)
    image.load_jpeg(io.BytesIO(jpeg), inline=True)
    x, y, width, height = box
    image.set_matrix(pdfium.PdfMatrix(width, 0, 0, height, x, y))
    new_page.insert_obj(image)
    new_page.gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def blank(page: tuple[float, float]) -> bytes:
    """A page with nothing on it, of any size (a PDF's page may be 200 inches across)."""
    document = pdfium.PdfDocument.new()
    document.new_page(*page).gen_content()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def protected() -> bytes:
    """A PDF that opens only with a password (its standard security handler's keys match none
    the reader can try)."""
    keys = b"/O<" + b"11" * 32 + b">/U<" + b"22" * 32 + b">"
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 600 400]>>endobj\n"
        b"4 0 obj<</Filter/Standard/V 1/R 2" + keys + b"/P -44>>endobj\n"
        b"trailer<</Root 1 0 R/Size 5/Encrypt 4 0 R/ID[<"
        + b"33" * 16
        + b"><"
        + b"33" * 16
        + b">]>>\n%%EOF\n"
    )
