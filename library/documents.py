"""What a library document is, found by reading it, never from its name: a PDF (opened by
PDFium, files/pdfs.py), a Word document (DOCX) or a spreadsheet (XLSX). The upload check
(validate_document, run by Document.clean_fields) refuses anything else with a message that
says why; what it learnt (type, pages, text, a PDF's first page) is kept on the upload for
Document.save() (update_facts), which reads a stored file again only when it must.

DOCX and XLSX are zip files of XML parts (Office Open XML, ECMA-376). One is accepted only if
its [Content_Types].xml names the main part of a Word document or an Excel workbook, the main
part is there and is well-formed XML, it holds no macros, it is not encrypted, and it unpacks
to a bounded size (a "zip bomb" of a few kilobytes could unpack into gigabytes).

The XML is read with the standard library's expat, in a stream, refusing any DTD or entity
declaration (what defusedxml does; an Office part never has one): no "billion laughs", no
external entity is ever fetched. defusedxml itself is only in the development lock."""

import dataclasses
import logging
import posixpath
import zipfile
import zlib
from dataclasses import dataclass
from xml.parsers import expat

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from files.pdfs import MAX_TEXT_CHARS, THUMBNAIL_EXTENSION, PdfError, clean_text, read_pdf
from files.validators import PDF_MAGIC, is_stored, validate_pdf_upload

from .models import FileType

logger = logging.getLogger(__name__)

ZIP_MAGIC = b"PK\x03\x04"
# The Compound File Binary format: old .doc/.xls files, and password-protected DOCX/XLSX
# (whose zip is encrypted inside an "EncryptedPackage" stream).
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")

# A real document has a few dozen parts and unpacks to a few times its size; a spreadsheet of
# a million cells to a few hundred megabytes at most.
MAX_PARTS = 10_000
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
CHUNK = 256 * 1024
MAX_PAGES = 1_000_000

CONTENT_TYPES_PART = "[Content_Types].xml"
APP_PROPERTIES_PART = "docProps/app.xml"
MAIN_TYPES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": (
        FileType.DOCX
    ),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": FileType.XLSX,
}
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
# Content types are compared in lower case (RFC 9110: they are case-insensitive).
SHARED_STRINGS_TYPE = f"{SPREADSHEET_TYPE}.sharedstrings+xml"
WORKSHEET_TYPE = f"{SPREADSHEET_TYPE}.worksheet+xml"

