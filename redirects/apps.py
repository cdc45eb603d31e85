from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedirectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "redirects"
    verbose_name = _("Redirects")

    def ready(self):
        from . import moves

        moves.connect_signals()
