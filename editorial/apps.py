from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditorialConfig(AppConfig):
    """The staff workflow: the admin's dashboard, the publishing admin the content apps share,
    the revision admin, and a bad admin list filter answered with a 400."""

    name = "editorial"
    verbose_name = _("Editorial")

    def ready(self):
        from core.cache import register_scheduled_times

        from . import admin_revision, drafts

        # After the admin's autodiscover (django.contrib.admin is earlier in INSTALLED_APPS).
        admin_revision.register()
        # A new item published by any path is no longer waiting for review.
        from core.publishing import published

        from .moderation import forget_review

        published.connect(forget_review, dispatch_uid="editorial-moderation-forget-review")
        # Cached pages last no longer than the next scheduled draft of a live item.
        register_scheduled_times(drafts.next_scheduled_draft)