CONTENT_TYPES = {
    FileType.PDF: "application/pdf",
    FileType.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    FileType.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
EXTENSIONS = {file_type: f".{file_type.value}" for file_type in FileType}


@dataclass
class DocumentFacts:
    file_type: str
    pages: int = 0
    text: str | None = None  # None: not read yet (a PDF's text is read when it is saved)
    thumbnail: bytes = b""  # a PDF's first page (WebP)
    thumbnail_size: tuple = (0, 0)


class DocumentError(Exception):
    """The file cannot be a library document; `reason` says why."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def messages():
    return {
        "not-a-document": _(
            "This file is not a PDF, a Word document (DOCX) or a spreadsheet (XLSX). Upload one "
            "of those (save other formats as PDF first)."
        ),
        "old-office": _(
            "This is an older Word or Excel file (.doc or .xls). Open it and save it as a Word "
            "document (.docx), a spreadsheet (.xlsx) or a PDF, then upload that."
        ),
        "password": _(
            "This file is protected by a password, so readers could not open it. Save a copy "
            "without a password and upload that."
        ),
        "other-office": _(
            "This is an Office file, but not a Word document (DOCX) or a spreadsheet (XLSX): "
            "only those two, and PDFs, can be uploaded."
        ),
        "macros": _(
            "This file contains macros (a .docm or .xlsm, or a document with a VBA project), "
            "which could run code on readers' computers. Save it as a plain Word document "
            "(.docx) or spreadsheet (.xlsx) and upload that."
        ),
        "too-big-unpacked": _(
            "This file would unpack to more than %(limit)s, far more than a real document: it "
            "may be damaged, or built to overload the site. Upload a smaller or a freshly saved "
            "copy."
        )
        % {"limit": filesizeformat(MAX_UNPACKED_BYTES)},
        "damaged": _(
            "This file is damaged and cannot be opened (perhaps it was not copied in full). "
            "Upload a complete copy of the document."
        ),
    }


# Reading Office Open XML ------------------------------------------------------------------------


class _Refused(Exception):
    pass


def _refuse(*args):
    raise _Refused


def _local(name):
    """An element's or attribute's name without its namespace ("namespace}name")."""
    return name.rsplit("}", 1)[-1]


class _Handler:
    """Collects what a part's elements hold; subclasses say what. `done` stops the reading."""

    done = False

    def start(self, name, attributes):
        pass

    def end(self, name):
        pass

    def text(self, data):
        pass


def _parse_part(archive, name, handler):
    """Stream the part `name` of `archive` through expat into `handler`."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.buffer_text = True
    # An Office part has no DTD: refusing any makes entity expansion impossible.
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = lambda tag, attributes: handler.start(_local(tag), attributes)
    parser.EndElementHandler = lambda tag: handler.end(_local(tag))
    parser.CharacterDataHandler = handler.text
    with archive.open(name) as stream:
        while chunk := stream.read(CHUNK):
            parser.Parse(chunk, False)
            if handler.done:
                return
    parser.Parse(b"", True)


class _ContentTypes(_Handler):
    def __init__(self):
        self.overrides = {}  # part name (without the leading "/") -> content type
        self.defaults = {}  # extension -> content type

    def start(self, name, attributes):
        content_type = attributes.get("ContentType", "").strip().lower()
        if name == "Override" and attributes.get("PartName"):
            self.overrides[attributes["PartName"].lstrip("/")] = content_type
        elif name == "Default" and attributes.get("Extension"):
            self.defaults[attributes["Extension"].lower()] = content_type


class _Text(_Handler):
    """Text inside the elements named `text_tags`, within `scope` (any element when None),
    a line per element named in `line_tags`, up to MAX_TEXT_CHARS."""

    def __init__(self, text_tags=("t",), line_tags=(), scope=None, skip=()):
        self.text_tags, self.line_tags, self.scope, self.skip = text_tags, line_tags, scope, skip
        self.parts, self.length = [], 0
        self.in_text = self.in_scope = self.skipping = 0

    def start(self, name, attributes):
        if name == self.scope:
            self.in_scope += 1
        elif name in self.skip:
            self.skipping += 1
        elif name in self.text_tags:
            self.in_text += 1
        elif name in ("tab",):
            self.add(" ")
        elif name in ("br", "cr"):
            self.add("\n")

    def end(self, name):
        if name == self.scope:
            self.in_scope -= 1
        elif name in self.skip:
            self.skipping -= 1
        elif name in self.text_tags:
            self.in_text -= 1
        if name in self.line_tags:
            self.add("\n")

    def text(self, data):
        if self.in_text and not self.skipping and (self.scope is None or self.in_scope):
            self.add(data)

    def add(self, data):
        self.parts.append(data)
        self.length += len(data)
        if self.length > MAX_TEXT_CHARS:
            self.done = True

    def value(self):
        return "".join(self.parts)


class _Pages(_Handler):
    def __init__(self):
        self.in_pages = False
        self.digits = ""

    def start(self, name, attributes):
        self.in_pages = name == "Pages"

    def end(self, name):
        self.in_pages = False

    def text(self, data):
        if self.in_pages and len(self.digits) < 12:
            self.digits += data.strip()


def _has_macros(archive, content_types):
    types = [*content_types.overrides.values(), *content_types.defaults.values()]
    if any("macroenabled" in value or "vbaproject" in value for value in types):
        return True
    return any(
        posixpath.basename(info.filename).lower() in ("vbaproject.bin", "vbadata.xml")
        for info in archive.infolist()
    )


def read_office(data):
    """The facts of a DOCX or XLSX given as bytes; DocumentError if it is neither, or is
    unsafe."""
    try:
        archive = zipfile.ZipFile(_BytesReader(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError):
        raise DocumentError("damaged") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_PARTS:
            raise DocumentError("too-big-unpacked")
        if any(info.flag_bits & 0x1 for info in infos):  # zip encryption
            raise DocumentError("password")
        if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
            raise DocumentError("too-big-unpacked")
        names = {info.filename for info in infos}
        if CONTENT_TYPES_PART not in names:
            raise DocumentError("not-a-document")
        try:
            return _read_parts(archive, names)
        except (_Refused, expat.ExpatError):
            raise DocumentError("damaged") from None
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, RuntimeError):
            raise DocumentError("damaged") from None
        except NotImplementedError:  # a compression method zipfile does not know
            raise DocumentError("damaged") from None


def _read_parts(archive, names):
    content_types = _ContentTypes()
    _parse_part(archive, CONTENT_TYPES_PART, content_types)
    if _has_macros(archive, content_types):
        raise DocumentError("macros")
    main = [
        (part, MAIN_TYPES[value])
        for part, value in content_types.overrides.items()
        if value in MAIN_TYPES
    ]
    if not main:
        if any("officedocument" in value for value in content_types.overrides.values()):
            raise DocumentError("other-office")
        raise DocumentError("not-a-document")
    main_part, file_type = main[0]
    if main_part not in names:
        raise DocumentError("damaged")
    if file_type == FileType.DOCX:
        body = _Text(text_tags=("t",), line_tags=("p",), skip=("delText", "instrText"))
        _parse_part(archive, main_part, body)
        pages = 0
        if APP_PROPERTIES_PART in names:
            counter = _Pages()
            _parse_part(archive, APP_PROPERTIES_PART, counter)
            if counter.digits.isdigit():
                pages = min(int(counter.digits), MAX_PAGES)
        return DocumentFacts(file_type, pages=pages, text=clean_text(body.value()))
    # A workbook: its main part must parse; the text is in the shared strings and in cells
    # that hold their string inline.
    _parse_part(archive, main_part, _Handler())
    texts = []
    length = 0
    strings = [p for p, v in content_types.overrides.items() if v == SHARED_STRINGS_TYPE]
    sheets = sorted(p for p, v in content_types.overrides.items() if v == WORKSHEET_TYPE)
    for part in strings:
        if part in names and length <= MAX_TEXT_CHARS:
            reader = _Text(text_tags=("t",), line_tags=("si",), skip=("rPh",))
            _parse_part(archive, part, reader)
            texts.append(reader.value())
            length += reader.length
    for part in sheets:
        if part in names and length <= MAX_TEXT_CHARS and _mentions(archive, part, b"inlineStr"):
            reader = _Text(text_tags=("t",), line_tags=("is",), scope="is", skip=("rPh",))
            _parse_part(archive, part, reader)
            texts.append(reader.value())
            length += reader.length
    return DocumentFacts(file_type, text=clean_text("\n".join(texts))[:MAX_TEXT_CHARS])


def _mentions(archive, part, word):
    """Whether the part's bytes hold `word` (cheaper than parsing a big sheet of numbers)."""
    tail = b""
    with archive.open(part) as stream:
        while chunk := stream.read(CHUNK):
            if word in tail + chunk:
                return True
            tail = chunk[-len(word) :]
    return False


class _BytesReader:
    """A seekable file over bytes that zipfile reads without copying them."""

    def __init__(self, data):
        self.view = memoryview(data)
        self.position = 0

    def read(self, size=-1):
        end = len(self.view) if size is None or size < 0 else self.position + size
        chunk = self.view[self.position : end].tobytes()
        self.position += len(chunk)
        return chunk

    def seek(self, offset, whence=0):
        base = {0: 0, 1: self.position, 2: len(self.view)}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self):
        return self.position

    def seekable(self):
        return True


