"""What the content admins share: publishing by role (news, program pages, municipalities,
partnerships), status, history, and the content's translations."""

from functools import partial

import reversion
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.db import connection, connections, transaction
from django.db.models import QuerySet
from django.forms.models import BaseModelFormSet, modelformset_factory
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as django_gettext
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from reversion.errors import RevertError
from reversion.models import Version

from core.publishing import Status
from core.time_zones import StaffTimeZoneAdmin
from core.translated import (
    language_name,
    missing_languages,
    missing_translation_q,
    other_languages,
)

from . import workflow
from .compare import ReadableCompareAdmin
from .drafts_admin import DraftsAdminMixin
from .language_tabs import LanguageTabsMixin
from .moderation_admin import ModerationAdminMixin
from .preview import PreviewAdminMixin
from .translate import TranslateAdminMixin

PUBLISHING_FIELDS = ["is_published", "published_at", "unpublish_at"]


class StatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.with_status(self.value())
        return queryset


def count_through_indexes(queryset):
    """queryset.count() with PostgreSQL's sequential scans off. For a full-text search whose
    count stops at a limit, the planner reads the table in order, unpacking each row's search
    vectors (large for a report) until enough match: 0.9 s for a word in 3% of 100,000 items.
    Through the GIN indexes only the matching rows are read."""
    with transaction.atomic(using=queryset.db), connections[queryset.db].cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_seqscan'), set_config('enable_seqscan', 'off', true)"
        )
        before = cursor.fetchone()[0]
        try:
            return queryset.count()
        finally:
            # Back as it was for the rest of the request's transaction.
            cursor.execute("SELECT set_config('enable_seqscan', %s, true)", [before])


class KeysFirstPaginator(Paginator):
    """For a change list of 100,000 rows. A page reads its keys first (from the index of the
    list's order), then only those rows: deep in the list the database skips index entries, not
    whole rows with their annotations (page 500 took 1.4 s). A filtered or searched list is
    counted up to COUNT_LIMIT (the templates say "more than 1,000"): a count of every match of
    a common word read every matching row (1.5 s); the whole list's own count is exact (the
    primary key's index)."""

    COUNT_LIMIT = 1_000
    capped = False
    # Set for a full-text search (news items): see count_through_indexes.
    through_indexes = False

    @cached_property
    def count(self):
        queryset = self.object_list
        if not isinstance(queryset, QuerySet) or not queryset.query.where:
            return super().count
        bounded = queryset.order_by().values("pk")[: self.COUNT_LIMIT + 1]
        if self.through_indexes and connection.vendor == "postgresql":
            found = count_through_indexes(bounded)
        else:
            found = bounded.count()
        self.capped = found > self.COUNT_LIMIT
        return min(found, self.COUNT_LIMIT)

    def _get_page(self, object_list, number, paginator):
        if isinstance(object_list, QuerySet) and object_list.query.is_sliced:
            keys = list(object_list.values_list("pk", flat=True))
            # In the list's order: the full queryset's ORDER BY, over the page's rows only.
            object_list = self.object_list.filter(pk__in=keys)
        return super()._get_page(object_list, number, paginator)


def year_filter(field_name):
    """A list filter by the year of a date field, offering the years from the first to the
    last date: two lookups of an index on the field. (Django's date hierarchy reads every row
    for its years, and its first and last dates in a way no index answers: a second at
    100,000 rows.)"""

    class YearFilter(admin.SimpleListFilter):
        title = _("year")
        parameter_name = "year"

        def lookups(self, request, model_admin):
            dates = model_admin.model._base_manager.order_by(field_name)
            first = dates.values_list(field_name, flat=True).first()
            last = dates.reverse().values_list(field_name, flat=True).first()
            if first is None:
                return []
            return [(str(year), str(year)) for year in range(last.year, first.year - 1, -1)]

        def queryset(self, request, queryset):
            value = self.value() or ""
            if value.isdigit() and len(value) == 4:
                return queryset.filter(**{f"{field_name}__year": int(value)})
            return queryset

    return YearFilter


class MissingTranslationFilter(admin.SimpleListFilter):
    """Items with English text that has no French (or Khmer) version yet, in one of the model
    admin's `translation_check_fields`."""

    title = _("missing translation")
    parameter_name = "missing_translation"

    def __init__(self, request, params, model, model_admin):
        self.fields = model_admin.translation_check_fields
        super().__init__(request, params, model, model_admin)

    def lookups(self, request, model_admin):
        return [(lang, language_name(lang)) for lang in other_languages()]

    def queryset(self, request, queryset):
        if self.value() in other_languages():
            return queryset.filter(missing_translation_q(self.fields, self.value()))
        return queryset


class TranslationStatusMixin:
    """The change list's column of missing translations; with MissingTranslationFilter in
    `list_filter`. Both read the row's own columns: no query."""

    # The texts every translation needs, where the English has one.
    translation_check_fields = ()

    @admin.display(description=_("not yet translated"))
    def missing_translations(self, obj):
        missing = missing_languages(obj, self.translation_check_fields)
        return ", ".join(str(language_name(lang)) for lang in missing) or "—"


