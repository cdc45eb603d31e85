"""Content in the reader's language, or in English marked as such.

Every text staff write has a column per language (django-modeltranslation: `title_en`,
`title_fr`, `title_km`, on the same row, so showing a translation costs no query). Where the
reader's language has no text, readers see the English one inside an element with `lang="en"`
and a short note that it is not yet translated (`{% translated %}`, core/templatetags).
"""

from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django_prose_editor.fields import ProseEditorField
from modeltranslation import settings as mt_settings
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

DEFAULT_LANGUAGE = mt_settings.DEFAULT_LANGUAGE


def languages():
    """Every content language, English first."""
    return list(mt_settings.AVAILABLE_LANGUAGES)


def other_languages():
    """The languages that translate the English text."""
    return [lang for lang in languages() if lang != DEFAULT_LANGUAGE]


def content_languages(lang=None):
    """The reader's language and the ones it falls back to, in order: ("fr", "en")."""
    return resolution_order(lang or get_language())


def column(field, lang):
    """The column that holds `field` in `lang`: title, fr → title_fr."""
    return build_localized_fieldname(field, lang)


def columns(field, langs=None):
    return [column(field, lang) for lang in (langs or languages())]


def has_text(value):
    return value is not None and str(value).strip() != ""


def is_empty_q(name):
    return Q(**{f"{name}__isnull": True}) | Q(**{name: ""})


def missing_translation_q(fields, lang):
    """Rows where one of `fields` has English text but none in `lang`."""
    conditions = [
        is_empty_q(column(field, lang)) & ~is_empty_q(column(field, DEFAULT_LANGUAGE))
        for field in fields
    ]
    query = Q()
    for condition in conditions:
        query |= condition
    return query


def language_name(lang):
    """The language's name in the interface's language ("French", "Français")."""
    return get_language_info(lang)["name_translated"]


def missing_fields(obj, fields, lang):
    """Those of `fields` of `obj` that have English text but none in `lang`."""
    return [
        field
        for field in fields
        if has_text(getattr(obj, column(field, DEFAULT_LANGUAGE), None))
        and not has_text(getattr(obj, column(field, lang), None))
    ]


def missing_languages(obj, fields):
    """The languages in which one of `fields` of `obj` has English text but none of its own."""
    return [lang for lang in other_languages() if missing_fields(obj, fields, lang)]


def without_defaults_in_other_languages(model, fields):
    """The model's defaults are English: new rows leave the other languages' columns empty
    (so they show as not yet translated) instead of copying the English default into them.
    Only the Python-side default changes; migrations read the original field."""
    for field in fields:
        for lang in other_languages():
            model._meta.get_field(column(field, lang)).default = models.NOT_PROVIDED


class Translated:
    """One text of an item as a reader in the current language sees it.

    In a template, `{{ value }}` is the text followed, when it is the English fallback, by the
    note that it is not yet translated; `{{ value.marked }}` is the text alone (escaped; rich
    text as its sanitised HTML), inside `<span class="untranslated" lang="en">` (a `<div>` for
    rich text) when it is the fallback; `{{ value.note }}` the note alone, to put it outside a
    link; `{{ value.text }}` the bare text, for attributes and the page's <title>."""

    def __init__(self, value, lang, *, missing=False, rich=False):
        self.value = value or ""
        self.lang = lang
        self.missing = missing and bool(self.value)
        self.rich = rich

    def __bool__(self):
        return bool(self.value)

    @property
    def text(self):
        return self.value

    @property
    def fallback_lang(self):
        """The language of the text when it is not the reader's (for a `lang` attribute)."""
        return self.lang if self.missing else ""

    @cached_property
    def marked(self):
        # Rich text is sanitised when it is saved (core.html.clean_html), in every language.
        content = mark_safe(self.value) if self.rich else conditional_escape(self.value)  # noqa: S308
        if not self.missing:
            return content
        tag = "div" if self.rich else "span"
        return format_html(
            '<{} class="untranslated" lang="{}">{}</{}>', tag, self.lang, content, tag
        )

    @cached_property
    def note(self):
        """The note that goes with a fallback text (before a block of rich text), or nothing."""
        if not self.missing:
            return ""
        if self.rich:
            language = language_name(self.lang)
            return format_html(
                '<p class="translation-note">{}</p>',
                _("Not yet translated: the text below is in %(language)s.")
                % {"language": language},
            )
        return format_html('<small class="translation-note">({})</small>', _("Not yet translated"))

    def __str__(self):
        if not self.missing:
            return self.marked
        if self.rich:
            return format_html("{}{}", self.note, self.marked)
        return format_html("{} {}", self.marked, self.note)

    __html__ = __str__


def is_rich(obj, field):
    return isinstance(obj._meta.get_field(field), ProseEditorField)


def translated(obj, *fields, lang=None):
    """The first of `fields` with text in the reader's language, else in the languages it falls
    back to (English): `translated(page, "nav_title", "title")`."""
    langs = content_languages(lang)
    for index, fallback in enumerate(langs):
        for field in fields:
            value = getattr(obj, column(field, fallback), None)
            if has_text(value):
                return Translated(value, fallback, missing=index > 0, rich=is_rich(obj, fields[0]))
    return Translated("", langs[0], missing=False, rich=is_rich(obj, fields[0]))