# Checking an upload ----------------------------------------------------------------------------


def sniff(data):
    """The kind of file the bytes say it is: "pdf", "zip", "ole" or ""."""
    if data.startswith(ZIP_MAGIC):
        return "zip"
    if data.startswith(OLE_MAGIC):
        return "ole"
    # A real PDF starts with its header within the first kilobyte.
    if PDF_MAGIC in data[:1024]:
        return "pdf"
    return ""


def read_document(data):
    """The facts of a document given as bytes, whatever its name. Raises DocumentError, or
    PdfError for a PDF that PDFium refuses."""
    kind = sniff(data)
    if kind == "pdf":
        facts = read_pdf(data, thumbnail=True, text=True)
        return DocumentFacts(
            FileType.PDF,
            pages=facts.pages,
            text=facts.text,
            thumbnail=facts.thumbnail,
            thumbnail_size=facts.thumbnail_size,
        )
    if kind == "zip":
        return read_office(data)
    if kind == "ole":
        raise DocumentError("password" if ENCRYPTED_PACKAGE in data else "old-office")
    raise DocumentError("not-a-document")


def _extension(name):
    return posixpath.splitext(name or "")[1].lower()


def validate_document(upload):
    """Django validator for a Document's file: a PDF, DOCX or XLSX, read in full; the name's
    extension must say what the file is (a PDF named .docx would be offered to readers as a
    Word file). The facts are kept on the upload as `document_facts`."""
    if is_stored(upload):
        return
    if upload.size > settings.MPED_MAX_PDF_BYTES:
        raise ValidationError(
            _("This file is %(size)s; the largest allowed is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MPED_MAX_PDF_BYTES),
            },
            code="too_big",
        )
    upload.seek(0)
    try:
        data = upload.read()
    finally:
        upload.seek(0)
    kind = sniff(data)
    if kind == "pdf":
        validate_pdf_upload(upload)  # PDFium opens it and draws its first page; its messages
        facts = DocumentFacts(
            FileType.PDF,
            pages=upload.pdf_facts.pages,
            thumbnail=upload.pdf_facts.thumbnail,
            thumbnail_size=upload.pdf_facts.thumbnail_size,
        )
    else:
        try:
            facts = read_document(data)
        except DocumentError as error:
            raise ValidationError(messages()[error.reason], code=error.reason) from None
    extension = _extension(upload.name)
    if extension != EXTENSIONS[facts.file_type]:
        raise ValidationError(
            _(
                "This file's name ends in “%(extension)s”, but the file is a %(kind)s. Rename it "
                "to end in “%(expected)s” (or upload the file its name promises)."
            )
            % {
                "extension": extension or _("(no extension)"),
                "kind": FileType(facts.file_type).label,
                "expected": EXTENSIONS[facts.file_type],
            },
            code="wrong_extension",
        )
    upload.document_facts = facts


