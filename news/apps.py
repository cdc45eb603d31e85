from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "news"
    verbose_name = _("News")

    def ready(self):
        from core.cache import register_content_models
        from core.publishing import published

        from .alerts import alerts_on_publish

        # Whichever path publishes a report or press feature (editorial.workflow.publish()).
        published.connect(alerts_on_publish, sender=self.get_model("NewsItem"))

        # Not AlertDelivery: an alert email sent changes no page.
        register_content_models(self.get_model("NewsItem"), scheduled=True)
        register_content_models(self.get_model("Article"))
        register_content_models(self.get_model("ItemDocument"))

        from . import documents

        # The documents' text the site search reads from the item's row (news/documents.py).
        documents.connect()

        from editorial.dashboard import register_dashboard

        from . import dashboard

        register_dashboard(
            self.get_model("NewsItem"),
            publishable=True,
            heavy_fields=dashboard.HEAVY_FIELDS,
            sections=dashboard.sections,
        )
