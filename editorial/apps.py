from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    """The staff workflow: the admin's dashboard, the publishing admin the content apps share,
    the revision admin, and a bad admin list filter answered with a 400."""

    name = "editorial"
    verbose_name = _("Editorial")

    def ready(self):
        from . import admin_revision

        # After the admin's autodiscover (django.contrib.admin is earlier in INSTALLED_APPS).
        admin_revision.register()
