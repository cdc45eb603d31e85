"""Checks that an upload is what it claims to be, run by the model fields' validators (and, for
images, by their form field first: see files/fields.py)."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .pdfs import PdfError, read_pdf

PDF_MAGIC = b"%PDF-"
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_IMAGE_PIXELS = 40_000_000


def is_stored(upload):
    """A file already saved was checked when it was uploaded; only new uploads need reading
    (and a stored file missing from disk must not stop staff from saving other fields)."""
    return getattr(upload, "_committed", False)


def _read_all(upload):
    upload.seek(0)
    try:
        return upload.read()
    finally:
        upload.seek(0)


def validate_pdf_upload(upload):
    """A PDF that PDFium opens without a password and whose first page it can draw. What was
    learnt (page count, first-page picture) is kept on the upload for the model's save()."""
    if is_stored(upload):
        return
    if upload.size > settings.MPED_MAX_PDF_BYTES:
        raise ValidationError(
            _("This PDF is %(size)s; the largest allowed is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MPED_MAX_PDF_BYTES),
            }
        )
    data = _read_all(upload)
    # A real PDF starts with its header within the first kilobyte; a renamed file does not.
    if PDF_MAGIC not in data[:1024]:
        raise ValidationError(_("This file is not a PDF. Upload a PDF document."))
    try:
        upload.pdf_facts = read_pdf(data)
    except PdfError as error:
        if error.reason == "password":
            message = _(
                "This PDF is protected by a password, so readers could not open it. "
                "Save a copy without a password and upload that."
            )
        elif error.reason == "empty":
            message = _("This PDF has no pages.")
        else:
            message = _(
                "This PDF is damaged and cannot be opened (perhaps it was not copied in full). "
                "Upload a complete copy of the document."
            )
        raise ValidationError(message) from None


def too_many_pixels():
    return ValidationError(
        _(
            "This image has too many pixels: the largest allowed is %(megapixels)s megapixels. "
            "Make it smaller and upload it again."
        )
        % {"megapixels": MAX_IMAGE_PIXELS // 1_000_000}
    )


def check_image(upload):
    """A JPEG, PNG, WebP or GIF within the size and pixel limits that Pillow reads in full.

    An image that declares a huge size (a "decompression bomb": a few kilobytes that would
    unpack into gigabytes) is refused from its header, before anything is decoded."""
    if upload.size > settings.MPED_MAX_IMAGE_BYTES:
        raise ValidationError(
            _("This image is %(size)s; the largest allowed is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MPED_MAX_IMAGE_BYTES),
            }
        )
    not_an_image = ValidationError(
        forms.ImageField.default_error_messages["invalid_image"], code="invalid_image"
    )
    try:
        upload.seek(0)
        # Pillow refuses (DecompressionBombError) or warns about (DecompressionBombWarning)
        # images far larger than ours may be, on opening, from the size in their header.
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise too_many_pixels()
            image.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()  # a cut-off file passes verify() but not decoding
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise too_many_pixels() from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise not_an_image from None
    finally:
        upload.seek(0)


def validate_image_upload(upload):
    if is_stored(upload) or getattr(getattr(upload, "file", None), "mped_checked", False):
        return
    check_image(upload)
