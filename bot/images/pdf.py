"""A one-page PDF as the picture it holds: what a phone's document scanner sends.

iPhone's Notes and Files, Android's scanners and CamScanner save a scan as a PDF whose page is
one photograph (a JPEG). That photograph is taken out as it is, so the checks judge the camera's
own pixels. Any other page (a PDF made by an office program, an electronic licence, a scan
stored in another encoding) is drawn at the resolution of its largest picture, or at 300 dpi
when it has none, and checked like a photo: a black-and-white scan is still refused as one.
A scan of several pages (an ID card's front, then its back) is split into one-page PDFs, one
for each step it fills (``split``).

PDFium is not thread-safe (pypdfium2's documentation), and the image checks run in worker
threads, so every call into it holds ``_PDFIUM``.
"""

from __future__ import annotations

import io
import math
import threading

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

MAGIC = b"%PDF-"
HEAD_BYTES = 1024  # the PDF header may follow up to 1 KB of other bytes (ISO 32000-1, H.3)
RENDER_DPI = 300
POINTS_PER_INCH = 72
SCAN_COVERAGE = 0.9  # a picture over this share of the page is the page: a scan
MAIN_PICTURE = 0.25  # a picture over this share of the page sets the resolution it is drawn at
MAX_PICTURE_PIXELS = 40_000_000  # a picture on a page to be drawn, which PDFium decodes whole
# A page is drawn at most this large: an A3 page at 300 dpi is 17.4 MP. Each drawn pixel costs
# about 7 bytes at the peak (the bitmap, then the checks' own decoding of it): 170 MB here, for
# a hostile page as for a real one.
MAX_DRAWN_PIXELS = 24_000_000
_PDFIUM = threading.Lock()


class PdfError(Exception):
    """A PDF whose page cannot become a picture."""


class DamagedPdfError(PdfError):
    """The file says it is a PDF but PDFium cannot read it, or its page is empty."""


class ProtectedPdfError(PdfError):
    """The PDF needs a password to be opened."""


class TooManyPixelsError(PdfError):
    """A picture on the page that would have to be drawn is far larger than any photo."""


class SeveralPagesError(PdfError):
    """The PDF has more than one page, and a step takes one picture."""

    def __init__(self, pages: int) -> None:
        super().__init__(f"{pages} pages")
        self.pages = pages


def is_pdf(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a PDF."""
    return MAGIC in head[:HEAD_BYTES]


def split(data: bytes, most: int) -> list[bytes]:
    """The pages of a PDF of 2 to ``most`` pages, in order, each as a one-page PDF (its pictures
    kept byte for byte); [] for any other file, which the checks then judge as a whole."""
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError:
            return []
        try:
            if not 2 <= len(document) <= most:
                return []
            return [_page_alone(document, index) for index in range(len(document))]
        except pdfium.PdfiumError:
            return []
        finally:
            document.close()


def _page_alone(document: pdfium.PdfDocument, index: int) -> bytes:
    """Page ``index`` of ``document`` as a PDF of its own."""
    alone = pdfium.PdfDocument.new()
    try:
        alone.import_pages(document, [index])
        out = io.BytesIO()
        alone.save(out)
        return out.getvalue()
    finally:
        alone.close()


def scanned_picture(data: bytes) -> bytes | None:
    """The JPEG of a one-page PDF whose page is one photograph (a scan), as stored; None for any
    other PDF (drawing its page is left to the checks, which do it once)."""
    try:
        return _picture(data, draw=False)
    except PdfError:
        return None


def page_picture(data: bytes) -> bytes:
    """The picture of a one-page PDF: its scanned JPEG as stored, or the page drawn as a PNG."""
    picture = _picture(data, draw=True)
    if picture is None:  # never: a page that is no scan is drawn
        raise DamagedPdfError
    return picture


def _picture(data: bytes, *, draw: bool) -> bytes | None:
    """The one page's scanned JPEG, else the page drawn (``draw``) or None."""
    with _PDFIUM:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if "password" in str(error).lower():
                raise ProtectedPdfError from error
            raise DamagedPdfError from error
        try:
            pages = len(document)
            if pages != 1:
                raise SeveralPagesError(pages) if pages else DamagedPdfError()
            page = document[0]
            try:
                pictures = list(
                    page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=2)
                )
                largest = _largest(page, pictures)
                scan = _scanned_jpeg(page, largest)
                if scan is not None or not draw:
                    return scan
                return _drawn(page, pictures, largest)
            except pdfium.PdfiumError as error:
                raise DamagedPdfError from error
            finally:
                page.close()
        finally:
            document.close()


def _largest(
    page: pdfium.PdfPage, pictures: list[pdfium.PdfImage]
) -> tuple[pdfium.PdfImage, float] | None:
    """The page's largest picture and the share of the page it covers."""
    width, height = page.get_size()
    best: tuple[pdfium.PdfImage, float] | None = None
    for picture in pictures:
        left, bottom, right, top = picture.get_bounds()
        share = (right - left) * (top - bottom) / max(width * height, 1.0)
        if best is None or share > best[1]:
            best = (picture, share)
    return best


def _scanned_jpeg(
    page: pdfium.PdfPage, found: tuple[pdfium.PdfImage, float] | None
) -> bytes | None:
    """The JPEG of a page that is one upright photograph, byte for byte; otherwise None."""
    if found is None or found[1] < SCAN_COVERAGE or page.get_rotation() != 0:
        return None
    picture = found[0]
    matrix = picture.get_matrix()
    upright = matrix.a > 0 and matrix.d > 0 and matrix.b == 0 and matrix.c == 0
    if not upright or picture.get_filters() != ["DCTDecode"]:
        return None
    out = io.BytesIO()
    picture.extract(out)
    return out.getvalue()


def _drawn(
    page: pdfium.PdfPage,
    pictures: list[pdfium.PdfImage],
    found: tuple[pdfium.PdfImage, float] | None,
) -> bytes:
    """The page drawn upright, at its main picture's own resolution (else 300 dpi), as PNG."""
    width, height = page.get_size()
    if width <= 0 or height <= 0:
        raise DamagedPdfError
    for picture in pictures:
        picture_width, picture_height = picture.get_px_size()
        if picture_width * picture_height > MAX_PICTURE_PIXELS:  # PDFium would decode it whole
            raise TooManyPixelsError
    scale = RENDER_DPI / POINTS_PER_INCH
    if found is not None and found[1] >= MAIN_PICTURE:
        left, bottom, right, top = found[0].get_bounds()
        longest = max(right - left, top - bottom)
        if longest > 0:  # the picture's own pixels per point, whichever way it is turned
            scale = max(found[0].get_px_size()) / longest
    scale = min(scale, math.sqrt(MAX_DRAWN_PIXELS / (width * height)))
    bitmap = page.render(scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255))
    image = bitmap.to_pil()  # RGB already (an opaque fill): no copy
    if image.mode != "RGB":
        image = image.convert("RGB")
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=1)  # lossless, and fast: it is decoded again at once
    return out.getvalue()
