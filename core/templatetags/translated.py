"""Content in the reader's language: `{% load translated %}`.

    {% translated item "summary" %}          the text, or the English one marked as such
    {% translated page "nav_title" "title" as label %}{{ label.marked }}{{ label.note }}

See core/translated.py."""

from django import template

from core.translated import translated as translated_value

register = template.Library()


@register.simple_tag
def translated(obj, *fields):
    if obj is None or obj == "":
        return ""
    return translated_value(obj, *fields)
