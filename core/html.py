"""Sanitising of HTML that staff write or paste, applied when a model is saved."""

import html

import nh3
from django.utils.html import strip_tags
from django_prose_editor.fields import ProseEditorField

from .translated import columns

ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "ul",
    "ol",
    "li",
    "a",
    "blockquote",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(value):
    """Keep an allow-list of tags and attributes: no scripts, styles, event handlers or
    javascript:/data: links, whatever is pasted or posted."""
    if not value:
        return ""
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer",
    ).strip()
    # The editor posts "<p></p>" when left empty: no text is no text (a translation that is
    # still missing, for one).
    if not html.unescape(strip_tags(cleaned)).strip():
        return ""
    return cleaned


def clean_html_in_every_language(obj, *fields):
    """`clean_html` on each language's column of the rich-text `fields` (modeltranslation:
    body_en, body_fr, body_km), whatever language is active."""
    for name in fields:
        for column in columns(name):
            value = getattr(obj, column)
            if value is not None:
                setattr(obj, column, clean_html(value))


# The rich-text editor's toolbar (django-prose-editor) offers what ALLOWED_TAGS keeps.
RICH_TEXT_EDITOR = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "Heading": {"levels": [2, 3, 4]},
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "HardBreak": True,
        "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
        "History": True,
    }
}


def RichTextField(*args, **kwargs):  # Named like the field class it stands for
    """A TextField edited with the rich-text editor in the admin; models still run
    `clean_html` in `save()`, whatever reaches them."""
    return ProseEditorField(
        *args, config=RICH_TEXT_EDITOR, preset="mped", sanitize=clean_html, **kwargs
    )
