"""Drafts of live items: a change to a published item that readers do not see until a publisher
publishes it (now, or at a set time).

The proposed content is kept in the item's `Draft` row (editorial/models.py) as JSON, never in
the item's own row: every public route (pages, lists, feeds, search, sitemap, open data, the page
cache) reads the rows, so none of them can show a pending change. What the JSON holds,
`serialize(item)`:

- "fields": every concrete field staff edit, by attname (each language's column of a translated
  text, a file's stored name, a foreign key's primary key);
- "m2m": the primary keys of each many-to-many relation (a news item's partners);
- "inlines": the rows of the item's admin inlines that belong to it (a program page's points
  and figures, a news item's article copies), each with its primary key (None for a row the
  draft adds). Inline rows that are items of their own, with their own publishing (pairings
  under a municipality), are not part of the draft: they are saved and published as before;
- "uploads": the files the draft stored (see save_draft), so discarding it removes them.

`publish_draft()` applies it to the row through editorial.workflow.publish() in one
transaction, the single publishing path (history, signals). A draft scheduled for later is
applied by the first request after its time (`DueDraftsMiddleware`): no job to run.

This module imports no content app: items are reached through ContentType and the admin
registry."""

import copy
import datetime
import decimal
import json
import logging
import re
import time
from contextlib import nullcontext

import reversion
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection, models, router, transaction
from django.db.models import Min
from django.db.models.signals import post_delete, post_save
from django.forms.models import _get_foreign_key
from django.utils import timezone, translation
from modeltranslation.fields import TranslationField

from core import cache as page_cache
from core.publishing import Publishable

from . import workflow
from .models import Draft, EventAction, WorkflowEvent

logger = logging.getLogger(__name__)

# The time (a timestamp) of the next scheduled draft, or NONE_DUE: one cache get per request
# tells the middleware whether a draft is due. Missing from the cache: read from the database.
DUE_KEY = "mped:drafts:next-due"
NONE_DUE = "none"

# Never part of a draft: publishing is what applying the draft does.
NOT_DRAFTED = {"is_published"}


# What a draft holds ------------------------------------------------------------------------------


def translated_names(model):
    """The fields django-modeltranslation keeps a column per language for: the draft holds each
    language's column (`title_en`, `title_fr`, `title_km`), not the copy (`title`)."""
    return {
        field.translated_field.name
        for field in model._meta.concrete_fields
        if isinstance(field, TranslationField)
    }


def draft_fields(model, exclude=()):
    """The concrete fields staff edit, whose values a draft holds."""
    skip = translated_names(model) | NOT_DRAFTED | set(exclude)
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and not isinstance(field, models.GeneratedField)
        and field.name not in skip
    ]


def draft_m2m(model):
    return [field for field in model._meta.many_to_many if field.editable]


def has_own_publishing(model):
    """Rows that are published on their own (pairings): not part of another item's draft."""
    return any(field.name == "is_published" for field in model._meta.concrete_fields)


def draft_inlines(model):
    """[(accessor, inline model, foreign key)] of the model admin's inlines whose rows are part
    of the item (not items with their own publishing)."""
    model_admin = admin.site._registry.get(model)
    found = []
    for inline in getattr(model_admin, "inlines", ()) or ():
        if has_own_publishing(inline.model):
            continue
        fk = _get_foreign_key(model, inline.model, fk_name=inline.fk_name)
        accessor = fk.remote_field.get_accessor_name()
        if all(accessor != name for name, _model, _fk in found):
            found.append((accessor, inline.model, fk))
    return found


def to_json(field, value):
    if value is None:
        return None
    if isinstance(field, models.JSONField):
        return value  # JSON already (a home page block's chosen partners)
    if isinstance(field, models.FileField):
        return getattr(value, "name", value) or ""
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        if getattr(field, "decimal_places", None) is not None and value.is_finite():
            value = value.quantize(decimal.Decimal(1).scaleb(-field.decimal_places))
        return str(value)
    return str(value)


def from_json(field, value):
    if isinstance(field, models.JSONField):
        return value
    if isinstance(field, models.FileField):
        return value or ""
    return field.to_python(value)


def field_values(obj, fields):
    return {field.attname: to_json(field, getattr(obj, field.attname)) for field in fields}


def serialize_row(row, fk):
    fields = draft_fields(type(row), exclude={fk.name})
    return {"pk": row.pk, "fields": field_values(row, fields)}


