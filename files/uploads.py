"""What a model learns from its uploads when it is saved: a PDF's page count, a picture of its
first page and its text (for the site search). (Images live in the media library, which
measures them and makes their renditions: library/renditions.py.)

The uploads were checked by the fields' validators (files/validators.py) before the save; here a
stored file that cannot be read (gone from disk, saved before these checks) is only logged, so
staff can always save the item's other fields."""

import dataclasses
import logging
import posixpath
from dataclasses import dataclass

from django.core.files.base import ContentFile

from .pdfs import THUMBNAIL_EXTENSION, PdfError, read_pdf

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PdfDetails:
    """The PDF in `field`: its page count in `pages`, (if given) a picture of its first page
    in the image field `thumbnail` with its size in `<thumbnail>_width`/`_height`, and (if
    given) its text in the text field `text`."""

    field: str
    pages: str
    thumbnail: str = ""
    text: str = ""

    def fields(self):
        fields = [self.pages]
        if self.thumbnail:
            fields += [self.thumbnail, f"{self.thumbnail}_width", f"{self.thumbnail}_height"]
        if self.text:
            fields.append(self.text)
        return fields


def read_field_file(field_file):
    """The bytes of a file, whether just uploaded (not yet stored) or stored."""
    if not field_file._committed:
        handle = field_file.file
        handle.seek(0)
        try:
            return handle.read()
        finally:
            handle.seek(0)
    with field_file.storage.open(field_file.name, "rb") as handle:
        return handle.read()


class UploadDetailsMixin:
    """Keeps a model's `upload_details` up to date on save, reading only files that are new
    since the object was loaded (or whose details are still missing)."""

    upload_details = ()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._remember_stored_files()
        return instance

    def _remember_stored_files(self):
        self._stored_files = {}
        for details in self.upload_details:
            value = self.__dict__.get(details.field)  # absent when the field was deferred
            if value is not None:
                self._stored_files[details.field] = getattr(value, "name", value)

    def _is_new_file(self, field):
        field_file = getattr(self, field)
        if not field_file._committed:
            return True
        return getattr(self, "_stored_files", {}).get(field) != field_file.name

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        for details in self.upload_details:
            if update_fields is not None:
                if details.field not in update_fields:
                    continue
                kwargs["update_fields"] = update_fields = {*update_fields, *details.fields()}
            self._update_pdf_details(details)
        super().save(*args, **kwargs)
        self._remember_stored_files()

    def _update_pdf_details(self, details):
        field_file = getattr(self, details.field)
        if not field_file:
            setattr(self, details.pages, 0)
            self._set_thumbnail(details, None)
            if details.text:
                setattr(self, details.text, "")
            return
        if not self._is_new_file(details.field) and getattr(self, details.pages):
            return
        facts = getattr(field_file, "pdf_facts", None)  # the validator read it already
        if facts is None or (details.text and facts.text is None):
            try:
                read = read_pdf(
                    read_field_file(field_file),
                    thumbnail=bool(details.thumbnail) and facts is None,
                    text=bool(details.text),
                )
            except (OSError, PdfError):
                logger.warning("Could not read the PDF %s", field_file.name, exc_info=True)
            else:
                facts = read if facts is None else dataclasses.replace(facts, text=read.text)
        setattr(self, details.pages, facts.pages if facts else 0)
        self._set_thumbnail(details, facts)
        if details.text:
            setattr(self, details.text, (facts.text or "") if facts else "")

    def _set_thumbnail(self, details, facts):
        if not details.thumbnail:
            return
        width = height = 0
        if facts and facts.thumbnail:
            stem = posixpath.splitext(posixpath.basename(getattr(self, details.field).name))[0]
            getattr(self, details.thumbnail).save(
                stem + THUMBNAIL_EXTENSION, ContentFile(facts.thumbnail), save=False
            )
            width, height = facts.thumbnail_size
        else:
            setattr(self, details.thumbnail, "")
        setattr(self, f"{details.thumbnail}_width", width)
        setattr(self, f"{details.thumbnail}_height", height)
