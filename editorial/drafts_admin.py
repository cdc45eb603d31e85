"""Drafts of live items in the content admins (a mixin of editorial.admin's PublishingRolesAdmin;
the drafts themselves are editorial/drafts.py).

- Anyone who may change an item may open a live one (published, scheduled or expired) and
  change it: saving its form keeps the changes as the item's draft, the row (what readers see)
  untouched. The form then shows the draft's values, with a banner ("Readers see the live
  version; your changes are a draft.", "Compare with live", "Discard draft").
- Publishers also get "Publish changes" (save and publish now) and "Schedule changes" (a time),
  both through editorial.drafts.publish_draft(). Unticking "publish" unpublishes the item with
  the form's content, as before: the item is a draft again, and the row is that draft.
- An item that was never published saves as before: the row is the draft.
- The change list shows "Live + draft" and filters on it; the dashboard lists such items
  (live_drafts_section).

Inline rows that are items of their own (pairings under a municipality) are saved as before;
the inline rows that belong to the item (points, figures, article copies) are part of the draft.
Restoring a version from the history is a publisher's act and changes the row directly."""

import json
from dataclasses import dataclass

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Exists, OuterRef
from django.db.models.functions import Cast
from django.forms.models import model_to_dict
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.publishing import Status
from core.time_zones import ZonedSplitDateTime, with_time_zone

from . import drafts
from .models import Draft, DraftState
from .moderation import person

PUBLISH_BUTTON = "_publish_draft"
SCHEDULE_BUTTON = "_schedule_draft"
SCHEDULE_FIELD = "draft_publish_at"
LIMIT = 10


def when(moment):
    """A time in the staff member's zone, the zone named."""
    return with_time_zone(moment)


def drafted_models():
    """The models whose live items keep their changes as drafts: those with publishing roles."""
    return [
        model
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, DraftsAdminMixin) and model_admin.has_drafts()
    ]


def pending_draft_exists(model):
    """An annotation: whether the row has a draft of a live item."""
    return Exists(
        Draft.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id=Cast(OuterRef("pk"), models.CharField()),
            data__isnull=False,
        )
    )


class PendingDraftFilter(admin.SimpleListFilter):
    title = gettext_lazy("has a pending draft")
    parameter_name = "pending_draft"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(has_pending_draft=True)
        if self.value() == "no":
            return queryset.filter(has_pending_draft=False)
        return queryset


