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

        from core.mail import register_site_name

        # The name every email gives the site (core/mail.py).
        register_site_name(lambda: self.get_model("SiteSettings").load().site_name)

        from editorial.dashboard import register_dashboard

        register_dashboard(
            self.get_model("ProgramPage"),
            publishable=True,
            stale=True,
            # Never needed on the dashboard, and long.
            heavy_fields=[
                "body_en",
                "body_fr",
                "body_km",
                "closing_en",
                "closing_fr",
                "closing_km",
            ],
        )