def serialize(item):
    """The item's content as a JSON-able dict (see the module's docstring)."""
    model = type(item)
    return {
        "fields": field_values(item, draft_fields(model)),
        "m2m": {
            field.name: sorted(getattr(item, field.name).values_list("pk", flat=True))
            for field in draft_m2m(model)
        },
        "inlines": {
            accessor: [serialize_row(row, fk) for row in getattr(item, accessor).all()]
            for accessor, _inline_model, fk in draft_inlines(model)
        },
        "uploads": [],
    }


# Reading a draft ---------------------------------------------------------------------------------


def content_type_of(item):
    return ContentType.objects.get_for_model(item)


def drafts_of(model):
    return Draft.objects.filter(content_type=ContentType.objects.get_for_model(model))


def draft_for(item):
    """The item's pending Draft (of a live item, or tracking a never-published draft's
    review), or None."""
    if item is None or item.pk is None:
        return None
    return Draft.objects.filter(content_type=content_type_of(item), object_id=str(item.pk)).first()


def live_draft_for(item):
    """The item's Draft when it holds proposed content (a draft of a live item), else None."""
    draft = draft_for(item)
    return draft if draft is not None and draft.data is not None else None


def is_live_row(item):
    """Whether saving the item's form makes a draft: the row as stored is published (public,
    scheduled or expired). A model without publishing of its own (the site settings, one row
    every page shows) is live as soon as its row is stored."""
    if not has_own_publishing(type(item)):
        return item.pk is not None and type(item)._base_manager.filter(pk=item.pk).exists()
    return workflow.was_published(item)


def apply_fields(obj, values, fields):
    by_attname = {field.attname: field for field in fields}
    for attname, value in values.items():
        field = by_attname.get(attname)
        if field is not None:
            setattr(obj, attname, from_json(field, value))


def cached_rows(model, rows):
    """A queryset holding `rows` without asking the database (a prefetch's result)."""
    queryset = model._default_manager.none()
    queryset._result_cache = list(rows)
    queryset._prefetch_done = True
    return queryset


def draft_rows(item, accessor, fk, inline_model, rows):
    """The inline rows as the draft has them: stored rows with the draft's values, new ones
    unsaved (no primary key)."""
    stored = {row.pk: row for row in getattr(item, accessor).all()}
    fields = draft_fields(inline_model, exclude={fk.name})
    result = []
    for entry in rows:
        row = stored.get(entry.get("pk"))
        row = copy.copy(row) if row is not None else inline_model()
        setattr(row, fk.attname, item.pk)
        apply_fields(row, entry.get("fields", {}), fields)
        result.append(row)
    return result


def _refuse_save(*args, **kwargs):
    raise RuntimeError(
        "This is a draft's copy of a live item: publish the draft with publish_draft()."
    )


def draft_instance(item, draft=None):
    """An unsaved copy of `item` with its draft's values (fields, related items, inline rows),
    for the form, the preview and the comparison; `item` itself when it has no draft of a live
    item. The copy refuses to be saved: only publish_draft() changes the row."""
    draft = draft if draft is not None else live_draft_for(item)
    if draft is None or draft.data is None:
        return item
    data = draft.data
    model = type(item)
    proposed = copy.copy(item)
    apply_fields(proposed, data.get("fields", {}), draft_fields(model))
    cache = {}
    for field in draft_m2m(model):
        if field.name in data.get("m2m", {}):
            related = field.related_model
            pks = data["m2m"][field.name]
            cache[field.name] = cached_rows(
                related, related._base_manager.filter(pk__in=pks).order_by(*related._meta.ordering)
            )
    for accessor, inline_model, fk in draft_inlines(model):
        if accessor in data.get("inlines", {}):
            rows = draft_rows(item, accessor, fk, inline_model, data["inlines"][accessor])
            cache[fk.remote_field.cache_name] = cached_rows(inline_model, rows)
    proposed._prefetched_objects_cache = cache
    proposed._draft = draft
    proposed.save = proposed.delete = _refuse_save
    return proposed


# Saving, publishing, discarding ---------------------------------------------------------------


def _store_new_files(obj):
    """Stores the files just uploaded into `obj`'s file fields (under each field's upload_to),
    without saving the row; returns [(field name, stored name)]."""
    stored = []
    for field in type(obj)._meta.concrete_fields:
        if not isinstance(field, models.FileField):
            continue
        field_file = getattr(obj, field.attname)
        if field_file and not field_file._committed:
            field_file.save(field_file.name, field_file.file, save=False)
            stored.append(field_file.name)
    return stored


