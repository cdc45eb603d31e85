"""Publishing and unpublishing, the one way: `publish(item, by)` and `unpublish(item, by)`.

Every path that changes whether an item is published comes through here: the admin's form,
list editing and bulk actions (editorial/admin.py), the municipalities' CSV import
(partners/resources.py) and the shell. So whichever path publishes, the same things happen:

- the item's history (django-reversion) gets a revision by `by` that says what happened
  ("Published.", "Scheduled for …", "Unpublished."); inside a revision already open (an admin
  save, an import) that revision gets the user and the words instead;
- core.publishing's `published` or `unpublished` signal is sent, to which the content apps
  connect what publishing starts (news queues its alert emails, sent at the publication time).
  This module imports no content app.

A plain `item.save()` does neither: loading data (a restore, fixtures, the demo content) saves
items that are already published, and must not email members about them a second time. In the
shell, publish with:

    from editorial.workflow import publish
    publish(item, by=user)               # public now
    publish(item, by=user, at=later)     # scheduled (news items and program pages)
"""

from contextlib import nullcontext
from dataclasses import dataclass, field

import reversion
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.publishing import Publishable, published, unpublished

PUBLISHED = "published"
SCHEDULED = "scheduled"
UNPUBLISHED = "unpublished"


class PublishingRefused(ValidationError):
    """The item says it may not be published as it is (its publishing_problem()); nothing
    was changed."""


@dataclass
class Outcome:
    """What publish() or unpublish() did."""

    item: object
    action: str  # PUBLISHED, SCHEDULED or UNPUBLISHED
    comment: str  # what the history says
    # What the signal's receivers reported (news: "Alert emails … are queued."), for the admin.
    notes: list = field(default_factory=list)


def join_comments(*parts):
    """History comments one after the other, each once."""
    joined = []
    for part in parts:
        part = str(part or "").strip()
        if part and part not in joined:
            joined.append(part)
    return " ".join(joined)


def was_published(item):
    """Whether the item is published as saved (False for an item not saved yet)."""
    if item._state.adding or item.pk is None:
        return False
    stored = type(item)._base_manager.filter(pk=item.pk).values_list("is_published", flat=True)
    return bool(stored.first())


def is_public(item):
    """Whether readers see the item now (a scheduled or expired one they do not)."""
    return item.is_live if isinstance(item, Publishable) else item.is_published


def publish(item, by, at=None, comment=""):
    """Make `item` public from `at` (now when None; a later time schedules it), save it with
    any other change made to it, record it in its history and send `published`. `at` is only
    for items with a publication time (news items, program pages). Returns an Outcome.

    Publishing an item that is public already saves and records it again, and the receivers
    run again (news queues an item's alerts only once): callers that mean to skip such items
    check is_public() first, as the admin's bulk action does."""
    # A content model may refuse (news: an empty press feature), on every path that publishes.
    problem = item.publishing_problem() if hasattr(item, "publishing_problem") else ""
    if problem:
        raise PublishingRefused(problem)
    now = timezone.now()
    schedulable = isinstance(item, Publishable)
    if at is not None and not schedulable:
        raise ValueError(f"A {item._meta.verbose_name} has no publication time: publish it now.")
    item.is_published = True
    if schedulable:
        # Public from now: a scheduled item now, an expired one again.
        item.published_at = at or min(item.published_at, now)
        if item.unpublish_at and item.unpublish_at <= (at or now):
            item.unpublish_at = None
    if schedulable and item.published_at > now:
        when = date_format(timezone.localtime(item.published_at), "SHORT_DATETIME_FORMAT")
        action, text = SCHEDULED, _("Scheduled for %(when)s") % {"when": when}
    else:
        action, text = PUBLISHED, _("Published")
    return _save(item, by, action, f"{text}.", comment, published)


def unpublish(item, by, comment=""):
    """Make `item` a draft again (only staff see it), save it, record it in its history and
    send `unpublished`. Returns an Outcome."""
    item.is_published = False
    return _save(item, by, UNPUBLISHED, f"{_('Unpublished')}.", comment, unpublished)


def save_edited(item, by, comment=""):
    """Save an item as someone edited it (the admin's form or list, an import row): through
    publish() when the edit publishes it (at the publication time it was given), through
    unpublish() when it takes it off, a plain save otherwise. Returns their Outcome, or None."""
    before = was_published(item)
    if item.is_published and not before:
        at = item.published_at if isinstance(item, Publishable) else None
        return publish(item, by, at=at, comment=comment)
    if before and not item.is_published:
        return unpublish(item, by, comment=comment)
    item.save()
    return None


def _save(item, by, action, text, comment, signal):
    comment = join_comments(text, comment)
    # A revision of its own, or the one already open (the admin's, an import's).
    revision = nullcontext() if reversion.is_active() else reversion.create_revision()
    with transaction.atomic(), revision:
        if by is not None:
            reversion.set_user(by)
        reversion.set_comment(join_comments(reversion.get_comment(), comment))
        item.save()
        responses = signal.send(sender=type(item), item=item, by=by)
        if reversion.is_registered(type(item)):
            # Recorded again with what the receivers changed (news: alerts_queued_at), or
            # restoring this version would undo that and queue the alerts a second time.
            reversion.add_to_revision(item)
    notes = [response for _receiver, response in responses if response]
    return Outcome(item=item, action=action, comment=comment, notes=notes)
