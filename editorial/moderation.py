"""Moderation: an editor submits a draft (or a change to a live item) for review, publishers
are told, and one of them publishes it, schedules it or sends it back with a comment.

- `submit(item, by, message)`: the item's Draft goes "in review" (a Draft with no data is made
  for an item that was never published: the row itself is the draft), a SUBMITTED step is
  recorded, and the publishers of its model are emailed.
- `send_back(draft, by, comment)`: "sent back", a SENT_BACK step, the submitter is emailed.
- `publish_reviewed(draft, by, at=None)`: through editorial.drafts' publish_draft() for a change
  to a live item, through editorial.workflow's publish() for a new one; the submitter is told.

Emails go through the task queue (django_tasks, run by `manage.py db_worker`), queued once the
step is committed, each in its recipient's language (the user's `language`), with a link to
the item's admin page. The dashboard's "Waiting for review" section is `review_section()`.

An item's form also carries a version token (`version_token()`): a hash of what the row and
its draft hold, so that a save made from an older version is refused rather than overwriting
what someone else saved in between."""

import hashlib
import json

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django_tasks import task

from core.mail import site_name

from . import workflow
from .models import Draft, DraftState, EventAction, WorkflowEvent


def publish_codename(model):
    return f"publish_{model._meta.model_name}"


def content_type_of(item):
    return ContentType.objects.get_for_model(type(item))


def draft_of(item, lock=False):
    """The item's Draft, or None."""
    drafts = Draft.objects.filter(content_type=content_type_of(item), object_id=str(item.pk))
    if lock:
        # Only the draft's row: PostgreSQL locks no row of a nullable join (submitted_by).
        drafts = drafts.select_for_update(of=("self",))
    return drafts.select_related("submitted_by").first()


def events_of(item):
    """The item's review steps, newest first, with who made them."""
    return WorkflowEvent.objects.filter(
        content_type=content_type_of(item), object_id=str(item.pk)
    ).select_related("user")


def record(item, action, by, message=""):
    return WorkflowEvent.objects.create(
        content_type=content_type_of(item),
        object_id=str(item.pk),
        action=action,
        user=by,
        message=message,
    )


def person(user):
    """How a step names a person: their name, else their email address or username."""
    if user is None:
        return _("someone whose account was deleted")
    return user.get_full_name() or user.email or user.get_username()


def is_live(item):
    """Whether the item is published as saved (public, scheduled or expired): its changes wait
    as a draft. A stored row without publishing of its own (the site settings) is live."""
    from .drafts import is_live_row

    return is_live_row(item)


def can_schedule(item, draft):
    """A new item with a publication time, or any change to a live item (drafts are applied
    at their time), can be scheduled; a new municipality or partnership is published now."""
    from core.publishing import Publishable

    return (draft is not None and draft.data is not None) or isinstance(item, Publishable)


# The steps ------------------------------------------------------------------------------------


class NothingToSubmit(Exception):
    pass


def submit(item, by, message=""):
    """Ask publishers to review the item's draft. Returns the Draft."""
    message = (message or "").strip()
    with transaction.atomic():
        draft = draft_of(item, lock=True)
        if draft is None:
            if is_live(item):
                raise NothingToSubmit(
                    _("Nothing to submit: readers already see this version, and it has no draft.")
                )
            draft = Draft(
                content_type=content_type_of(item),
                object_id=str(item.pk),
                data=None,
                created_by=by,
                updated_by=by,
            )
        draft.state = DraftState.IN_REVIEW
        draft.submitted_by = by
        draft.submitted_at = timezone.now()
        draft.message = message
        draft.save()
        event = record(item, EventAction.SUBMITTED, by, message)
        transaction.on_commit(lambda: notify_publishers.enqueue(event.pk))
    return draft


def send_back(draft, by, comment):
    """Return the draft to its editor with what needs to change (a comment is required)."""
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError(_("Write what needs to change: the comment is sent to the editor."))
    item = draft.item
    with transaction.atomic():
        draft.state = DraftState.SENT_BACK
        draft.message = comment
        draft.save(update_fields=["state", "message"])
        event = record(item, EventAction.SENT_BACK, by, comment)
        transaction.on_commit(lambda: notify_submitter.enqueue(event.pk))
    return event