def _row_from_form(form, fk):
    obj = form.instance
    fields = draft_fields(type(obj), exclude={fk.name})
    return {"pk": obj.pk, "fields": field_values(obj, fields)}


def _inline_rows(formset, fk):
    """The rows a valid inline formset proposes, their new files stored."""
    rows, uploads = [], []
    for form in formset.forms:
        if not hasattr(form, "cleaned_data") or not form.cleaned_data:
            continue  # an empty extra form
        if formset.can_delete and formset._should_delete_form(form):
            continue
        uploads += _store_new_files(form.instance)
        rows.append(_row_from_form(form, fk))
    return rows, uploads


def save_draft(item, form, by, formsets=()):
    """Keep a valid change form of the live `item` as its draft: the form's values (its instance,
    as the form left it), its many-to-many choices and the rows of `formsets` (the admin's
    inlines that are part of a draft). Files uploaded in the form are stored under their
    field's folder and their names recorded; the item's row is not touched. Saving a draft
    again cancels its schedule. Returns the Draft, or None when the form holds what readers
    see already (a draft changed back to that is deleted)."""
    draft = draft_for(item)
    # The row as stored (`item` may be the form's own instance, which the form changed).
    live = serialize(type(item)._base_manager.get(pk=item.pk))
    base = draft.data if draft is not None and draft.data is not None else live
    proposed = form.instance
    model = type(item)
    uploads = _store_new_files(proposed)
    data = {
        "fields": {**base.get("fields", {}), **field_values(proposed, draft_fields(model))},
        "m2m": dict(base.get("m2m", {})),
        "inlines": dict(base.get("inlines", {})),
    }
    for field in draft_m2m(model):
        if field.name in form.fields and field.name in form.cleaned_data:
            data["m2m"][field.name] = sorted(obj.pk for obj in form.cleaned_data[field.name])
    for accessor, inline_model, fk in draft_inlines(model):
        for formset in formsets:
            if formset.model is inline_model and getattr(formset, "fk", None) == fk:
                rows, new = _inline_rows(formset, fk)
                data["inlines"][accessor] = rows
                uploads += new
    earlier = list(base.get("uploads", []))
    data["uploads"] = sorted({*earlier, *uploads} & set(_names_in(data)))
    now = timezone.now()
    if same_content(data, live):
        # Nothing to wait for: no draft (one made earlier and changed back is gone).
        if draft is not None and draft.data is not None:
            Draft.objects.filter(pk=draft.pk).delete()
            _event(draft, EventAction.DISCARDED, by, at=now)
            transaction.on_commit(lambda: _remove_unused(item, earlier))
        return None
    with transaction.atomic():
        if draft is None:
            draft = Draft(content_type=content_type_of(item), object_id=str(item.pk))
            draft.created_by = by
        was_scheduled = draft.publish_at is not None
        draft.data = data
        draft.publish_at = None
        draft.updated_by, draft.updated_at = by, now
        draft.save()
        WorkflowEvent.objects.create(
            content_type=draft.content_type,
            object_id=draft.object_id,
            action=EventAction.DRAFT_SAVED,
            user=by,
            at=now,
        )
        if was_scheduled:
            forget_due_time_soon()
    # A file the draft had uploaded and replaced since: nothing refers to it any more.
    replaced = [name for name in earlier if name not in data["uploads"]]
    transaction.on_commit(lambda: _remove_unused(item, replaced))
    draft.was_scheduled = was_scheduled
    return draft


SUBSECONDS = re.compile(r"(T\d\d:\d\d:\d\d)\.\d+")


def same_content(data, other):
    """Whether two serialize() results hold the same content (times to the second, as forms
    give them; an empty text whether NULL or "")."""

    def blank(value):
        # An empty text is NULL in the database and "" from a form.
        if isinstance(value, dict):
            return {key: blank(item) for key, item in value.items()}
        if isinstance(value, list):
            return [blank(item) for item in value]
        return "" if value is None else value

    def comparable(value):
        content = {key: blank(value.get(key)) for key in ("fields", "m2m", "inlines")}
        return SUBSECONDS.sub(r"\1", json.dumps(content, sort_keys=True))

    return comparable(data) == comparable(other)


def _names_in(data):
    """Every file name a draft's data refers to."""
    names = [value for value in data.get("fields", {}).values() if isinstance(value, str)]
    for rows in data.get("inlines", {}).values():
        for row in rows:
            names += [value for value in row["fields"].values() if isinstance(value, str)]
    return names


