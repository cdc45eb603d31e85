"""Where an image or a document is used, found through the relations that point at it, so the
library never imports the apps that use it.

An item that points at the library directly (a news item's image) is its own user. A link row
(a report's list of documents, an article's copy) names the item it belongs to in the class
attribute `library_owner` (the name of its foreign key to that item); the item is then the
user."""

from dataclasses import dataclass

from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse

# The library's own rows that point at an image or document are not uses.
OWN_MODELS = {"rendition", "downloadcount"}


@dataclass
class Use:
    item: object  # the news item, program page, municipality, site settings...
    kind: str  # its model's verbose name
    admin_url: str  # its change page, or "" when it has none

    @property
    def is_live(self):
        """Whether readers see the item now (a row that is not publishable is always live)."""
        return getattr(self.item, "is_live", True)


def admin_url(item):
    opts = item._meta
    try:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(item.pk)])
    except NoReverseMatch:
        return ""


def usages(obj):
    """The items that use `obj` (an Image or a Document), each once, in a stable order."""
    seen = set()
    uses = []
    for relation in obj._meta.related_objects:
        model = relation.related_model
        if model._meta.app_label == "library" and model._meta.model_name in OWN_MODELS:
            continue
        rows = model._default_manager.filter(**{relation.field.name: obj})
        owner_field = getattr(model, "library_owner", None)
        if owner_field:
            rows = rows.select_related(owner_field)
        for row in rows.order_by("pk"):
            item = getattr(row, owner_field) if owner_field else row
            key = (item._meta.label, item.pk)
            if key in seen:
                continue
            seen.add(key)
            uses.append(Use(item, str(item._meta.verbose_name), admin_url(item)))
    return uses


def is_used_live(obj):
    """Whether any item readers see now uses `obj`."""
    return any(use.is_live for use in usages(obj))
