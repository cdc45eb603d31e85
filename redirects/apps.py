from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedirectsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "redirects"
    verbose_name = _("Redirects")

    def ready(self):
        from . import moves

        moves.connect_signals()
        # Redirect and MissingPage are not registered with the page cache
        # (core.cache.register_content_models): they only ever answer or count 404s, and the
        # cache stores only 200s.
