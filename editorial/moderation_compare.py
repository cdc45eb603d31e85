""" "What changed": a draft of a live item against the live row, for the publisher who reviews
it. Each changed field once, a translated one once per language ("Title (French)"), rich text
as the words readers see with the words removed in <del> and added in <ins> (the history's
compare view's diffs, editorial/compare.py); related items and inline rows by name.

Everything shown is escaped: the only markup is our own."""

from dataclasses import dataclass

from django.db import models
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .compare import field_label, is_rich_text, join, rich_text_diff, word_diff
from .drafts import draft_fields, draft_inlines, draft_m2m, serialize


@dataclass
class Change:
    label: str
    html: str


def whole(before, after):
    """The value it was and the value it is, each whole (a partner, a file, a choice)."""
    parts = []
    if before:
        parts.append(format_html("<del>{}</del>", before))
    if after:
        parts.append(format_html("<ins>{}</ins>", after))
    return join(parts)


def names(model, pks):
    """The items of `model` with these keys, by name, in the order of the keys."""
    found = {obj.pk: str(obj) for obj in model._base_manager.filter(pk__in=[p for p in pks if p])}
    return [found.get(pk, str(pk)) for pk in pks if pk]


def shown(field, value):
    """A stored value as staff read it."""
    if value is None or value == "":
        return ""
    if field.choices:
        return str(dict(field.flatchoices).get(field.to_python(value), value))
    if isinstance(field, models.BooleanField):
        return _("Yes") if value else _("No")
    return str(value)


def field_change(field, old, new):
    if is_rich_text(field):
        return format_html('<div class="compare-rich-text">{}</div>', rich_text_diff(old, new))
    if field.is_relation:
        before = names(field.related_model, [old])[0] if old else ""
        after = names(field.related_model, [new])[0] if new else ""
        return format_html('<div class="compare-text">{}</div>', whole(before, after))
    if isinstance(field, models.FileField) or field.choices:
        return format_html(
            '<div class="compare-text">{}</div>', whole(shown(field, old), shown(field, new))
        )
    return format_html(
        '<div class="compare-text">{}</div>', word_diff(shown(field, old), shown(field, new))
    )


def fields_changes(fields, old_values, new_values, prefix=""):
    changes = []
    for field in fields:
        old = old_values.get(field.attname)
        new = new_values.get(field.attname, old)
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        label = field_label(field)
        changes.append(Change(f"{prefix}{label}", field_change(field, old, new)))
    return changes


def changes(item, draft):
    """[Change] of the draft (draft.data) against the live item, in the form's field order."""
    live = serialize(type(item)._base_manager.get(pk=item.pk))
    data = draft.data or {}
    model = type(item)
    result = fields_changes(draft_fields(model), live["fields"], data.get("fields", {}))
    for field in draft_m2m(model):
        old = live["m2m"].get(field.name, [])
        new = data.get("m2m", {}).get(field.name, old)
        if sorted(old) == sorted(new):
            continue
        removed = names(field.related_model, [pk for pk in old if pk not in new])
        added = names(field.related_model, [pk for pk in new if pk not in old])
        parts = [format_html("<del>{}</del>", name) for name in removed]
        parts += [format_html("<ins>{}</ins>", name) for name in added]
        result.append(
            Change(
                capfirst(field.verbose_name),
                format_html('<div class="compare-text">{}</div>', join(parts)),
            )
        )
    for accessor, inline_model, fk in draft_inlines(model):
        old_rows = {row["pk"]: row["fields"] for row in live["inlines"].get(accessor, [])}
        new_rows = data.get("inlines", {}).get(accessor)
        if new_rows is None:
            continue
        fields = draft_fields(inline_model, exclude={fk.name})
        rows_label = capfirst(inline_model._meta.verbose_name_plural)
        kept = {row.get("pk") for row in new_rows}
        for pk, values in old_rows.items():
            if pk not in kept:
                result.append(Change(rows_label, whole(row_name(fields, values), "")))
        for number, row in enumerate(new_rows, start=1):
            before = old_rows.get(row.get("pk"))
            if before is None:
                result.append(Change(rows_label, whole("", row_name(fields, row["fields"]))))
                continue
            prefix = _("%(rows)s, row %(number)s: ") % {"rows": rows_label, "number": number}
            result += fields_changes(fields, before, row["fields"], prefix)
    return result


def row_name(fields, values):
    """A row's first text, standing for the whole row."""
    for field in fields:
        value = values.get(field.attname)
        if isinstance(value, str) and value.strip() and not is_rich_text(field):
            return value
    return _("a row")