def publish_reviewed(draft, by, at=None, comment=""):
    """Publish (or, with `at` in the future, schedule) the draft in review. Returns the
    WorkflowEvent recorded (PUBLISHED or SCHEDULED)."""
    item = draft.item
    submitted_by_id = draft.submitted_by_id
    with transaction.atomic():
        if draft.data is not None:
            from .drafts import publish_draft

            scheduled = publish_draft(draft, by, at=at, comment=comment)
            if isinstance(scheduled, Draft):
                # Decided: no longer waiting for review, it goes live at its time.
                Draft.objects.filter(pk=draft.pk).update(state=DraftState.EDITING)
            event = (
                events_of(item)
                .filter(action__in=[EventAction.PUBLISHED, EventAction.SCHEDULED])
                .first()
            )
        else:
            # Gone first, so that forget_review() has nothing to record a second time.
            Draft.objects.filter(pk=draft.pk).delete()
            outcome = workflow.publish(item, by=by, at=at, comment=comment)
            action = (
                EventAction.SCHEDULED
                if outcome.action == workflow.SCHEDULED
                else EventAction.PUBLISHED
            )
            event = record(item, action, by, comment)
        if comment and not event.message:
            event.message = comment
            event.save(update_fields=["message"])
        if submitted_by_id and submitted_by_id != getattr(by, "pk", None):
            transaction.on_commit(lambda: notify_submitter.enqueue(event.pk))
    return event


def forget_review(sender, item, by=None, **kwargs):
    """Receiver of core.publishing's `published`: a new item published by another path (the
    form's "publish" box, the list) is no longer waiting for review; its steps stay."""
    draft = Draft.objects.filter(
        content_type=ContentType.objects.get_for_model(sender),
        object_id=str(item.pk),
        data__isnull=True,
    ).first()
    if draft is not None:
        draft.delete()
        if draft.state == DraftState.IN_REVIEW:
            record(item, EventAction.PUBLISHED, by)


# Locking ----------------------------------------------------------------------------------------


def version_token(item):
    """A short hash of the row and its draft as saved: the form keeps the one it was opened
    with, and a save with another is refused."""
    from .drafts import serialize

    stored = type(item)._base_manager.filter(pk=item.pk).first()
    draft = Draft.objects.filter(
        content_type=content_type_of(item), object_id=str(item.pk)
    ).values_list("data", flat=True)
    state = {"item": serialize(stored) if stored else None, "draft": draft.first()}
    text = json.dumps(state, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


# The dashboard ----------------------------------------------------------------------------------


def with_items(drafts, models_by_type, manager="_base_manager"):
    """(draft, item) for each of `drafts` whose item still exists, in the drafts' order: one
    query per kind of item ({content type id: model} in `models_by_type`), not one per draft."""
    items = {}
    for type_id in {draft.content_type_id for draft in drafts}:
        ids = [draft.object_id for draft in drafts if draft.content_type_id == type_id]
        found = getattr(models_by_type[type_id], manager).filter(pk__in=ids)
        items[type_id] = {str(obj.pk): obj for obj in found}
    for draft in drafts:
        obj = items[draft.content_type_id].get(draft.object_id)
        if obj is not None:
            yield draft, obj


def review_section(request, models):
    """The dashboard's "Waiting for review" section: the items in review among `models` (those
    the user may view), the longest waiting first. A count, a list, and one query per model
    listed, however many wait."""
    from .dashboard import LIMIT, Line, Section, admin_url

    types = ContentType.objects.get_for_models(*models)
    models_by_type = {content_type.pk: model for model, content_type in types.items()}
    waiting = Draft.objects.filter(
        state=DraftState.IN_REVIEW, content_type_id__in=list(models_by_type)
    )
    count = waiting.count()
    drafts = list(waiting.select_related("submitted_by").order_by("submitted_at", "pk")[:LIMIT])
    lines = []
    for draft, obj in with_items(drafts, models_by_type, "_default_manager"):
        notes = [_("Change to a live item")] if draft.data is not None else [_("New item")]
        lines.append(
            Line(
                title=str(obj),
                kind=kind_label(obj),
                admin_url=admin_url(obj),
                when=draft.submitted_at or draft.updated_at,
                when_label=_("Submitted"),
                who=person(draft.submitted_by) if draft.submitted_by_id else "",
                status=", ".join(str(note) for note in notes),
                message=draft.message,
            )
        )
    return Section(
        "review",
        _("Waiting for review"),
        _(
            "Drafts and changes to live items submitted for review, the longest waiting first. "
            "Open one to see what changed, then publish it, schedule it or send it back."
        ),
        _("Nothing is waiting for review."),
        [],
        count=count,
        lines=lines,
    )


# Emails -----------------------------------------------------------------------------------------


def publishers(model):
    """Who is emailed when an item of `model` is submitted: active staff who may publish it
    (through a group, their own permissions, or as superusers), with an email address that is
    not on record as unconfirmed."""
    opts = model._meta
    permission = Permission.objects.filter(
        content_type__app_label=opts.app_label, codename=publish_codename(model)
    )
    may_publish = (
        Q(is_superuser=True)
        | Q(groups__permissions__in=permission)
        | Q(user_permissions__in=permission)
    )
    unconfirmed = EmailAddress.objects.filter(
        user=OuterRef("pk"), email__iexact=OuterRef("email"), verified=False
    )
    users = (
        get_user_model()
        .objects.filter(may_publish, is_active=True, is_staff=True)
        .exclude(email="")
        .exclude(Exists(unconfirmed))
        .distinct()
        .order_by("pk")
    )
    return list(users)


def language_of(user):
    try:
        return translation.get_supported_language_variant(getattr(user, "language", "") or "")
    except LookupError:
        return settings.LANGUAGE_CODE


def admin_link(item):
    opts = item._meta
    path = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[item.pk])
    return settings.MPED_SITE_URL + path


