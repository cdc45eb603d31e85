"""The editorial workflow's own records: an item's pending draft (a change to a live item that
readers do not see yet, or a draft's place in review) and the steps of its review.

Both point at any content item through a generic relation, so this app imports no content
app: the content apps build on it, never the other way round."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DraftState(models.TextChoices):
    EDITING = "editing", _("Draft")
    IN_REVIEW = "in_review", _("Waiting for review")
    SENT_BACK = "sent_back", _("Sent back")


class Draft(models.Model):
    """An item's pending change, one per item.

    For a live item, `data` holds the proposed content (every field, each language, file names,
    related items) while readers keep seeing the row itself, until a publisher publishes the
    draft (now, or at `publish_at`) or someone discards it. For an item that was never
    published, the row is the draft and `data` is empty: this record only tracks its review."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    item = GenericForeignKey("content_type", "object_id")
    data = models.JSONField(_("proposed content"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=DraftState.choices, default=DraftState.EDITING
    )
    message = models.TextField(_("message"), blank=True)
    # When a publisher scheduled the draft of a live item: it replaces the live content then.
    publish_at = models.DateTimeField(_("publish at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pending draft")
        verbose_name_plural = _("pending drafts")
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id"], name="editorial_one_draft_per_item"
            )
        ]
        indexes = [
            models.Index(fields=["state", "submitted_at"], name="editorial_draft_state"),
            models.Index(
                fields=["publish_at"],
                name="editorial_draft_publish_at",
                condition=models.Q(publish_at__isnull=False),
            ),
        ]

    def __str__(self):
        return f"{self.content_type.model} {self.object_id}: {self.get_state_display()}"

    @property
    def is_of_live_item(self):
        return self.data is not None


class EventAction(models.TextChoices):
    DRAFT_SAVED = "draft_saved", _("Draft saved")
    SUBMITTED = "submitted", _("Submitted for review")
    SENT_BACK = "sent_back", _("Sent back")
    PUBLISHED = "published", _("Published")
    SCHEDULED = "scheduled", _("Scheduled")
    UNPUBLISHED = "unpublished", _("Unpublished")
    DISCARDED = "discarded", _("Draft discarded")


class WorkflowEvent(models.Model):
    """One step of an item's review, for its history: who, when, what, and their message."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    item = GenericForeignKey("content_type", "object_id")
    action = models.CharField(_("action"), max_length=16, choices=EventAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    message = models.TextField(_("message"), blank=True)
    at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-at"], name="editorial_event_item")
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.at:%Y-%m-%d %H:%M})"
