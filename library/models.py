"""The media library's rows: images, their tags and renditions; documents and their monthly
download counts. Content apps point at them with library.fields.image_field() and foreign keys
to Document; the library never imports a content app (where an image or document is used is
found through the relations that point at it)."""

import posixpath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from files.fields import CheckedImageField
from files.storage import get_private_storage
from files.validators import validate_image_upload

from . import images


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self):
        return self.name


class LibraryItem(models.Model):
    """What images and documents both have: who uploaded them and when."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]


def percent_field(verbose_name, help_text):
    return models.PositiveSmallIntegerField(
        verbose_name, default=50, validators=[MaxValueValidator(100)], help_text=help_text
    )


class Image(LibraryItem):
    """A picture uploaded once and shown wherever staff choose it, cropped around its focal
    point for each place (library/renditions.py)."""

    title = models.CharField(
        _("title"), max_length=250, help_text=_("For finding the image in the library.")
    )
    file = CheckedImageField(
        _("image file"),
        upload_to="library/images/%Y/",
        max_length=255,
        validators=[validate_image_upload],
    )
    width = models.PositiveIntegerField(_("width"), default=0, editable=False)
    height = models.PositiveIntegerField(_("height"), default=0, editable=False)
    # In each language (library/translation.py); English is required, the others fall back to
    # it, marked as English for screen readers.
    alt = models.CharField(
        _("description (alt text)"),
        max_length=250,
        help_text=_("What the image shows, for readers who cannot see it."),
    )
    credit = models.CharField(
        _("credit and licence"),
        max_length=250,
        blank=True,
        help_text=_("For example: Photo: FCM, CC BY 4.0."),
    )
    focal_x = percent_field(
        _("focal point across (%)"),
        _("Where the subject is, from the left edge (0) to the right edge (100)."),
    )
    focal_y = percent_field(
        _("focal point down (%)"),
        _("Where the subject is, from the top (0) to the bottom (100)."),
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="images", verbose_name=_("tags"))

    class Meta(LibraryItem.Meta):
        verbose_name = _("image")
        verbose_name_plural = _("images")
        # Changing an image that live pages show changes them at once: a publisher's power.
        permissions = [("change_live_image", _("Can change images shown on live pages"))]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # Its size from a new file before; its renditions made (or removed) after
        # (library/images.py).
        kwargs["update_fields"] = images.before_save(self, kwargs.get("update_fields"))
        super().save(*args, **kwargs)
        images.after_save(self)


@receiver(post_delete, sender=Image, dispatch_uid="library_image_renditions_removed")
def image_deleted(sender, instance, **kwargs):
    images.after_delete(instance)


class Rendition(models.Model):
    """One file made from an image for one place it is shown (a spec: news card, page header,
    social card), at one width, in one format, for one focal point: made once, reused, and
    removed with the image or when the focal point moves."""

    image = models.ForeignKey(Image, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=20)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    format = models.CharField(max_length=8)
    focal_x = models.PositiveSmallIntegerField()
    focal_y = models.PositiveSmallIntegerField()
    file = models.ImageField(max_length=255)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["image", "spec", "width", "format", "focal_x", "focal_y"],
                name="one_rendition_per_place",
            )
        ]

    def __str__(self):
        return self.file.name


class FileType(models.TextChoices):
    PDF = "pdf", "PDF"
    DOCX = "docx", _("Word document (DOCX)")
    XLSX = "xlsx", _("Spreadsheet (XLSX)")


class Document(LibraryItem):
    """A file readers download (a report, an annex, a summary, an article's copy), uploaded
    once, linked from any number of items, stored privately and served by the document view
    under a name built from its title and language."""

    # In each language (library/translation.py); English is required.
    title = models.CharField(_("title"), max_length=250)
    file = models.FileField(
        _("file"),
        upload_to="library/documents/%Y/",
        storage=get_private_storage,
        max_length=255,
        help_text=_("A PDF, a Word document (DOCX) or a spreadsheet (XLSX)."),
    )
    language = models.CharField(
        _("language of the document"),
        max_length=10,
        choices=settings.LANGUAGES,
        default="en",
    )
    is_members_only = models.BooleanField(
        _("members only"),
        default=False,
        help_text=_("Only members with a confirmed email may download it, wherever it is linked."),
    )
    file_type = models.CharField(
        _("type"), max_length=8, choices=FileType.choices, default=FileType.PDF, editable=False
    )
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0, editable=False)
    pages = models.PositiveIntegerField(_("pages"), default=0, editable=False)
    # The document's text, read when it is saved, for the site search.
    text = models.TextField(_("text"), blank=True, editable=False)
    # A picture of a PDF's first page, stored and served like the document (privately).
    thumbnail = models.ImageField(
        _("first page"),
        upload_to="library/documents/%Y/",
        storage=get_private_storage,
        max_length=255,
        blank=True,
        editable=False,
    )
    thumbnail_width = models.PositiveSmallIntegerField(default=0, editable=False)
    thumbnail_height = models.PositiveSmallIntegerField(default=0, editable=False)
    tags = models.ManyToManyField(Tag, blank=True, related_name="documents", verbose_name=_("tags"))

    class Meta(LibraryItem.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        # Changing a document that live items offer changes what readers download at once.
        permissions = [("change_live_document", _("Can change documents offered on live pages"))]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        # The file's facts (library/documents.py): read when the file is new.
        from .documents import update_facts

        update_fields = update_facts(self, kwargs.get("update_fields"))
        if update_fields is not None:
            kwargs["update_fields"] = update_fields
        super().save(*args, **kwargs)
        self._stored_file = self.file.name

    def get_absolute_url(self):
        return reverse("library:document", args=[self.pk, self.readable_name])

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_file = instance.__dict__.get("file")
        return instance

    def clean_fields(self, exclude=None):
        # The check by parsing is here rather than in the field's validators, so that every
        # form of a Document (the admin's, the chooser's upload) runs it without a schema
        # change.
        errors = {}
        try:
            super().clean_fields(exclude)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "file" not in (exclude or ()) and "file" not in errors and self.file:
            from .documents import validate_document

            try:
                validate_document(self.file)
            except ValidationError as error:
                errors["file"] = error.error_list
        if errors:
            raise ValidationError(errors)

    @property
    def readable_name(self):
        """The name readers download it under: the English title's slug, the document's
        language and its type, e.g. encouraging-womens-participation-2016-en.pdf."""
        stem = slugify(self.title_en or self.title)[:80].strip("-") or "document"
        return f"{stem}-{self.language}.{self.file_type}"

    @property
    def thumbnail_url(self):
        """The picture of a PDF's first page, served by the document view's rules."""
        if not self.thumbnail:
            return ""
        extension = posixpath.splitext(self.thumbnail.name)[1].lstrip(".")
        return reverse("library:first_page", args=[self.pk, extension])


class DownloadCount(models.Model):
    """How many times a document's file was sent in one month: a number, nothing about who
    (no cookie, no address, no browser is kept)."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="download_counts")
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    downloads = models.PositiveIntegerField(_("downloads"), default=0)

    class Meta:
        ordering = ["-month"]
        verbose_name = _("download count")
        verbose_name_plural = _("download counts")
        constraints = [
            models.UniqueConstraint(fields=["document", "month"], name="one_count_per_month")
        ]

    def __str__(self):
        return f"{self.document} {self.month:%Y-%m}: {self.downloads}"
