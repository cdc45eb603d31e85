"""What the news and program-page admins share: status, publishing by role, history, and the
content's translations."""

import reversion
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language_info, ngettext
from django.utils.translation import gettext_lazy as _
from reversion_compare.admin import CompareVersionAdmin

from .publishing import Status
from .translated import missing_languages, missing_translation_q, other_languages

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


def language_name(lang):
    return get_language_info(lang)["name_translated"]


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


class PublishingAdmin(CompareVersionAdmin):
    """Editors write drafts; publishers (the `publish_<model>` permission) publish, schedule
    and unpublish. Every save is a version (django-reversion) with who and when, which staff
    can compare and restore; deleted items can be recovered from the list."""

    actions = ["publish_now", "unpublish"]
    history_latest_first = True

    def has_publish_permission(self, request):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not self.has_publish_permission(request):
            # Not in the form, so a hand-made POST of these fields is ignored too.
            fields += [field for field in PUBLISHING_FIELDS if field not in fields]
        return fields

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        if allowed and obj is not None and obj.is_published:
            # Editors change drafts; what is public or scheduled is the publishers'.
            return self.has_publish_permission(request)
        return allowed

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        if allowed and obj is not None and obj.is_published:
            return self.has_publish_permission(request)
        return allowed

    @admin.display(description=_("status"), ordering="published_at")
    def status_display(self, obj):
        status = obj.status
        if status == Status.SCHEDULED:
            when = date_format(timezone.localtime(obj.published_at), "SHORT_DATETIME_FORMAT")
            return _("Scheduled for %(when)s") % {"when": when}
        if status == Status.PUBLISHED and obj.unpublish_at:
            when = date_format(timezone.localtime(obj.unpublish_at), "SHORT_DATETIME_FORMAT")
            return _("Published until %(when)s") % {"when": when}
        return status.label

    def after_publish(self, request, obj):
        """Hook for what publishing starts (alert emails for news)."""

    def _after_publish(self, request, obj):
        self.after_publish(request, obj)
        if reversion.is_active():
            # The version was recorded when the object was saved, before the hook ran: record
            # it again with what the hook changed (alerts_queued_at), or restoring this version
            # would undo that and queue the alerts a second time.
            reversion.add_to_revision(obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.is_published:
            self._after_publish(request, obj)

    def _bulk_save(self, request, queryset, change, comment):
        count = 0
        for obj in queryset:
            if change(obj) is False:
                continue
            with reversion.create_revision():
                obj.save()
                reversion.set_user(request.user)
                # In the admin's log too, like a change in the form: the dashboard's recent
                # changes and who last changed a draft read it.
                self.log_change(request, obj, comment)
                reversion.set_comment(comment)
                if obj.is_published:
                    self._after_publish(request, obj)
            count += 1
        return count

    @admin.action(permissions=["publish"], description=_("Publish the selected items now"))
    def publish_now(self, request, queryset):
        now = timezone.now()

        def publish(obj):
            if obj.is_live:
                return False
            obj.is_published = True
            if obj.published_at > now:
                obj.published_at = now
            if obj.unpublish_at and obj.unpublish_at <= now:
                obj.unpublish_at = None

        count = self._bulk_save(request, queryset, publish, str(_("Published from the list.")))
        self.message_user(
            request,
            ngettext("%d item published.", "%d items published.", count) % count,
            messages.SUCCESS,
        )

    @admin.action(permissions=["publish"], description=_("Unpublish the selected items"))
    def unpublish(self, request, queryset):
        def unpublish(obj):
            if not obj.is_published:
                return False
            obj.is_published = False

        count = self._bulk_save(request, queryset, unpublish, str(_("Unpublished from the list.")))
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