def _file_fields(model):
    fields = [field for field in model._meta.concrete_fields if isinstance(field, models.FileField)]
    for _accessor, inline_model, _fk in draft_inlines(model):
        fields += [
            field
            for field in inline_model._meta.concrete_fields
            if isinstance(field, models.FileField)
        ]
    return fields


def _remove_unused(item, names):
    """Delete files a draft uploaded that no row refers to (the live item keeps its own)."""
    if not names:
        return
    fields = _file_fields(type(item))
    for name in names:
        field = next((field for field in fields if field.storage.exists(name)), None)
        if field is None:
            continue
        in_use = any(
            other.model._base_manager.filter(**{other.name: name}).exists()
            for other in fields
            if other.storage is field.storage
        )
        if not in_use:
            try:
                field.storage.delete(name)
            except OSError:
                logger.warning("Could not delete the draft's file %s", name, exc_info=True)


def _apply_inlines(item, data):
    for accessor, inline_model, fk in draft_inlines(type(item)):
        if accessor not in data.get("inlines", {}):
            continue
        rows = data["inlines"][accessor]
        keep = {entry["pk"] for entry in rows if entry.get("pk") is not None}
        for row in getattr(item, accessor).all():
            if row.pk not in keep:
                row.delete()
        for row in draft_rows(item, accessor, fk, inline_model, rows):
            row.save()


def removed_rows(item, draft):
    """[(inline model, primary keys)]: the stored inline rows the draft leaves out."""
    removed = []
    data = draft.data or {}
    for accessor, inline_model, fk in draft_inlines(type(item)):
        if accessor not in data.get("inlines", {}):
            continue
        keep = {entry.get("pk") for entry in data["inlines"][accessor]}
        stored = set(
            inline_model._base_manager.filter(**{fk.name: item.pk}).values_list("pk", flat=True)
        )
        removed.append((inline_model, sorted(stored - keep)))
    return removed


def _event(draft, action, by, message="", at=None):
    return WorkflowEvent.objects.create(
        content_type=draft.content_type,
        object_id=draft.object_id,
        action=action,
        user=by,
        message=message,
        at=at or timezone.now(),
    )


def publish_draft(draft, by, at=None, comment=""):
    """Publish a draft of a live item: now (`at` None or past) its content replaces the row's in
    one transaction (fields, every language, files, related items, inline rows), saved
    through editorial.workflow.publish(); the Draft is deleted. With `at` in the future the
    draft is scheduled instead (Draft.publish_at, applied by the first request after it).
    Returns the workflow's Outcome, or the Draft when scheduled.

    A Draft without data (the row itself is a never-published draft, in review) publishes the
    row: now, or at `at` (an item with a publication time is scheduled by it)."""
    now = timezone.now()
    if (
        at is not None
        and at > now
        and draft.data is None
        and issubclass(draft.content_type.model_class(), Publishable)
    ):
        # A draft never published: the item itself is scheduled (its publication time).
        model = draft.content_type.model_class()
        with transaction.atomic():
            item = model._base_manager.select_for_update().get(pk=draft.object_id)
            outcome = workflow.publish(item, by, at=at, comment=comment)
            Draft.objects.filter(pk=draft.pk).delete()
            _event(draft, EventAction.SCHEDULED, by, comment, now)
        return outcome
    if at is not None and at > now:
        with transaction.atomic():
            draft.publish_at = at
            draft.updated_by, draft.updated_at = by, now
            draft.save(update_fields=["publish_at", "updated_by", "updated_at"])
            _event(draft, EventAction.SCHEDULED, by, comment, now)  # the due time: _draft_changed
        return draft
    model = draft.content_type.model_class()
    data = draft.data or {}
    revision = nullcontext() if reversion.is_active() else reversion.create_revision()
    with transaction.atomic(using=router.db_for_write(model)), revision:
        item = model._base_manager.select_for_update().get(pk=draft.object_id)
        if data:
            apply_fields(item, data.get("fields", {}), draft_fields(model))
            for field in draft_m2m(model):
                if field.name in data.get("m2m", {}):
                    getattr(item, field.name).set(data["m2m"][field.name])
            _apply_inlines(item, data)
        # A scheduled item keeps its publication time (the draft's, if it changed it).
        when = item.published_at if getattr(item, "published_at", None) else None
        outcome = workflow.publish(
            item, by, at=when if when and when > now else None, comment=comment
        )
        Draft.objects.filter(pk=draft.pk).delete()
        _event(draft, EventAction.PUBLISHED, by, comment, now)
    return outcome