class DraftRowsFormSet:
    """An inline formset of a live item's form with a draft: its rows are the draft's (stored
    rows with the draft's values, and the rows the draft adds as filled-in extra forms)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        rows = getattr(self.instance, "_prefetched_objects_cache", {}).get(
            self.fk.remote_field.cache_name
        )
        if getattr(self.instance, "_draft", None) is None or rows is None:
            return
        rows = list(rows)
        self._draft_rows = [row for row in rows if row.pk is not None]
        self._draft_new = [row for row in rows if row.pk is None]
        self.initial_extra = [model_to_dict(row, exclude=[self.fk.name]) for row in self._draft_new]
        self.extra = self.extra + len(self._draft_new)

    def get_queryset(self):
        rows = getattr(self, "_draft_rows", None)
        return rows if rows is not None else super().get_queryset()

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        start = self.initial_form_count()
        if start <= i < start + len(getattr(self, "_draft_new", ())):
            # A row of the draft, not a blank one: checked and kept even if left unchanged.
            form.empty_permitted = False
        return form


@dataclass
class DraftBanner:
    """What the change form of a live item says about its draft."""

    draft: Draft | None
    can_publish: bool
    compare_url: str = ""
    discard_url: str = ""
    saved: str = ""
    scheduled: str = ""


class DraftsAdminMixin:
    """See the module's docstring. Needs PublishingRolesAdmin's has_publish_permission() and
    its publishing path (_after_save, show_notes)."""

    def has_drafts(self):
        from .admin import has_publishing_roles

        return has_publishing_roles(self.model)

    def is_restoring(self, request):
        match = getattr(request, "resolver_match", None)
        name = getattr(match, "url_name", "") or ""
        return name.endswith(("_revision", "_recover"))

    def saves_as_draft(self, request, obj):
        """Whether saving this object's form makes (or changes) its draft."""
        return (
            obj is not None
            and obj.pk is not None
            and self.has_drafts()
            and not self.is_restoring(request)
            and drafts.is_live_row(obj)
        )

    # The object the form shows: the draft's values.

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and getattr(request, "_form_of_draft", False) and self.has_drafts():
            return drafts.draft_instance(obj)
        return obj

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if object_id is not None and not self.is_restoring(request):
            request._form_of_draft = True
        return super().changeform_view(request, object_id, form_url, extra_context)

    def preview_post(self, request, object_id=None):
        request._form_of_draft = object_id is not None
        return super().preview_post(request, object_id)

    def preview_get(self, request, key, object_id=None):
        request._form_of_draft = object_id is not None
        return super().preview_get(request, key, object_id)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if not (
            change
            and self.saves_as_draft(request, obj)
            and self.has_publish_permission(request)
            and self.has_change_permission(request, obj)
        ):
            return form
        scheduling = request.method == "POST" and SCHEDULE_BUTTON in request.POST

        class DraftForm(form):
            draft_publish_at = forms.SplitDateTimeField(
                label=_("Publish the changes at"),
                required=False,
                widget=ZonedSplitDateTime,
                help_text=_("Readers see the live version until then."),
            )

            def clean_draft_publish_at(self):
                value = self.cleaned_data.get(SCHEDULE_FIELD)
                if not scheduling:
                    return None
                if value is None:
                    raise ValidationError(_("Choose when to publish the changes."))
                if value <= timezone.now():
                    raise ValidationError(
                        _(
                            "Choose a time in the future, or press “Publish changes” to "
                            "publish them now."
                        )
                    )
                return value

        DraftForm.__name__ = form.__name__
        return DraftForm

    def get_formsets_with_inlines(self, request, obj=None):
        for formset, inline in super().get_formsets_with_inlines(request, obj):
            if getattr(obj, "_draft", None) is not None and not drafts.has_own_publishing(
                inline.model
            ):
                formset = type(formset.__name__, (DraftRowsFormSet, formset), {})
            yield formset, inline

    # Saving: the draft, not the row.

    def unpublishes(self, form):
        """A publisher unticked "publish": the item leaves readers with the form's content."""
        return "is_published" in form.fields and not form.cleaned_data.get("is_published")

    def keeps_draft(self, request, obj, form, change):
        """Whether this save of the form is kept as the item's draft (by save_related, with the
        inlines) instead of saving the row; PublishingRolesAdmin.save_model asks."""
        if not getattr(request, "_form_of_draft", False):
            return False  # list editing (publishers only, for live rows) saves as before
        if change and self.saves_as_draft(request, obj) and not self.unpublishes(form):
            request._saving_draft = True
            return True
        if getattr(obj, "_draft", None) is not None:
            # Unpublished with the form's content, the draft's included: the row is the draft.
            obj.__dict__.pop("save", None)
            obj.__dict__.pop("delete", None)
            request._draft_applied = obj._draft
            request._draft_removed_rows = drafts.removed_rows(obj, obj._draft)
        return False

    def save_related(self, request, form, formsets, change):
        if not getattr(request, "_saving_draft", False):
            super().save_related(request, form, formsets, change)
            applied = getattr(request, "_draft_applied", None)
            if applied is not None:
                for model, pks in request._draft_removed_rows:
                    model._base_manager.filter(pk__in=pks).delete()
                Draft.objects.filter(pk=applied.pk).delete()
            return
        obj = form.instance
        live = self.model._base_manager.get(pk=obj.pk)
        own = [formset for formset in formsets if drafts.has_own_publishing(formset.model)]
        for formset in own:  # items of their own (pairings): saved as before
            self.save_formset(request, form, formset, change=change)
        part = [formset for formset in formsets if formset not in own]
        for formset in part:
            note_rows(formset)
        draft = drafts.save_draft(live, form, request.user, formsets=part)
        request._draft_saved = draft
        if draft is None or not self.has_publish_permission(request):
            return
        if PUBLISH_BUTTON in request.POST:
            request._draft_outcome = drafts.publish_draft(draft, by=request.user)
            self._after_save(request, request._draft_outcome)
        elif SCHEDULE_BUTTON in request.POST and form.cleaned_data.get(SCHEDULE_FIELD):
            request._draft_scheduled = drafts.publish_draft(
                draft, by=request.user, at=form.cleaned_data[SCHEDULE_FIELD]
            )

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if not getattr(request, "_saving_draft", False):
            return message
        text = LogEntry(change_message=_json(message)).get_change_message()
        if getattr(request, "_draft_saved", None) is None:
            return message  # nothing changed (inlines of their own may have)
        if getattr(request, "_draft_outcome", None) is not None:
            return text  # the revision says "Published." first
        return _("Saved as a draft (readers see the live version). %(changes)s") % {"changes": text}

    def response_change(self, request, obj):
        draft = getattr(request, "_draft_saved", None)
        if getattr(request, "_saving_draft", False) and draft is None:
            self.message_user(
                request,
                _("Nothing changed: readers see “%(item)s” as it is, and it has no draft.")
                % {"item": obj},
                messages.INFO,
            )
            return self._after_draft_response(request, obj)
        if draft is None:
            return super().response_change(request, obj)
        item = self.model._base_manager.get(pk=obj.pk)
        if getattr(request, "_draft_outcome", None) is not None:
            self.message_user(
                request,
                _("The changes to “%(item)s” are published: readers see them now.")
                % {"item": item},
                messages.SUCCESS,
            )
            return self._after_draft_response(request, obj)
        scheduled = getattr(request, "_draft_scheduled", None)
        if scheduled is not None:
            self.message_user(
                request,
                _("The changes to “%(item)s” are scheduled: readers see them from %(when)s.")
                % {"item": item, "when": when(scheduled.publish_at)},
                messages.SUCCESS,
            )
            return self._after_draft_response(request, obj)
        self.message_user(
            request,
            _(
                "Your changes to “%(item)s” are saved as a draft: readers still see the live "
                "version until a publisher publishes the changes."
            )
            % {"item": item},
            messages.SUCCESS,
        )
        if getattr(draft, "was_scheduled", False):
            self.message_user(
                request,
                _("Saving the draft again cancelled its schedule: schedule it again if needed."),
                messages.WARNING,
            )
        return self._after_draft_response(request, obj)

    def _after_draft_response(self, request, obj):
        # Django's own "… was changed successfully" would say readers see it: not said here.
        if "_addanother" in request.POST:
            opts = self.opts
            return HttpResponseRedirect(
                reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_add")
            )
        if "_continue" in request.POST or "_saveasnew" in request.POST:
            return HttpResponseRedirect(self.item_url_for(obj))
        return self.response_post_save_change(request, obj)

    def item_url_for(self, obj):
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
            args=[quote(obj.pk)],
        )

    # The banner.

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if (
            change
            and self.saves_as_draft(request, obj)
            and self.has_change_permission(request, obj)
        ):
            draft = getattr(obj, "_draft", None)
            banner = DraftBanner(draft=draft, can_publish=self.has_publish_permission(request))
            if draft is not None:
                banner.compare_url = self.draft_url(obj, "compare")
                banner.discard_url = self.draft_url(obj, "discard")
                banner.saved = _("Draft last saved by %(who)s at %(when)s.") % {
                    "who": person(draft.updated_by),
                    "when": when(draft.updated_at),
                }
                if draft.publish_at:
                    banner.scheduled = _(
                        "Scheduled: the draft replaces the live version at %(when)s."
                    ) % {"when": when(draft.publish_at)}
            context["draft_banner"] = banner
        return super().render_change_form(request, context, add, change, form_url, obj)

    # The change list.

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if self.has_drafts():
            queryset = queryset.annotate(has_pending_draft=pending_draft_exists(self.model))
        return queryset

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        # A status column says "Live + draft" itself (with_pending_draft); otherwise one is added.
        if not self.has_drafts() or "status_display" in shown:
            return shown
        if "is_published" in shown:
            shown.insert(shown.index("is_published") + 1, "live_status")
        else:
            shown.append("live_status")
        return shown

    def get_list_filter(self, request):
        shown = list(super().get_list_filter(request))
        if self.has_drafts():
            shown.append(PendingDraftFilter)
        return shown

    def with_pending_draft(self, obj, label):
        """An item's status in the list, said "Live + draft" when it has a pending draft."""
        if getattr(obj, "has_pending_draft", False):
            if obj.status == Status.PUBLISHED:
                return _("Live + draft")
            return _("%(status)s + draft") % {"status": label}
        return label

    @admin.display(description=gettext_lazy("status"))
    def live_status(self, obj):
        if not obj.is_published:
            return _("Draft")
        if getattr(obj, "has_pending_draft", False):
            return _("Live + draft")
        return _("Live")

    # Compare with live, Discard draft.

    def get_urls(self):
        urls = super().get_urls()
        if not self.has_drafts():
            return urls
        name = f"{self.opts.app_label}_{self.opts.model_name}_draft"
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/draft/compare/",
                view(self.draft_compare_view),
                name=f"{name}_compare",
            ),
            path(
                "<path:object_id>/draft/discard/",
                view(self.draft_discard_view),
                name=f"{name}_discard",
            ),
            *urls,
        ]

    def draft_url(self, obj, action):
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_draft_{action}",
            args=[quote(obj.pk)],
        )

    def _draft_and_item(self, request, object_id):
        item = super().get_object(request, unquote(object_id))
        if item is None:
            raise Http404(_("This item does not exist (it may have been deleted)."))
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        draft = drafts.live_draft_for(item)
        return item, draft

    def _no_draft(self, request, item):
        self.message_user(
            request,
            _("“%(item)s” has no draft: readers see it as it is.") % {"item": item},
            messages.WARNING,
        )
        return HttpResponseRedirect(self.item_url_for(item))

    def draft_compare_view(self, request, object_id):
        item, draft = self._draft_and_item(request, object_id)
        if draft is None:
            return self._no_draft(request, item)
        from .moderation_compare import changes

        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": item,
            "title": _("Changes in the draft of “%(item)s”") % {"item": item},
            "changes": changes(item, draft),
            "item_url": self.item_url_for(item),
            "banner": DraftBanner(
                draft=draft,
                can_publish=self.has_publish_permission(request),
                saved=_("Draft last saved by %(who)s at %(when)s.")
                % {"who": person(draft.updated_by), "when": when(draft.updated_at)},
            ),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/editorial/draft_compare.html", context)

    def draft_discard_view(self, request, object_id):
        item, draft = self._draft_and_item(request, object_id)
        if draft is None:
            return self._no_draft(request, item)
        if request.method == "POST":
            drafts.discard_draft(draft, by=request.user)
            self.message_user(
                request,
                _("The draft of “%(item)s” is discarded: the item is as readers see it.")
                % {"item": item},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(self.item_url_for(item))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": item,
            "title": _("Discard the draft of “%(item)s”?") % {"item": item},
            "item_url": self.item_url_for(item),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/editorial/draft_discard.html", context)


def note_rows(formset):
    """What the change message says of an inline formset kept in a draft (not saved)."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for form in formset.initial_forms:
        if formset.can_delete and formset._should_delete_form(form):
            formset.deleted_objects.append(form.instance)
        elif form.has_changed():
            formset.changed_objects.append((form.instance, form.changed_data))
    for form in formset.extra_forms:
        if form.has_changed() and not (formset.can_delete and formset._should_delete_form(form)):
            formset.new_objects.append(form.instance)


def _json(message):
    return json.dumps(message) if isinstance(message, list) else message


# The dashboard ------------------------------------------------------------------------------------


def live_drafts_section(request, models):
    """The dashboard's "Drafts of live items": those the user may view, the last saved first. A
    count and a list: two queries, and one per model listed, however many drafts there are."""
    from .dashboard import CONTENTS, Line, Section, admin_url, kind_label, site_url

    wanted = [model for model in models if model in drafted_models()]
    types = ContentType.objects.get_for_models(*wanted) if wanted else {}
    pending = (
        Draft.objects.filter(data__isnull=False, content_type__in=list(types.values()))
        .select_related("updated_by")
        .order_by("-updated_at", "-pk")
    )
    count = pending.count() if types else 0
    listed = list(pending[:LIMIT]) if count else []
    by_type = {}
    for draft in listed:
        by_type.setdefault(draft.content_type_id, []).append(draft.object_id)
    items = {}
    for model, content_type in types.items():
        if content_type.pk in by_type:
            objs = model._base_manager.filter(pk__in=by_type[content_type.pk])
            heavy = CONTENTS[model].heavy_fields if model in CONTENTS else []
            items.update({(content_type.pk, str(obj.pk)): obj for obj in objs.defer(*heavy)})
    lines = []
    for draft in listed:
        obj = items.get((draft.content_type_id, draft.object_id))
        if obj is None:
            continue
        status = ""
        if draft.publish_at:
            status = _("Scheduled for %(when)s") % {"when": when(draft.publish_at)}
        elif draft.state != DraftState.EDITING:
            status = draft.get_state_display()  # "Waiting for review", "Sent back"
        lines.append(
            Line(
                title=str(obj),
                kind=kind_label(obj),
                admin_url=admin_url(obj),
                when=draft.updated_at,
                when_label=_("Draft saved"),
                site_url=site_url(obj),
                who=person(draft.updated_by) if draft.updated_by_id else "",
                status=status,
            )
        )
    return Section(
        "live-drafts",
        _("Drafts of live items"),
        _(
            "Published items with changes readers do not see yet: a publisher publishes or "
            "schedules them from the item's page. The last saved first."
        ),
        _("No live item has a pending draft."),
        [],
        lines=lines,
        count=count,
    )
