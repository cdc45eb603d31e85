"""Moving the images items kept themselves into the media library (issue 17), for the data
migrations of news and partners (news 0013, partners 0010): used with the migrations'
historical models only, never with the app's own.

An item's image was a file field (`image`, with `image_width`, `image_height` and the alt text
`image_alt` in each language). The move makes one library Image per distinct stored file name,
pointing at the SAME file (nothing is copied, nothing is removed from disk or S3, so the old
public URL /media/<name> still answers), and points the item at it in a new foreign key. The
item's saved versions (django-reversion) and pending drafts (editorial) are rewritten the same
way, so a version saved before the move still restores and a draft still publishes.

The reverse puts the file name, size and alt text back on the items, versions and drafts; the
library images stay (the library's own migrations remove them if it is unmigrated too)."""

import json
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q

from .images import stored_size

logger = logging.getLogger(__name__)

# The old fields, whose keys leave a version's or a draft's data.
SIZE_FIELDS = ("image_width", "image_height")


def languages():
    return [code for code, _name in settings.LANGUAGES]


def alt_names():
    return ["image_alt", *(f"image_alt_{code}" for code in languages())]


class Library:
    """The library images made by one move, by stored file name."""

    def __init__(self, apps):
        self.Image = apps.get_model("library", "Image")
        self.by_name = {}

    def image_for(self, name, title, alts, size=(0, 0)):
        """The library image of the stored file `name` (made if there is none yet), with each
        language's alt text it lacks taken from `alts` ({code: text})."""
        image = self.by_name.get(name)
        if image is None:
            image = self.Image.objects.filter(file=name).order_by("pk").first()
        if image is None:
            width, height = size if size and all(size) else measured(name)
            image = self.Image(
                title=(title or name.rsplit("/", 1)[-1])[:250],
                file=name,
                width=width,
                height=height,
                focal_x=50,
                focal_y=50,
                uploaded_by=None,
                credit="",
            )
            for code in languages():
                setattr(image, f"alt_{code}", (alts.get(code) or "")[:250])
            image.alt = image.alt_en or ""
            image.save()
        else:
            changed = False
            for code in languages():
                if not (getattr(image, f"alt_{code}") or "").strip() and alts.get(code):
                    setattr(image, f"alt_{code}", alts[code][:250])
                    changed = True
            if changed:
                image.alt = image.alt_en or ""
                image.save()
        self.by_name[name] = image
        return image


def measured(name):
    """(width, height) of a stored image as it is shown, (0, 0) when it cannot be read."""
    try:
        return stored_size(default_storage, name)
    except (OSError, ValueError, SyntaxError):
        logger.warning("Could not read the image %s", name)
        return 0, 0


def alts_of(values):
    """{language code: alt text} from a row's or a version's fields."""
    alts = {code: values.get(f"image_alt_{code}") or "" for code in languages()}
    if not alts.get("en") and values.get("image_alt"):
        alts["en"] = values["image_alt"]
    return alts


def move_images(apps, app_label, model_name, title_of, new_field="library_image"):
    """Forwards: every row of the model with an image points at the library image of its file
    in `new_field`; its versions and drafts are rewritten. `title_of(fields)` names the image
    from the item's fields (a row's __dict__ or a version's fields)."""
    Model = apps.get_model(app_label, model_name)
    library = Library(apps)
    for row in Model._base_manager.exclude(image="").order_by("pk"):
        values = row.__dict__
        image = library.image_for(
            row.image.name, title_of(values), alts_of(values), (row.image_width, row.image_height)
        )
        Model._base_manager.filter(pk=row.pk).update(**{new_field: image})
    content_type = content_type_of(apps, app_label, model_name)
    if content_type is None:
        return

    def moved_image(fields, name):
        """A version's or draft's image file `name` as its library image's pk (None when it
        had none or the file is gone), the old size and alt keys taken out of `fields`."""
        image = None
        if name and (library.by_name.get(name) or default_storage.exists(name)):
            size = (fields.get("image_width") or 0, fields.get("image_height") or 0)
            image = library.image_for(name, title_of(fields), alts_of(fields), size)
        for key in (*SIZE_FIELDS, *alt_names()):
            fields.pop(key, None)
        return image.pk if image else None

    for version in versions_of(apps, content_type):
        data = json.loads(version.serialized_data)
        changed = False
        for entry in data:
            fields = entry.get("fields", {})
            if "image" not in fields or isinstance(fields["image"], int):
                continue
            fields["image"] = moved_image(fields, fields["image"] or "")
            changed = True
        if changed:
            version.serialized_data = json.dumps(data)
            version.save(update_fields=["serialized_data"])
    for draft in drafts_of(apps, content_type):
        fields = (draft.data or {}).get("fields", {})
        if "image" not in fields:
            continue
        name = fields.pop("image") or ""
        fields["image_id"] = moved_image(fields, name)
        # The file is the library's now: discarding the draft must not delete it.
        draft.data["uploads"] = [n for n in draft.data.get("uploads", []) if n != name]
        draft.save(update_fields=["data"])


def move_images_back(apps, app_label, model_name, new_field="library_image"):
    """Backwards: the items get their image's file name, size and alt text again; versions and
    drafts too."""
    Model = apps.get_model(app_label, model_name)
    Image = apps.get_model("library", "Image")
    for row in Model._base_manager.exclude(**{new_field: None}).select_related(new_field):
        image = getattr(row, new_field)
        Model._base_manager.filter(pk=row.pk).update(**old_values(image, attname=False))
    content_type = content_type_of(apps, app_label, model_name)
    if content_type is None:
        return
    images = {}

    def image_of(pk):
        if pk not in images:
            images[pk] = Image.objects.filter(pk=pk).first()
        return images[pk]

    for version in versions_of(apps, content_type):
        data = json.loads(version.serialized_data)
        changed = False
        for entry in data:
            fields = entry.get("fields", {})
            if "image" not in fields or isinstance(fields["image"], str):
                continue
            image = image_of(fields["image"]) if fields["image"] is not None else None
            fields.update(old_values(image, attname=False))
            changed = True
        if changed:
            version.serialized_data = json.dumps(data)
            version.save(update_fields=["serialized_data"])
    for draft in drafts_of(apps, content_type):
        fields = (draft.data or {}).get("fields", {})
        if "image_id" not in fields:
            continue
        pk = fields.pop("image_id")
        fields.update(old_values(image_of(pk) if pk is not None else None, attname=True))
        draft.save(update_fields=["data"])


def old_values(image, attname):
    """The old fields' values for `image` (a library Image or None)."""
    values = {
        "image": image.file.name if image else "",
        "image_width": image.width if image else 0,
        "image_height": image.height if image else 0,
    }
    for code in languages():
        values[f"image_alt_{code}"] = (getattr(image, f"alt_{code}") or "") if image else ""
    if not attname:
        values["image_alt"] = values["image_alt_en"]
    return values


def content_type_of(apps, app_label, model_name):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.filter(app_label=app_label, model=model_name).first()


def versions_of(apps, content_type):
    Version = apps.get_model("reversion", "Version")
    return list(Version.objects.filter(content_type=content_type).order_by("pk"))


def drafts_of(apps, content_type):
    Draft = apps.get_model("editorial", "Draft")
    return Draft.objects.filter(content_type=content_type).exclude(
        Q(data=None) | Q(data__isnull=True)
    )
