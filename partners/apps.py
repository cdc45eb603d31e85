from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "partners"
    verbose_name = _("Partners")

    def ready(self):
        from core.cache import register_content_models

        register_content_models(self.get_model("Municipality"), self.get_model("Partnership"))

        from editorial.dashboard import register_dashboard

        register_dashboard(
            self.get_model("Municipality"),
            stale=True,
            # Never needed on the dashboard, and long.
            heavy_fields=["description_en", "description_fr", "description_km"],
        )
