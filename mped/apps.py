from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MpedConfig(AppConfig):
    name = "mped"
    verbose_name = _("MPED site")

    def ready(self):
        from . import admin_revision
        from .cache import connect_signals

        connect_signals()
        # After the admin's autodiscover (django.contrib.admin is earlier in INSTALLED_APPS).
        admin_revision.register()