def step_email(event, user, template, subject):
    """One email about a step, in `user`'s language."""
    item = event.item
    with translation.override(language_of(user)):
        context = {
            "event": event,
            "item": item,
            "title": str(item),
            "kind": kind_label(item),
            "who": person(event.user),
            "recipient": person(user),
            "message": event.message,
            "action": event.get_action_display(),
            "admin_url": admin_link(item),
            "site_name": site_name(),
            "site_url": settings.MPED_SITE_URL,
            "at": event.at,
        }
        draft = draft_of(item)
        when = None
        if draft is not None and draft.publish_at:
            when = draft.publish_at
        elif event.action == EventAction.SCHEDULED and hasattr(item, "published_at"):
            when = item.published_at
        if when is not None:
            from core.time_zones import user_time_zone, with_time_zone

            # In the recipient's own time zone, named.
            with timezone.override(user_time_zone(user)):
                context["when"] = with_time_zone(when)
        return EmailMessage(
            subject=subject() % {"title": str(item)},
            body=render_to_string(template, context),
            to=[user.email],
        )


def kind_label(item):
    if hasattr(item, "get_kind_display"):
        return item.get_kind_display()
    return capfirst(item._meta.verbose_name)


@task()
def notify_publishers(event_id):
    """Email the publishers of the item's model that it waits for their review (not the
    person who submitted it)."""
    event = WorkflowEvent.objects.select_related("user").filter(pk=event_id).first()
    if event is None or event.item is None:
        return {"sent": 0, "skipped": "deleted"}
    recipients = [user for user in publishers(type(event.item)) if user.pk != event.user_id]
    for user in recipients:
        step_email(
            event,
            user,
            "editorial/email/review_request.txt",
            lambda: _("[MPED] Waiting for your review: %(title)s"),
        ).send()
    return {"sent": len(recipients)}


OUTCOME_SUBJECTS = {
    EventAction.SENT_BACK: lambda: _("[MPED] Sent back to you: %(title)s"),
    EventAction.PUBLISHED: lambda: _("[MPED] Published: %(title)s"),
    EventAction.SCHEDULED: lambda: _("[MPED] Scheduled: %(title)s"),
}


@task()
def notify_submitter(event_id):
    """Email the person who submitted the item what a publisher decided."""
    event = WorkflowEvent.objects.select_related("user").filter(pk=event_id).first()
    if event is None or event.item is None or event.action not in OUTCOME_SUBJECTS:
        return {"sent": 0, "skipped": "deleted"}
    submitted = (
        events_of(event.item)
        .filter(action=EventAction.SUBMITTED, at__lte=event.at)
        .exclude(user=None)
        .first()
    )
    user = submitted.user if submitted else None
    if user is None or not user.is_active or not user.email:
        return {"sent": 0, "skipped": "no submitter"}
    step_email(
        event, user, "editorial/email/review_outcome.txt", OUTCOME_SUBJECTS[event.action]
    ).send()
    return {"sent": 1}
