from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    """The media library: images (with a focal point and renditions cropped around it) and
    documents (PDF, DOCX, XLSX; with readable download names and download counts), uploaded once
    and chosen from the library wherever an item shows one."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "library"
    verbose_name = _("Media library")
