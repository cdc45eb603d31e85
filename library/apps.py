from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibraryConfig(AppConfig):
    """The media library: images (with a focal point and renditions cropped around it) and
    documents (PDF, DOCX, XLSX; with readable download names and download counts), uploaded once
    and chosen from the library wherever an item shows one."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "library"
    verbose_name = _("Media library")

    def ready(self):
        from core.cache import register_content_models
        from editorial.dashboard import register_dashboard

        from . import dashboard

        # Items show their documents' titles, types and sizes. Not DownloadCount: a download
        # changes no page (and must not empty the page cache).
        register_content_models(self.get_model("Document"))
        # Pages show images' renditions (named after the focal point) and alt text: a changed
        # image changes them.
        register_content_models(self.get_model("Image"))
        register_dashboard(self.get_model("Document"), sections=dashboard.sections)
