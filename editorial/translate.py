"""Translating side by side: `<id>/translate/<lang>/` in the admin of every translated item
(TranslateAdminMixin), and the dashboard's "Needs translation" sections.

The view shows the English text on the left, read-only (rich text as its sanitised HTML), and
the target language's fields on the right, editable with the widgets the change form uses (the
rich-text editor for rich fields): one row per translated field in the form's order, then the
translated fields of the item's own inline rows (program page points and figures, article
copies, menu links, home page blocks), each labelled with the row it belongs to. Only fields with
text in English or in the target language are listed; the progress at the top counts those with
English text.

"Save draft" keeps the translation the way the change form keeps any change:

- a live item (published, scheduled or expired): the translation goes into the item's draft
  (editorial.drafts.save_draft, merged into a draft that exists already), which a publisher
  publishes; publishers may press "Save and publish" (drafts.publish_draft) instead;
- an item never published (or one without publishing, the site settings): the row is saved, in
  a django-reversion revision by the user that says "Translated into French.".

The form carries the item's version token (editorial/moderation.py): a save over a version
someone else saved since the form was opened is refused (409) and the translator's text shown
again. Invalid input (a text too long) is the form again with its errors (400); nothing saved.
"""

import copy
from dataclasses import dataclass, field
from functools import partial

import reversion
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_prose_editor.fields import ProseEditorField
from modeltranslation.fields import TranslationField

from core.html import clean_html
from core.translated import (
    DEFAULT_LANGUAGE,
    column,
    has_text,
    language_name,
    missing_translation_q,
)
from core.translated import other_languages as target_languages

from . import drafts, moderation
from .models import DraftState

PUBLISH_BUTTON = "_save_and_publish"
VERSION_FIELD = "_version_token"


def translated_bases(model, names):
    """The translated fields (`title`) among the form's field `names` (`title_en`, `title_fr`,
    `slug`...), each once, in the form's order."""
    found = []
    for name in names:
        try:
            model_field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if isinstance(model_field, TranslationField):
            base = model_field.translated_field.name
            if base not in found:
                found.append(base)
    return found


def form_field_names(admin_obj, request, obj):
    names = []
    for _name, options in admin_obj.get_fieldsets(request, obj):
        for entry in options.get("fields", ()):
            names += list(entry) if isinstance(entry, list | tuple) else [entry]
    return names


def has_translations(model):
    """Whether the model, or the inline rows that are part of it, has translated fields."""
    if any(isinstance(f, TranslationField) for f in model._meta.concrete_fields):
        return True
    return any(
        any(isinstance(f, TranslationField) for f in inline_model._meta.concrete_fields)
        for _accessor, inline_model, _fk in drafts.draft_inlines(model)
    )


def translate_url(obj, lang, site_name="admin"):
    opts = obj._meta
    return reverse(
        f"{site_name}:{opts.app_label}_{opts.model_name}_translate", args=[quote(obj.pk), lang]
    )


@dataclass
class Entry:
    """One translated field of the item or of one of its inline rows."""

    name: str  # the form field's name
    label: str
    obj: object  # the item, or the inline row
    base: str  # title
    lang: str
    rich: bool
    form_field: object = None
    bound: object = None

    @property
    def english(self):
        return getattr(self.obj, column(self.base, DEFAULT_LANGUAGE)) or ""

    @property
    def english_html(self):
        # Sanitised on save already; again here, since a draft's values come from JSON.
        return mark_safe(clean_html(self.english))  # noqa: S308

    @property
    def target(self):
        return getattr(self.obj, column(self.base, self.lang))

    @property
    def needs_text(self):
        return has_text(self.english)

    @property
    def is_translated(self):
        value = clean_html(self.target or "") if self.rich else self.target
        return has_text(value)


@dataclass
class Group:
    title: str
    entries: list = field(default_factory=list)


class _Proposal:
    """What editorial.drafts.save_draft reads of a change form (or of an inline row's form):
    its instance, holding the proposed values. No other field of the form: the item's related
    items stay as the draft (or the live row) has them."""

    def __init__(self, instance):
        self.instance = instance
        self.fields = {}
        # Truthy, as a filled-in inline form's: the row is kept.
        self.cleaned_data = {"instance": instance}


