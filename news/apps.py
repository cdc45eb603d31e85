from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "news"
    verbose_name = _("News")

    def ready(self):
        from core.cache import register_content_models

        # Not AlertDelivery: an alert email sent changes no page.
        register_content_models(self.get_model("NewsItem"), scheduled=True)
        register_content_models(self.get_model("Article"))

        from editorial.dashboard import register_dashboard

        from . import dashboard

        register_dashboard(
            self.get_model("NewsItem"),
            publishable=True,
            heavy_fields=dashboard.HEAVY_FIELDS,
            sections=dashboard.sections,
        )
