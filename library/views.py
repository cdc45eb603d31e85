"""The document view: a library document's file (or its first page's picture) at
/documents/<pk>/<readable name>, to whoever may have it, counted as a download when it is one.

Who may have it: staff with library.view_document always (to check files before publishing);
anyone else only while at least one live item uses it, and then, when it is for members (the
document says so, or every live item that uses it is members-only), members with a confirmed
email: a visitor is sent to log in, a logged-in account without one gets a 403. A document no
live item uses is a 404 to them, as one that does not exist.

The file is sent with its readable name, shown in the browser for a PDF and downloaded for the
others, with single byte ranges (PDF viewers read large files in pieces)."""

import hashlib
import re

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.utils.cache import get_conditional_response
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views import View

from files.media import protect_file
from files.pdfs import THUMBNAIL_CONTENT_TYPE

from .documents import CONTENT_TYPES
from .downloads import count_download
from .models import Document, FileType
from .usage import usages

# The largest id a database column holds: beyond it, a 404 without a query (PostgreSQL would
# refuse the number).
MAX_ID = 2**63 - 1
RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")
CHUNK = 64 * 1024


def no_such_document():
    return Http404(_("There is no such document."))


def get_document(pk):
    if pk > MAX_ID:
        raise no_such_document()
    try:
        return Document.objects.get(pk=pk)
    except Document.DoesNotExist:
        raise no_such_document() from None


def check_access(request, document):
    """Whether anyone may have `document` now (public); raises Http404 or PermissionDenied,
    or returns a redirect to the login page, for those who may not have it."""
    live = [use for use in usages(document) if use.is_live]
    members_only = document.is_members_only or (
        bool(live) and all(getattr(use.item, "is_members_only", False) for use in live)
    )
    is_public = bool(live) and not members_only
    if request.user.has_perm("library.view_document"):
        return is_public, None
    if not live:
        raise no_such_document()
    if members_only:
        if not request.user.is_authenticated:
            return is_public, redirect_to_login(request.get_full_path())
        if not request.user.is_member:
            raise PermissionDenied(_("This document is for members with a confirmed email."))
    return is_public, None


def etag_of(name, size):
    digest = hashlib.sha256(f"{name}:{size}".encode()).hexdigest()[:32]
    return f'"{digest}"'


def requested_range(request, size, etag):
    """(first, last) byte of a single range to send, "unsatisfiable", or None for the whole
    file. Several ranges, other units or a stale If-Range get the whole file, as HTTP allows."""
    header = request.headers.get("Range", "").strip()
    if not header or size == 0:
        return None
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range.strip() != etag:
        return None
    match = RANGE.match(header)
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        if int(last) == 0:
            return "unsatisfiable"
        return max(size - int(last), 0), size - 1
    first, last = int(first), (int(last) if last else size - 1)
    if first >= size:
        return "unsatisfiable"
    if last < first:
        return None
    return first, min(last, size - 1)


def read_range(handle, first, length):
    try:
        handle.seek(first)
        while length > 0:
            chunk = handle.read(min(CHUNK, length))
            if not chunk:
                break
            length -= len(chunk)
            yield chunk
    finally:
        handle.close()


def file_response(request, field_file, content_type, filename, inline):
    """The stored file as a response (200, 206, 304 or 416); a 404 when it is gone."""
    try:
        handle = field_file.storage.open(field_file.name, "rb")
        size = handle.size
    except (FileNotFoundError, OSError):
        raise no_such_document() from None
    etag = etag_of(field_file.name, size)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        handle.close()
        return not_modified
    wanted = requested_range(request, size, etag)
    if wanted == "unsatisfiable":
        handle.close()
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is not None:
        first, last = wanted
        response = StreamingHttpResponse(
            read_range(handle, first, last - first + 1), status=206, content_type=content_type
        )
        # Closed with the response even when its body is never read (a HEAD request).
        response._resource_closers.append(handle.close)
        response["Content-Length"] = str(last - first + 1)
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    else:
        response = FileResponse(handle, content_type=content_type)
        response["Content-Length"] = str(size)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["Accept-Ranges"] = "bytes"
    response["ETag"] = etag
    return protect_file(response)


def cache_control(response, is_public):
    # Staff see documents no live item uses yet: only what anyone may have is shared.
    response["Cache-Control"] = "public, max-age=3600" if is_public else "private, no-store"
    return response


class DocumentView(View):
    def get(self, request, pk, name):
        document = get_document(pk)
        is_public, login = check_access(request, document)
        if login:
            return login
        if name != document.readable_name:
            # An old name (the title changed since the link was made).
            return cache_control(redirect(document, permanent=True), is_public)
        response = file_response(
            request,
            document.file,
            CONTENT_TYPES[FileType(document.file_type)],
            document.readable_name,
            inline=document.file_type == FileType.PDF,
        )
        count_download(request, document, response)
        return cache_control(response, is_public)


class FirstPageView(View):
    """The picture of a PDF's first page, to whoever may have the PDF."""

    def get(self, request, pk, extension):
        document = get_document(pk)
        is_public, login = check_access(request, document)
        if login:
            return login
        if not document.thumbnail or not document.thumbnail_url.endswith(f".{extension}"):
            raise no_such_document()
        stem = document.readable_name.rsplit(".", 1)[0]
        response = file_response(
            request,
            document.thumbnail,
            THUMBNAIL_CONTENT_TYPE,
            f"{stem}-first-page.{extension}",
            inline=True,
        )
        return cache_control(response, is_public)