class _ProposedRows:
    """What save_draft reads of an inline formset: every row of the item, in order."""

    can_delete = False

    def __init__(self, model, fk, rows):
        self.model = model
        self.fk = fk
        self.forms = [_Proposal(row) for row in rows]


class TranslateAdminMixin:
    """The translate view and its links (the change form's object tools)."""

    translate_template = "admin/editorial/translate.html"

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_translate"
        return [
            path(
                "<path:object_id>/translate/<str:lang>/",
                self.admin_site.admin_view(self.translate_view),
                name=name,
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if (
            change
            and obj is not None
            and has_translations(self.model)
            and self.has_change_permission(request, obj)
        ):
            context["translate_links"] = [
                {"name": language_name(lang), "url": translate_url(obj, lang, self.admin_site.name)}
                for lang in target_languages()
            ]
        return super().render_change_form(request, context, add, change, form_url, obj)

    # What is translated.

    def keeps_drafts(self):
        return getattr(self, "has_drafts", lambda: False)()

    def translation_groups(self, request, item, lang):
        """[Group]: the item's own fields, then each inline's rows."""
        main = Group(title="")
        for base in translated_bases(self.model, form_field_names(self, request, item)):
            model_field = self.model._meta.get_field(base)
            main.entries.append(
                Entry(
                    name=column(base, lang),
                    label=capfirst(model_field.verbose_name),
                    obj=item,
                    base=base,
                    lang=lang,
                    rich=isinstance(model_field, ProseEditorField),
                    form_field=self.formfield_for_dbfield(
                        self.model._meta.get_field(column(base, lang)), request
                    ),
                )
            )
        groups = [main]
        rows = {}
        inlines = self.get_inline_instances(request, item)
        for accessor, inline_model, fk in drafts.draft_inlines(self.model):
            inline = next((i for i in inlines if i.model is inline_model), None)
            if inline is None:
                continue
            bases = translated_bases(inline_model, form_field_names(inline, request, item))
            if not bases:
                continue
            # A draft's copy has the draft's rows (drafts.draft_instance); a row, its stored ones.
            found = list(getattr(item, accessor).all())
            rows[accessor] = (inline_model, fk, found)
            group = Group(
                title=capfirst(inline.verbose_name_plural or inline_model._meta.verbose_name_plural)
            )
            for index, row in enumerate(found, start=1):
                what = f"{capfirst(inline_model._meta.verbose_name)} {index}"
                if hasattr(row, "get_kind_display"):
                    what = f"{what} ({row.get_kind_display()})"
                for base in bases:
                    model_field = inline_model._meta.get_field(base)
                    group.entries.append(
                        Entry(
                            name=f"{accessor}-{index - 1}-{column(base, lang)}",
                            label=f"{what}: {model_field.verbose_name}",
                            obj=row,
                            base=base,
                            lang=lang,
                            rich=isinstance(model_field, ProseEditorField),
                            form_field=inline.formfield_for_dbfield(
                                inline_model._meta.get_field(column(base, lang)), request
                            ),
                        )
                    )
            groups.append(group)
        for group in groups:
            # A field with no text in either language has nothing to translate.
            group.entries = [e for e in group.entries if e.needs_text or has_text(e.target)]
        return [group for group in groups if group.entries], rows

    def translate_form(self, entries, lang, data=None):
        form = forms.Form(data=data, auto_id="id_%s")
        for entry in entries:
            form_field = entry.form_field
            form_field.required = False
            form_field.label = entry.label
            form_field.help_text = ""
            if not entry.rich:
                form_field.widget.attrs["lang"] = lang
                if isinstance(form_field.widget, forms.Textarea):
                    form_field.widget.attrs["rows"] = 4
            form.fields[entry.name] = form_field
            form.initial[entry.name] = entry.target
        for entry in entries:
            entry.bound = form[entry.name]
        return form

    # The view.

    def translate_view(self, request, object_id, lang):
        if lang not in target_languages():
            raise Http404(_("There is no such language to translate into."))
        item = self.get_object(request, unquote(object_id))
        if item is None:
            raise Http404(_("This item does not exist (it may have been deleted)."))
        if not self.has_change_permission(request, item):
            raise PermissionDenied
        is_live = self.keeps_drafts() and drafts.is_live_row(item)
        draft = drafts.live_draft_for(item) if is_live else None
        # A live item with a draft: the draft's values are the ones translated.
        shown = copy.copy(drafts.draft_instance(item, draft)) if draft is not None else item
        groups, rows = self.translation_groups(request, shown, lang)
        entries = [entry for group in groups for entry in group.entries]
        can_publish = is_live and self.has_publish_permission(request)
        if request.method != "POST":
            form = self.translate_form(entries, lang)
            token = moderation.version_token(item)
            return self.render_translate(request, item, lang, groups, form, token, is_live, draft)

        form = self.translate_form(entries, lang, data=request.POST)
        token = request.POST.get(VERSION_FIELD, "")
        conflict = self.translation_conflict(request, item, token)
        if conflict or not form.is_valid():
            if conflict:
                form.is_valid()
                form.add_error(None, conflict)
                token = moderation.version_token(item)
            status = 409 if conflict else 400
            return self.render_translate(
                request, item, lang, groups, form, token, is_live, draft, status=status
            )
        changed = self.apply_translation(entries, form.cleaned_data)
        language = language_name(lang)
        comment = _("Translated into %(language)s.") % {"language": language}
        here = translate_url(item, lang, self.admin_site.name)
        publish = PUBLISH_BUTTON in request.POST and can_publish
        if not changed and not (publish and draft is not None):
            self.message_user(
                request, _("Nothing changed: the translation is as it was."), messages.INFO
            )
            return HttpResponseRedirect(here)
        if is_live:
            self.save_translation_draft(request, item, shown, rows, comment, publish, language)
        else:
            self.save_translation_row(request, item, rows, comment, language)
        return HttpResponseRedirect(here)

    def translation_conflict(self, request, item, token):
        """The change form's rule (moderation_admin): refused when someone else saved the item
        (or its draft) since the form was opened."""
        if not hasattr(self, "latest_change") or token == moderation.version_token(item):
            return ""
        who, when = self.latest_change(item)
        if who is not None and who == request.user:
            return ""
        return self.conflict_message(who, when)

    def apply_translation(self, entries, cleaned):
        """Set the posted texts on the item (or its draft's copy) and its rows; whether any
        changed."""
        changed = False
        for entry in entries:
            value = cleaned.get(entry.name)
            if entry.rich:
                value = clean_html(value or "")
            if (value or "") != (entry.target or ""):
                setattr(entry.obj, column(entry.base, entry.lang), value)
                changed = True
        return changed

    def save_translation_draft(self, request, item, proposed, rows, comment, publish, language):
        formsets = [_ProposedRows(model, fk, found) for model, fk, found in rows.values()]
        draft = drafts.save_draft(item, _Proposal(proposed), request.user, formsets=formsets)
        if draft is None:
            self.message_user(
                request,
                _("Nothing changed: readers see “%(item)s” as it is, and it has no draft.")
                % {"item": item},
                messages.INFO,
            )
            return
        if publish:
            outcome = drafts.publish_draft(draft, by=request.user, comment=comment)
            self.log_change(
                request,
                item,
                _("Translated into %(language)s and published.") % {"language": language},
            )
            self.message_user(
                request,
                _("The %(language)s translation of “%(item)s” is published: readers see it now.")
                % {"language": language, "item": item},
                messages.SUCCESS,
            )
            if hasattr(self, "show_notes"):
                self.show_notes(request, outcome.notes)
            return
        self.log_change(
            request,
            item,
            _("Translated into %(language)s (a draft: readers see the live version).")
            % {"language": language},
        )
        self.message_user(
            request,
            _(
                "The %(language)s translation of “%(item)s” is saved as a draft: readers see "
                "the live version until a publisher publishes the changes."
            )
            % {"language": language, "item": item},
            messages.SUCCESS,
        )
        if getattr(draft, "was_scheduled", False):
            self.message_user(
                request,
                _("Saving the draft again cancelled its schedule: schedule it again if needed."),
                messages.WARNING,
            )

    def save_translation_row(self, request, item, rows, comment, language):
        from . import workflow

        with transaction.atomic(), reversion.create_revision():
            reversion.set_user(request.user)
            reversion.set_comment(comment)
            for _model, _fk, found in rows.values():
                for row in found:
                    row.save()
            if hasattr(item, "is_published") and self.keeps_drafts():
                workflow.save_edited(item, by=request.user)
            else:
                item.save()
            # The admin's log (the dashboard's recent changes); its words are the revision's.
            self.log_change(request, item, comment)
        self.message_user(
            request,
            _("The %(language)s translation of “%(item)s” is saved.")
            % {"language": language, "item": item},
            messages.SUCCESS,
        )

    def render_translate(
        self, request, item, lang, groups, form, token, is_live, draft, status=200
    ):
        entries = [entry for group in groups for entry in group.entries]
        needed = [entry for entry in entries if entry.needs_text]
        done = sum(1 for entry in needed if entry.is_translated)
        total = len(needed)
        language = language_name(lang)
        review = moderation.draft_of(item) if hasattr(self, "latest_change") else None
        in_review = ""
        if review is not None and review.state == DraftState.IN_REVIEW:
            in_review = _(
                "This item is waiting for review: your translation joins what the publishers "
                "review."
            )
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            # The two columns need the width.
            "is_nav_sidebar_enabled": False,
            "opts": opts,
            "original": item,
            "title": _("Translate “%(item)s” into %(language)s")
            % {"item": item, "language": language},
            "lang": lang,
            "language": language,
            "english": language_name(DEFAULT_LANGUAGE),
            "groups": groups,
            "form": form,
            "media": self.media + form.media,
            "version_token": token,
            "progress": ngettext(
                "%(done)s of %(total)s field translated",
                "%(done)s of %(total)s fields translated",
                total,
            )
            % {"done": done, "total": total},
            "done": done,
            "total": total,
            "is_live": is_live,
            "has_draft": draft is not None,
            "can_publish": is_live and self.has_publish_permission(request),
            "in_review": in_review,
            "item_url": reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=[quote(item.pk)],
            ),
            "other_languages": [
                {
                    "name": language_name(other),
                    "url": translate_url(item, other, self.admin_site.name),
                }
                for other in target_languages()
                if other != lang
            ],
            "publish_button": PUBLISH_BUTTON,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.translate_template, context, status=status)


