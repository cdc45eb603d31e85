from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: backup, restore and cleanup_files, the health check, logging and the request
    middleware (request id and access log, a busy database, bad addresses)."""

    name = "ops"
    verbose_name = _("Operations")
