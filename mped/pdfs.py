"""Reading uploaded PDFs with PDFium (pypdfium2): is it a PDF that opens, how many pages it
has, and a picture of its first page.

A file passes only if PDFium (Chromium's PDF engine) opens it without a password and can draw
its first page: a renamed file, a damaged or cut-off download and a password-protected copy are
all refused before they are saved."""

import io
import threading
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

THUMBNAIL_WIDTH = 400
# A very tall first page (a poster, a long scan) is drawn narrower so its picture stays small.
THUMBNAIL_MAX_HEIGHT = 800
THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_EXTENSION = ".webp"
THUMBNAIL_CONTENT_TYPE = "image/webp"

# PDFium is not thread-safe: one document at a time per process (runserver uses threads).
_pdfium_lock = threading.Lock()


class PdfError(Exception):
    """The PDF cannot be used; `reason` says why: "unreadable", "password" or "empty"."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


@dataclass
class PdfFacts:
    pages: int
    thumbnail: bytes = b""  # WebP, THUMBNAIL_WIDTH wide at most
    thumbnail_size: tuple = (0, 0)


def read_pdf(data, *, thumbnail=True):
    """Open `data` (the PDF's bytes) with PDFium; its page count, and its first page as a WebP
    picture. Raises PdfError if PDFium cannot open it or draw its first page."""
    with _pdfium_lock:
        try:
            document = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as error:
            if getattr(error, "err_code", None) == pdfium_c.FPDF_ERR_PASSWORD:
                raise PdfError("password") from error
            raise PdfError("unreadable") from error
        try:
            pages = len(document)
            if pages < 1:
                raise PdfError("empty")
            picture, size = _first_page_picture(document) if thumbnail else (b"", (0, 0))
        except pdfium.PdfiumError as error:
            raise PdfError("unreadable") from error
        finally:
            document.close()
    return PdfFacts(pages=pages, thumbnail=picture, thumbnail_size=size)


def _first_page_picture(document):
    page = document[0]
    try:
        width, height = page.get_size()
        if width <= 0 or height <= 0:
            raise PdfError("unreadable")
        # PDFium rounds the bitmap's size up: a hair less keeps 400 from becoming 401.
        scale = min(THUMBNAIL_WIDTH / width, THUMBNAIL_MAX_HEIGHT / height) * (1 - 1e-9)
        bitmap = page.render(scale=scale)
        try:
            image = bitmap.to_pil()
            buffer = io.BytesIO()
            image.save(buffer, THUMBNAIL_FORMAT, quality=80, method=4)
        finally:
            bitmap.close()
    finally:
        page.close()
    return buffer.getvalue(), image.size
