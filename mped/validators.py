"""Checks that an upload is what it claims to be, run by the model fields' validators."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

PDF_MAGIC = b"%PDF-"
IMAGE_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}
MAX_IMAGE_PIXELS = 40_000_000


def is_stored(upload):
    """A file already saved was checked when it was uploaded; only new uploads need reading
    (and a stored file missing from disk must not stop staff from saving other fields)."""
    return getattr(upload, "_committed", False)


def validate_pdf_upload(upload):
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
    upload.seek(0)
    head = upload.read(1024)
    upload.seek(0)
    # A real PDF starts with its header within the first kilobyte; a renamed file does not.
    if PDF_MAGIC not in head:
        raise ValidationError(_("This file is not a PDF. Upload a PDF document."))


def validate_image_upload(upload):
    if is_stored(upload):
        return
    if upload.size > settings.MPED_MAX_IMAGE_BYTES:
        raise ValidationError(
            _("This image is %(size)s; the largest allowed is %(limit)s.")
            % {
                "size": filesizeformat(upload.size),
                "limit": filesizeformat(settings.MPED_MAX_IMAGE_BYTES),
            }
        )
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in IMAGE_FORMATS:
                raise ValidationError(_("Upload a JPEG, PNG, WebP or GIF image."))
            if image.width * image.height > MAX_IMAGE_PIXELS:
                raise ValidationError(_("This image has too many pixels; make it smaller."))
            image.verify()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError):
        raise ValidationError(_("This file is not an image that can be read.")) from None
    finally:
        upload.seek(0)
