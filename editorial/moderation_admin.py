"""Moderation in the content admins (a mixin of editorial.admin's PublishingRolesAdmin):

- the change form's "Submit for review" button, with an optional message, for whoever may
  change the item: the form is saved as usual, then the item is submitted (moderation.submit);
- for publishers, an item in review shows "What changed" (its draft against the live version)
  and a review form, posted to `<id>/review/`: Publish, Schedule (a time), Send back (a
  comment). Bad input is a page that says what is wrong (400), an unknown item a 404, someone
  without the publish permission a 403, an item no longer in review a 409;
- a banner on an item in review ("In review since …, submitted by …") or sent back;
- the history page lists the review steps (WorkflowEvent) under the versions;
- the version token: the form carries a hash of the item as it was opened (moderation.
  version_token); a save from an older version is refused, the person's input shown again."""

from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.admin.utils import quote, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.time_zones import ZonedSplitDateTime, with_time_zone

from . import moderation
from .models import DraftState, EventAction

SUBMIT_BUTTON = "_submit_for_review"
VERSION_FIELD = "_version_token"
MESSAGE_FIELD = "review_message"


class ReviewForm(forms.Form):
    """A publisher's decision on an item in review."""

    action = forms.ChoiceField(
        choices=[
            ("publish", gettext_lazy("Publish now")),
            ("schedule", gettext_lazy("Schedule")),
            ("send_back", gettext_lazy("Send back")),
        ],
        error_messages={
            "required": gettext_lazy("Choose Publish now, Schedule or Send back."),
            "invalid_choice": gettext_lazy("Choose Publish now, Schedule or Send back."),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("Comment"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=gettext_lazy(
            "Required to send it back: say what needs to change. The editor gets it by email."
        ),
    )
    publish_at = forms.SplitDateTimeField(
        label=gettext_lazy("Publish at"),
        required=False,
        widget=ZonedSplitDateTime,
        help_text=gettext_lazy("For Schedule: readers see it from this time."),
    )

    def __init__(self, *args, schedulable=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.schedulable = schedulable
        if not schedulable:
            del self.fields["publish_at"]

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == "send_back" and not cleaned.get("comment", "").strip():
            self.add_error(
                "comment", _("Write what needs to change: the comment is sent to the editor.")
            )
        if action == "schedule":
            when = cleaned.get("publish_at")
            if not self.schedulable:
                self.add_error(
                    None, _("This item has no publication time: publish it now instead.")
                )
            elif when is None and "publish_at" not in self.errors:
                self.add_error("publish_at", _("Give the date and time to publish it at."))
            elif when is not None and when <= timezone.now():
                self.add_error(
                    "publish_at",
                    _("Choose a time in the future, or press Publish now to publish it now."),
                )
        return cleaned


@dataclass
class Moderation:
    """What the change form shows of the item's review."""

    draft: object = None
    version_token: str = ""
    can_submit: bool = False
    banner: str = ""
    banner_message: str = ""
    is_in_review: bool = False
    # For publishers of an item in review:
    review_form: object = None
    review_url: str = ""
    is_new_item: bool = False
    changes: list = field(default_factory=list)


class ModerationAdminMixin:
    """See the module's docstring."""

    object_history_template = "admin/editorial/object_history.html"

    # URLs.

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_review"
        return [
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name=name,
            ),
            *super().get_urls(),
        ]

    def review_url(self, obj):
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_review",
            args=[quote(obj.pk)],
        )

    def item_url(self, obj):
        opts = self.opts
        return reverse(
            f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
            args=[quote(obj.pk)],
        )

    # The change form.

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        if request.method == "POST" and object_id is not None and VERSION_FIELD in request.POST:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None and request.POST[VERSION_FIELD] != moderation.version_token(obj):
                who, when = self.latest_change(obj)
                # A form of your own from before your last save (the browser's Back button, a
                # second tab) is not someone else's: only their changes are protected.
                if who is None or who != request.user:
                    request._version_conflict = self.conflict_message(who, when)
        return super().changeform_view(request, object_id, form_url, extra_context)

    def latest_change(self, obj):
        """(user, time) of the item's last change that the admin recorded: a save in the
        admin's log, or a review step (a draft saved, submitted, published…); (None, None)."""
        content_type = ContentType.objects.get_for_model(type(obj))
        entry = (
            LogEntry.objects.filter(content_type=content_type, object_id=str(obj.pk))
            .select_related("user")
            .order_by("-action_time", "-pk")
            .first()
        )
        step = moderation.events_of(obj).first()
        changes = [
            (change.user, when)
            for change, when in [
                (entry, entry and entry.action_time),
                (step, step and step.at),
            ]
            if change is not None
        ]
        if not changes:
            return None, None
        return max(changes, key=lambda change: change[1])

    def conflict_message(self, who, when):
        if when is None:
            return _(
                "Someone else saved this item since you opened it. Your changes are below, "
                "not saved. Open the item in a new tab to see what they saved, then save again "
                "here to replace it with your version."
            )
        return _(
            "Someone else (%(who)s) saved this item at %(when)s, after you opened it. Your "
            "changes are below, not saved. Open the item in a new tab to see what they saved, "
            "then save again here to replace it with your version."
        ) % {"who": moderation.person(who), "when": with_time_zone(when)}

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        message = getattr(request, "_version_conflict", None)
        if not message:
            return form

        class RefusedForm(form):
            def clean(self):
                super().clean()
                raise ValidationError(message, code="version_conflict")

        RefusedForm.__name__ = form.__name__
        return RefusedForm

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        state = self.moderation_state(request, obj, add)
        context["moderation"] = state
        if state.review_form is not None:
            context["media"] = context["media"] + state.review_form.media
        return super().render_change_form(request, context, add, change, form_url, obj)

    def moderation_state(self, request, obj, add, review_form=None):
        state = Moderation()
        if add or obj is None:
            state.can_submit = self.has_add_permission(request)
            return state
        if not self.has_change_permission(request, obj):
            return state
        draft = moderation.draft_of(obj)
        state.draft = draft
        posted = request.POST.get(VERSION_FIELD) if request.method == "POST" else None
        if posted and not getattr(request, "_version_conflict", None):
            # A form shown again (an error): still the version it was opened from.
            state.version_token = posted
        else:
            state.version_token = moderation.version_token(obj)
        state.is_in_review = draft is not None and draft.state == DraftState.IN_REVIEW
        state.can_submit = not state.is_in_review
        if state.is_in_review:
            state.banner = _("In review since %(when)s, submitted by %(who)s.") % {
                "when": with_time_zone(draft.submitted_at or draft.updated_at),
                "who": moderation.person(draft.submitted_by)
                if draft.submitted_by_id
                else _("someone whose account was deleted"),
            }
            state.banner_message = draft.message
            if self.has_publish_permission(request):
                state.review_form = review_form or ReviewForm(
                    schedulable=moderation.can_schedule(obj, draft),
                    auto_id="id_review_%s",
                )
                state.review_url = self.review_url(obj)
                state.is_new_item = draft.data is None
                state.changes = self.what_changed(obj, draft)
        elif draft is not None and draft.state == DraftState.SENT_BACK:
            step = moderation.events_of(obj).filter(action=EventAction.SENT_BACK).first()
            if step is not None:
                state.banner = _("Sent back by %(who)s on %(when)s:") % {
                    "who": moderation.person(step.user),
                    "when": with_time_zone(step.at),
                }
                state.banner_message = step.message
        return state

    def what_changed(self, obj, draft):
        """The draft of a live item against the live row, field by field and per language."""
        if draft.data is None:
            return []
        from .moderation_compare import changes

        return changes(obj, draft)

    def response_add(self, request, obj, post_url_continue=None):
        if SUBMIT_BUTTON in request.POST:
            return self.submit_after_save(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        if SUBMIT_BUTTON in request.POST:
            return self.submit_after_save(request, obj)
        return super().response_change(request, obj)

    def submit_after_save(self, request, obj):
        try:
            moderation.submit(obj, request.user, request.POST.get(MESSAGE_FIELD, "")[:5000])
        except moderation.NothingToSubmit as error:
            self.message_user(request, str(error), messages.WARNING)
        else:
            self.message_user(
                request,
                _(
                    "“%(item)s” is saved and submitted for review: the publishers are emailed, "
                    "and it waits for them on the dashboard."
                )
                % {"item": obj},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self.item_url(obj))

    # The review form's view.

    def review_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self.review_refused(
                request, None, _("This item does not exist (it may have been deleted)."), 404
            )
        if not (self.has_publish_permission(request) and self.has_change_permission(request, obj)):
            return self.review_refused(
                request,
                obj,
                _("Only a publisher of this kind of item can publish it or send it back."),
                403,
            )
        draft = moderation.draft_of(obj)
        if draft is None or draft.state != DraftState.IN_REVIEW:
            return self.review_refused(
                request,
                obj,
                _(
                    "This item is not waiting for review any more: someone may have published "
                    "it or sent it back already. Nothing was changed."
                ),
                409,
            )
        form = ReviewForm(
            request.POST,
            schedulable=moderation.can_schedule(obj, draft),
            auto_id="id_review_%s",
        )
        if not form.is_valid():
            return self.review_refused(request, obj, None, 400, form=form)
        action, comment = form.cleaned_data["action"], form.cleaned_data["comment"].strip()
        try:
            if action == "send_back":
                moderation.send_back(draft, request.user, comment)
                done = _("“%(item)s” is sent back: the editor is emailed your comment.")
            else:
                at = form.cleaned_data.get("publish_at") if action == "schedule" else None
                event = moderation.publish_reviewed(draft, request.user, at=at, comment=comment)
                if event.action == EventAction.SCHEDULED:
                    done = _("“%(item)s” is scheduled: readers see it from %(when)s.")
                else:
                    done = _("“%(item)s” is published: readers see it now.")
        except ValidationError as error:
            return self.review_refused(request, obj, " ".join(error.messages), 400, form=form)
        when = form.cleaned_data.get("publish_at")
        self.message_user(
            request,
            done % {"item": obj, "when": with_time_zone(when) if when else ""},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(self.item_url(obj))

    def review_refused(self, request, obj, message, status, form=None):
        """The review form's answer when the step was not done: why, and the form again with
        what was typed."""
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("This step was not done"),
            "message": message,
            "original": obj,
            "item_url": self.item_url(obj) if obj is not None else "",
            "changelist_url": reverse(
                f"{self.admin_site.name}:{self.opts.app_label}_{self.opts.model_name}_changelist"
            ),
            "moderation": (
                self.moderation_state(request, obj, False, review_form=form)
                if form is not None and obj is not None
                else None
            ),
        }
        if form is not None:
            context["media"] = self.media + form.media
        return TemplateResponse(
            request, "admin/editorial/review_refused.html", context, status=status
        )

    # The history.

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        steps = list(moderation.events_of(obj)) if obj is not None else []
        context = {**(extra_context or {}), "workflow_events": steps}
        return super().history_view(request, object_id, context)