def discard_draft(draft, by, message=""):
    """Drop a draft of a live item: the row (what readers see) is untouched; the files the
    draft uploaded, which nothing else uses, are deleted."""
    model = draft.content_type.model_class()
    uploads = list((draft.data or {}).get("uploads", []))
    item = model._base_manager.filter(pk=draft.object_id).first()
    with transaction.atomic():
        Draft.objects.filter(pk=draft.pk).delete()
        _event(draft, EventAction.DISCARDED, by, message)
    if item is not None:
        transaction.on_commit(lambda: _remove_unused(item, uploads))


# Scheduled drafts: applied by the first request after their time ------------------------------


def next_due_time():
    """The earliest publish_at of a scheduled draft (a datetime), or None: from the database."""
    return Draft.objects.filter(publish_at__isnull=False).aggregate(at=Min("publish_at"))["at"]


def stored_due_time():
    """Read the earliest publish_at of a scheduled draft (past or future) from the database and
    keep it in the cache for the middleware; returns it (a datetime) or None."""
    at = next_due_time()
    try:
        cache.set(DUE_KEY, at.timestamp() if at is not None else NONE_DUE, None)
    except Exception:
        logger.warning("The cache is unreachable", exc_info=True)
    return at


def next_scheduled_draft():
    """For the page cache (core.cache.register_scheduled_times), when it starts a new content
    version: the next time a scheduled draft changes public pages. The cached due time is
    refreshed on the way (after the cache was emptied, the first reader's request does it)."""
    at = stored_due_time()
    return at if at is not None and at > timezone.now() else None


def forget_due_time_soon():
    """forget_due_time() now, so that this process sees the change inside the transaction; and
    again on commit, because another request may have read the old time in between."""
    forget_due_time()
    transaction.on_commit(forget_due_time)


def forget_due_time():
    """A draft was scheduled, rescheduled, applied or discarded: the due time is read again, and
    cached pages stop at it (a new content version, whose end is the next scheduled change)."""
    stored_due_time()
    page_cache.invalidate()


def _draft_changed(sender, instance, **kwargs):
    """A scheduled draft saved or deleted (by any path): the due time is read again, and cached
    pages last no longer than it. (A draft whose schedule is cancelled is handled where that
    happens; a due time left over only costs one look at the database when it comes.)"""
    if instance.publish_at is not None:
        forget_due_time_soon()


post_save.connect(_draft_changed, sender=Draft, dispatch_uid="editorial-draft-due-time")
post_delete.connect(_draft_changed, sender=Draft, dispatch_uid="editorial-draft-due-time-delete")


def due_timestamp(request=None):
    """The next due time as a timestamp, or None: one cache get. When the cache has not got it
    (emptied, or a new process's local-memory cache), the database is asked, except for an
    anonymous reader's request: the page cache's next content version reads it then
    (next_scheduled_draft), and a reader's page costs no query more."""
    value = cache.get(DUE_KEY)
    if value is None:
        if request is not None and page_cache.is_anonymous_request(request):
            return None
        at = stored_due_time()
        return at.timestamp() if at is not None else None
    return None if value == NONE_DUE else value


def publish_due_drafts(now=None):
    """Apply every scheduled draft whose time has come, each in its own transaction; a draft
    another process is applying is skipped (locked rows, where the database can). Returns how
    many were applied."""
    now = now or timezone.now()
    applied = 0
    due = Draft.objects.filter(publish_at__isnull=False, publish_at__lte=now).order_by("publish_at")
    for pk in list(due.values_list("pk", flat=True)):
        try:
            with transaction.atomic():
                rows = Draft.objects.filter(pk=pk, publish_at__lte=now)
                if connection.features.has_select_for_update_skip_locked:
                    rows = rows.select_for_update(skip_locked=True)
                draft = rows.first()
                if draft is None:
                    continue  # applied or discarded meanwhile
                # In the site's language, whichever language the thread last served: the
                # request that happens to apply it is not the publisher's.
                with translation.override(settings.LANGUAGE_CODE):
                    publish_draft(draft, by=draft.updated_by)
                applied += 1
        except Exception:
            logger.exception("Could not publish the scheduled draft %s", pk)
    forget_due_time()
    return applied


class DueDraftsMiddleware:
    """Publishes the drafts scheduled for now or earlier before the request is handled, so the
    page it shows (and the page cache) has them. The check is one cache get."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            due = due_timestamp(request)
        except Exception:
            logger.warning("Scheduled drafts could not be checked", exc_info=True)
            due = None
        if due is not None and due <= time.time():
            publish_due_drafts()
        return self.get_response(request)
