"""Reading uploaded PDFs with PDFium (pypdfium2): is it a PDF that opens, how many pages it
has, a picture of its first page, and its text (for the site search).

A file passes only if PDFium (Chromium's PDF engine) opens it without a password and can draw
its first page: a renamed file, a damaged or cut-off download and a password-protected copy are
all refused before they are saved."""

import io
import re
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
# The text kept for the search: about a hundred pages of a dense report. PostgreSQL's tsvector
# (the search index) holds at most 1 MB, which even a page-long jumble of unique tokens this
# size stays well under.
MAX_TEXT_CHARS = 300_000
# Control characters (PDFium marks hyphens and line ends with some; PostgreSQL refuses NUL) and
# the private-use characters the search uses to mark matches in snippets.
_UNWANTED_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\r\f\v]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")

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
    text: str | None = None  # None when not asked for; "" for a PDF of scanned images


def read_pdf(data, *, thumbnail=True, text=False):
    """Open `data` (the PDF's bytes) with PDFium; its page count, its first page as a WebP
    picture, and (if `text`) its text. Raises PdfError if PDFium cannot open it or draw its
    first page."""
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
            words = _text(document) if text else None
        except pdfium.PdfiumError as error:
            raise PdfError("unreadable") from error
        finally:
            document.close()
    return PdfFacts(pages=pages, thumbnail=picture, thumbnail_size=size, text=words)


def _text(document):
    """The text of the pages in order, tidied, up to MAX_TEXT_CHARS characters."""
    parts, length = [], 0
    for index in range(len(document)):
        page = document[index]
        try:
            textpage = page.get_textpage()
            try:
                part = clean_text(textpage.get_text_bounded())
            finally:
                textpage.close()
        except pdfium.PdfiumError:
            part = ""  # a page whose text PDFium cannot read is left out, not the document
        finally:
            page.close()
        if part:
            parts.append(part)
            length += len(part) + 2
        if length >= MAX_TEXT_CHARS:
            break
    return "\n\n".join(parts)[:MAX_TEXT_CHARS]


def clean_text(value):
    """Text without control characters, with runs of spaces and blank lines collapsed."""
    value = _UNWANTED_CHARS.sub(" ", value.replace("\r\n", "\n").replace("\r", "\n"))
    value = _SPACES.sub(" ", value)
    return _BLANK_LINES.sub("\n\n", value).strip()


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
