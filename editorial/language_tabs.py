"""The languages of a change form as one section each, English first.

django-modeltranslation's TranslationAdmin shows every translated field three times, one under
the other (title_en, title_fr, title_km). `LanguageTabsMixin` regroups the form's translated
columns, when the form is rendered, into a section per language (`fieldset#language-<code>`),
each holding that language's column of every translated field in the form's order; the other
fields stay in their fieldsets, and a fieldset left empty goes. A section whose language lacks
text where the saved English has some is marked (`language-missing`, "2 to translate").

Without JavaScript the sections are stacked; editorial/static/editorial/language-tabs.js turns
them into tabs, and keeps the marks up to date as the translator types. The sections are drawn by
templates/admin/includes/fieldset.html. The form itself (its fields, their order, what it
saves) is not changed: only the way it is laid out.
"""

from django import forms
from django.conf import settings
from django.contrib.admin.helpers import AdminForm
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import get_language_info, ngettext

from core.translated import DEFAULT_LANGUAGE, languages
from core.translated import missing_fields as fields_missing_in


def mark_pattern(count):
    return ngettext("%(count)d to translate", "%(count)d to translate", count)


class LanguageSection:
    """What a language's section shows besides its fields: its language, its name, and the
    translated fields (by their name without language) that lack text in it."""

    def __init__(self, lang, fields, missing):
        self.lang = lang
        self.fields = fields
        self.missing = missing

    @property
    def name(self):
        """As the site's language switch names it: "English" (in the admin's language),
        "Français", "ខ្មែរ"."""
        return dict(settings.LANGUAGES).get(self.lang) or get_language_info(self.lang)["name"]

    @property
    def is_default(self):
        return self.lang == DEFAULT_LANGUAGE

    @property
    def fields_attribute(self):
        return " ".join(self.fields)

    @property
    def mark(self):
        """ "2 to translate", or nothing."""
        count = len(self.missing)
        return mark_pattern(count) % {"count": count} if count else ""

    @property
    def mark_one(self):
        return mark_pattern(1) % {"count": 1}

    @property
    def mark_many(self):
        """The mark for more than one field, for the script that updates it."""
        return mark_pattern(2)


class LanguageTabsAdminForm(AdminForm):
    """The change form's fieldsets, the language sections among them (`fieldset.language`)."""

    def __init__(self, adminform, fieldsets, sections):
        # The same form, prepopulated fields and read-only fields; other fieldsets.
        self.__dict__.update(adminform.__dict__)
        self.fieldsets = fieldsets
        self.sections = sections  # {index in fieldsets: (lang, fields, missing)}

    def __iter__(self):
        for index, fieldset in enumerate(super().__iter__()):
            section = self.sections.get(index)
            fieldset.language = None
            if section is not None:
                lang, fields, missing = section
                fieldset.language = LanguageSection(lang, fields, missing)
            yield fieldset


def translated_column(model, name):
    """(field, lang) for a translated field's column (`title_fr` → ("title", "fr")), else
    None."""
    if not isinstance(name, str):
        return None  # several fields on one line: they stay together, where they are
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None  # a read-only method
    original = getattr(field, "translated_field", None)
    if original is None:
        return None
    return original.name, field.language


def regroup(model, fieldsets):
    """The fieldsets without their translated columns, and a section per language holding
    them, after the fieldset of the first translated field (in its place if it is left empty):
    (fieldsets, {index in fieldsets: (lang, fields)}), `fields` being the translated fields by
    their name without language, in the form's order."""
    by_lang = {lang: [] for lang in languages()}
    fields, kept, position = [], [], None
    for name, options in fieldsets:
        others, translated = [], False
        for line in options.get("fields", ()):
            found = translated_column(model, line)
            if found is None:
                others.append(line)
                continue
            field, lang = found
            by_lang.setdefault(lang, []).append(line)
            fields += [field] if field not in fields else []
            translated = True
        if others or not translated:
            kept.append((name, {**options, "fields": others}))
        if translated and position is None:
            position = len(kept)
    if position is None:
        return fieldsets, {}
    result, sections = kept[:position], {}
    for lang, lines in by_lang.items():
        if lines:
            sections[len(result)] = (lang, fields)
            result.append((None, {"fields": lines, "classes": ["language-rows"]}))
    return result + kept[position:], sections


def missing_fields(obj, fields, lang):
    """Which of `fields` of the saved `obj` have English text but none in `lang`."""
    if obj is None or obj.pk is None or lang == DEFAULT_LANGUAGE:
        return []
    return fields_missing_in(obj, fields, lang)


class LanguageTabsMixin:
    """For a model admin built on modeltranslation's TranslationAdmin: see the module's
    docstring. Works on the fieldsets the form is rendered with, so it needs no place in the
    admin's bases other than before ModelAdmin."""

    language_tabs_media = forms.Media(
        js=["editorial/language-tabs.js"], css={"all": ["editorial/language-tabs.css"]}
    )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        adminform = context.get("adminform")
        if isinstance(adminform, AdminForm) and not isinstance(adminform, LanguageTabsAdminForm):
            fieldsets, sections = regroup(self.model, adminform.fieldsets)
            if sections:
                context["adminform"] = LanguageTabsAdminForm(
                    adminform,
                    fieldsets,
                    {
                        index: (lang, fields, missing_fields(obj, fields, lang))
                        for index, (lang, fields) in sections.items()
                    },
                )
                context["media"] = context["media"] + self.language_tabs_media
        return super().render_change_form(request, context, add, change, form_url, obj)
