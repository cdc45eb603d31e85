from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FilesConfig(AppConfig):
    """File handling: upload checks, PDFs, image renditions, private storage (local or S3) and
    the headers of served uploads."""

    name = "files"
    verbose_name = _("Files")
