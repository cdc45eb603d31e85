from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pages"
    verbose_name = _("Program pages and site settings")

    def ready(self):
        from core.cache import register_content_models

        register_content_models(self.get_model("ProgramPage"), scheduled=True)
        # SiteSettings: the site's name and the home page's headings.
        names = ["PagePoint", "PageFigure", "SiteSettings"]
        register_content_models(*(self.get_model(name) for name in names))