def publish_permission(model):
    """The full name of the model's `publish_<model>` permission (for Meta.permissions)."""
    return f"{model._meta.app_label}.publish_{model._meta.model_name}"


def has_publishing_roles(model):
    """Whether the model's `is_published` is the publishers' to set: it declares the
    permission in Meta.permissions."""
    codename = f"publish_{model._meta.model_name}"
    try:
        model._meta.get_field("is_published")
    except FieldDoesNotExist:
        return False
    return any(code == codename for code, _name in model._meta.permissions)


def public_state(user, revision):
    """What restoring `revision` could change on the public site that `user` may not: for each
    model whose publishing they may not do, the published rows, and the contents of those of
    the revision's objects among them. Compared before and after the restore."""
    state = {}
    for model in reversion.get_registered_models():
        if not has_publishing_roles(model) or user.has_perm(publish_permission(model)):
            continue
        published = model._default_manager.filter(is_published=True)
        ids = revision.version_set.filter(
            content_type=ContentType.objects.get_for_model(model)
        ).values_list("object_id", flat=True)
        state[model] = (
            set(published.values_list("pk", flat=True)),
            list(published.filter(pk__in=list(ids)).order_by("pk").values()),
        )
    return state


class LockPublishedRows:
    """A formset (list editing, inlines) for staff who may not publish: the rows of published
    items are shown but cannot be changed or deleted; a hand-made POST of them is ignored."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if form.instance.pk is None or not form.instance.is_published:
            return
        # The row's own key and its parent's stay, so that the row is still matched.
        keep = {self.model._meta.pk.name, getattr(getattr(self, "fk", None), "name", None)}
        for name, field in form.fields.items():
            if name not in keep:
                field.disabled = True


def lock_published_rows(formset):
    return type(formset.__name__, (LockPublishedRows, formset), {})


class PublishingRolesInline:
    """For an inline of items with a publish permission (pairings under a municipality):
    publishers set `is_published`; other staff add drafts and cannot change or delete what is
    published."""

    def has_publish_permission(self, request):
        return request.user.has_perm(publish_permission(self.model))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request) and "is_published" not in fields:
            fields.append("is_published")
        return fields

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if self.has_publish_permission(request):
            return formset
        return lock_published_rows(formset)


class PublishingRolesAdmin(
    TranslateAdminMixin,
    LanguageTabsMixin,
    ModerationAdminMixin,
    DraftsAdminMixin,
    PreviewAdminMixin,
    StaffTimeZoneAdmin,
    ReadableCompareAdmin,
):
    """Editors prepare drafts; publishers (the `publish_<model>` permission, declared in the
    model's Meta.permissions) decide what is public, in every path: the form, list editing,
    bulk actions, and restoring or recovering a version from the history. A live item's form
    keeps its changes as the item's draft (drafts_admin.py) until published. Every save is a
    version (django-reversion) with who and when, which staff can compare and restore; deleted
    items can be recovered from the list."""

    # The fields only publishers set.
    publishing_fields = ["is_published"]
    actions = ["publish_now", "unpublish"]

    @admin.display(description=mark_safe('<input type="checkbox" id="action-toggle">'))
    def action_checkbox(self, obj):
        # Django's markup, written directly: its widget's template took a third of a 100-row
        # list's rendering.
        label = format_html(django_gettext("Select this object for an action - {}"), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )

    def has_publish_permission(self, request):
        return request.user.has_perm(publish_permission(self.model))

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            # Not in the form, so a hand-made POST of these fields is ignored too.
            fields += [field for field in self.publishing_fields if field not in fields]
        return fields

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None and obj.is_published:
            return self.has_publish_permission(request)
        return allowed

    # List editing: Django checks only the model-wide change permission there.

    def get_list_editable(self, request):
        if self.has_publish_permission(request):
            return list(self.list_editable)
        return [field for field in self.list_editable if field not in self.publishing_fields]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if changelist.list_editable:  # none in a pop-up
            changelist.list_editable = self.get_list_editable(request)
        return changelist

    def get_changelist_formset(self, request, **kwargs):
        formset = BaseModelFormSet
        if not self.has_publish_permission(request):
            formset = lock_published_rows(formset)
        defaults = {
            "formfield_callback": partial(self.formfield_for_dbfield, request=request),
            "formset": formset,
            **kwargs,
        }
        return modelformset_factory(
            self.model,
            self.get_changelist_form(request),
            extra=0,
            fields=self.get_list_editable(request),
            **defaults,
        )

    # History: django-reversion restores the whole stored revision (the item, its inlines, and
    # any other item saved with it, as in one save of the list) before the form is shown or
    # saved; refused, and rolled back, if that changes what is published and the user may not.

    def revision_view(self, request, object_id, version_id, extra_context=None):
        self._note_public_state(request, version_id)
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        self._note_public_state(request, version_id)
        return super().recover_view(request, version_id, extra_context)

    def _note_public_state(self, request, version_id):
        version = Version.objects.select_related("revision").filter(pk=version_id).first()
        if version is not None:
            request._public_before_restore = (
                version.revision,
                public_state(request.user, version.revision),
            )

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        before = getattr(request, "_public_before_restore", None)
        if before is not None:
            del request._public_before_restore
            revision, state = before
            if public_state(request.user, revision) != state:
                # Caught by django-reversion: the restore is rolled back, the message shown.
                raise RevertError(
                    _(
                        "Only a publisher can restore this version: it would change what the "
                        "public site shows. Ask a publisher to restore it, or edit the current "
                        "draft instead."
                    )
                )
        return super().changeform_view(request, object_id, form_url, extra_context)

    # Publishing: every path (the form, list editing, inlines, bulk actions) goes through
    # editorial.workflow, so the history and what publishing starts (alert emails) are the same.

    def show_notes(self, request, notes):
        """What publishing started (news: alert emails queued), each said once."""
        for note in dict.fromkeys(str(note) for note in notes):
            self.message_user(request, note, messages.INFO)

    def _after_save(self, request, outcome):
        if outcome is not None:
            # Said in the revision's comment with the change message (log_change).
            request._publishing_comments = [
                *getattr(request, "_publishing_comments", []),
                outcome.comment,
            ]
            self.show_notes(request, outcome.notes)

    def save_model(self, request, obj, form, change):
        if self.keeps_draft(request, obj, form, change):
            return  # a live item's changes: its draft (drafts_admin.py), saved with the inlines
        self._after_save(request, workflow.save_edited(obj, by=request.user))

    def save_formset(self, request, form, formset, change):
        if not has_publishing_roles(formset.model):
            super().save_formset(request, form, formset, change)
            return
        # Inline rows that publish (pairings under a municipality) go through the workflow too.
        objs = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in objs:
            self._after_save(request, workflow.save_edited(obj, by=request.user))
        formset.save_m2m()

    def log_addition(self, request, obj, message):
        entry = super().log_addition(request, obj, message)
        self._comment_publishing(request)
        return entry

    def log_change(self, request, obj, message):
        entry = super().log_change(request, obj, message)
        self._comment_publishing(request)
        return entry

    def _comment_publishing(self, request):
        """The revision says "Published." (or scheduled, unpublished) before the change message
        that django-reversion's log_change made its comment."""
        comments = getattr(request, "_publishing_comments", None)
        if comments:
            del request._publishing_comments
            if reversion.is_active():
                reversion.set_comment(workflow.join_comments(*comments, reversion.get_comment()))

    def _bulk_save(self, request, queryset, change, comment):
        count, notes = 0, []
        for obj in queryset:
            with reversion.create_revision():
                outcome = change(obj)
                if outcome is None:  # already as asked
                    continue
                # In the admin's log too, like a change in the form: the dashboard's recent
                # changes and who last changed a draft read it. Its words are the revision's.
                self.log_change(request, obj, comment)
            notes += outcome.notes
            count += 1
        return count, notes

    @admin.action(permissions=["publish"], description=_("Publish the selected items now"))
    def publish_now(self, request, queryset):
        refused = []

        def publish(obj):
            if not workflow.is_public(obj):
                try:
                    return workflow.publish(obj, by=request.user)
                except workflow.PublishingRefused as error:
                    # Nothing of it was saved; the others are published.
                    refused.append(f"“{obj}”: {' '.join(error.messages)}")
            return None

        count, notes = self._bulk_save(
            request, queryset, publish, str(_("Published from the list."))
        )
        self.message_user(
            request,
            ngettext("%d item published.", "%d items published.", count) % count,
            messages.SUCCESS,
        )
        for message in refused:
            self.message_user(
                request, _("Not published: %(why)s") % {"why": message}, messages.ERROR
            )
        self.show_notes(request, notes)

    @admin.action(permissions=["publish"], description=_("Unpublish the selected items"))
    def unpublish(self, request, queryset):
        def unpublish(obj):
            if obj.is_published:
                return workflow.unpublish(obj, by=request.user)
            return None

        count, _notes = self._bulk_save(
            request, queryset, unpublish, str(_("Unpublished from the list."))
        )
        self.message_user(
            request,
            ngettext(
                "%d item unpublished: it is a draft again.",
                "%d items unpublished: they are drafts again.",
                count,
            )
            % count,
            messages.SUCCESS,
        )


class PublishingAdmin(PublishingRolesAdmin):
    """News items and program pages: publishers also schedule (published_at) and unpublish at
    a set time (unpublish_at)."""

    publishing_fields = PUBLISHING_FIELDS
    history_latest_first = True

    @admin.display(description=_("status"), ordering="published_at")
    def status_display(self, obj):
        # "Live + draft" for a live item with a pending draft (drafts_admin.py).
        return self.with_pending_draft(obj, self.publishing_status(obj))

    def publishing_status(self, obj):
        status = obj.status
        if status == Status.SCHEDULED:
            when = date_format(timezone.localtime(obj.published_at), "SHORT_DATETIME_FORMAT")
            return _("Scheduled for %(when)s") % {"when": when}
        if status == Status.PUBLISHED and obj.unpublish_at:
            when = date_format(timezone.localtime(obj.unpublish_at), "SHORT_DATETIME_FORMAT")
            return _("Published until %(when)s") % {"when": when}
        return status.label