# The dashboard ------------------------------------------------------------------------------------


def translated_admins():
    """(model, model admin) of the admins that list missing translations and translate."""
    from .admin import MissingTranslationFilter

    found = []
    for model, model_admin in admin.site._registry.items():
        if not (
            getattr(model_admin, "translation_check_fields", ())
            and isinstance(model_admin, TranslateAdminMixin)
            and MissingTranslationFilter in (model_admin.list_filter or ())
        ):
            continue
        try:
            model._meta.get_field("updated_at")
        except FieldDoesNotExist:
            continue
        found.append((model, model_admin))
    return sorted(found, key=lambda pair: pair[0]._meta.label)


def needs_translation_sections():
    """The dashboard's "Needs translation" section of each language: per kind of item, the
    items with English text and none in that language (the change list's "missing translation"
    filter), counted with the dashboard's other counts (one aggregate per model) and the first
    few listed, each linking to its translate view."""
    from .dashboard import Section, Source

    sections = []
    for lang in target_languages():
        language = language_name(lang)
        sources = []
        for model, model_admin in translated_admins():
            related = model_admin.list_select_related
            sources.append(
                Source(
                    model,
                    missing_translation_q(model_admin.translation_check_fields, lang),
                    "-updated_at",
                    _("Updated"),
                    {"missing_translation": lang},
                    related=tuple(related) if isinstance(related, list | tuple) else (),
                    item_url=partial(translate_url, lang=lang),
                )
            )
        sections.append(
            Section(
                f"translation-{lang}",
                _("Needs translation: %(language)s") % {"language": language},
                _(
                    "Items with English text that has no %(language)s version yet, the most "
                    "recently changed first. Each opens side by side with the English."
                )
                % {"language": language},
                _("Every item with English text has its %(language)s translation.")
                % {"language": language},
                sources,
            )
        )
    return sections
