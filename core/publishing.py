"""Drafts, schedules and expiry for news items and program pages, and the signals sent when
any item is published or unpublished.

Nothing runs at the publish time: every public query compares with the current time, so a
scheduled item appears by itself and an expired one disappears by itself."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .cache import ContentQuerySet

# Sent by editorial.workflow's publish() and unpublish(), whichever path publishes (the admin's
# form, list or bulk actions, the CSV import, the shell), with sender=the model, item= and by=
# (the user, or None). Content apps connect what publishing starts in AppConfig.ready() (news:
# the alert emails), so neither the core nor editorial imports them. A receiver may return a
# note for the person who published (the admin shows it); loading data (a restore) sends none.
published = Signal()
unpublished = Signal()


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SCHEDULED = "scheduled", _("Scheduled")
    PUBLISHED = "published", _("Published")
    EXPIRED = "expired", _("Unpublished (expired)")


def status_q(status, now):
    """The condition for items in `status` at `now`: the one statement of each status, for
    querysets and for aggregates (the staff dashboard's counts)."""
    if status == Status.DRAFT:
        return Q(is_published=False)
    if status == Status.SCHEDULED:
        return Q(is_published=True, published_at__gt=now)
    if status == Status.EXPIRED:
        return Q(is_published=True, unpublish_at__lte=now)
    if status == Status.PUBLISHED:
        return Q(is_published=True, published_at__lte=now) & (
            Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=now)
        )
    raise ValueError(f"Unknown status: {status!r}")


class PublishableQuerySet(ContentQuerySet):
    def published(self):
        """What readers see right now."""
        return self.filter(status_q(Status.PUBLISHED, timezone.now()))

    def with_status(self, status):
        if status in Status.values:
            return self.filter(status_q(status, timezone.now()))
        return self


class Publishable(models.Model):
    """The publishing fields shared by news items and program pages."""

    is_published = models.BooleanField(
        _("publish"),
        default=False,
        help_text=_(
            "Unticked, the item is a draft only staff can see. Ticked, it is public from the "
            "publication time (scheduled if that is in the future) until the unpublish time."
        ),
    )
    published_at = models.DateTimeField(
        _("publication time"),
        default=timezone.now,
        help_text=_("When the item goes public; readers also see this date on news items."),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish time"),
        null=True,
        blank=True,
        help_text=_("Optional: when the item stops being public by itself."),
    )

    class Meta:
        abstract = True

    @property
    def status(self):
        now = timezone.now()
        if not self.is_published:
            return Status.DRAFT
        if self.unpublish_at and self.unpublish_at <= now:
            return Status.EXPIRED
        if self.published_at > now:
            return Status.SCHEDULED
        return Status.PUBLISHED

    @property
    def is_live(self):
        return self.status == Status.PUBLISHED

    def clean(self):
        super().clean()
        if self.unpublish_at and self.published_at and self.unpublish_at <= self.published_at:
            raise ValidationError(
                {"unpublish_at": _("The unpublish time must come after the publication time.")}
            )