# Filling a Document's facts on save -------------------------------------------------------------

FACT_FIELDS = [
    "file_type",
    "size",
    "pages",
    "text",
    "thumbnail",
    "thumbnail_width",
    "thumbnail_height",
]


def _read_bytes(field_file):
    if not field_file._committed:
        handle = field_file.file
        handle.seek(0)
        try:
            return handle.read()
        finally:
            handle.seek(0)
    with field_file.storage.open(field_file.name, "rb") as handle:
        return handle.read()


def facts_of(field_file):
    """The facts of the file in `field_file`: from its upload check when it had one, else read;
    None if it cannot be read (gone from storage, or not a document)."""
    facts = getattr(field_file, "document_facts", None) if not field_file._committed else None
    try:
        if facts is None:
            return read_document(_read_bytes(field_file))
        if facts.text is None:  # a PDF whose text the check did not read
            text = read_pdf(_read_bytes(field_file), thumbnail=False, text=True).text
            return dataclasses.replace(facts, text=text)
        return facts
    except (OSError, DocumentError, PdfError, ValueError):
        logger.warning("Could not read the document %s", field_file.name, exc_info=True)
        return None


def update_facts(document, update_fields=None):
    """Before `document` is saved: when its file is new since it was loaded (or its facts were
    never read), read the type, size, pages, text and first page. Returns the update_fields
    to save (with the facts' fields when `update_fields` names the file)."""
    if update_fields is not None:
        if "file" not in update_fields:
            return update_fields
        update_fields = {*update_fields, *FACT_FIELDS}
    field_file = document.file
    is_new = not field_file._committed or field_file.name != getattr(document, "_stored_file", None)
    if not field_file:
        document.size = document.pages = 0
        document.text = ""
        _set_thumbnail(document, None)
        return update_fields
    if not is_new and document.size:
        return update_fields
    facts = facts_of(field_file)
    try:
        document.size = field_file.size
    except (OSError, ValueError):
        document.size = 0
    if facts is None:
        return update_fields
    document.file_type = facts.file_type
    document.pages = facts.pages
    document.text = facts.text or ""
    _set_thumbnail(document, facts)
    return update_fields


def _set_thumbnail(document, facts):
    if facts and facts.thumbnail:
        stem = posixpath.splitext(posixpath.basename(document.file.name))[0]
        picture = ContentFile(facts.thumbnail)
        document.thumbnail.save(stem + THUMBNAIL_EXTENSION, picture, save=False)
        document.thumbnail_width, document.thumbnail_height = facts.thumbnail_size
    else:
        document.thumbnail = ""
        document.thumbnail_width = document.thumbnail_height = 0
