"""What saving or deleting a library image does to its files (library/models.py calls these).

Before the row is saved: its displayed width and height, read from a new or replaced file
(turned as its EXIF orientation says, as files/images.py does). After: the renditions its row
names (library/renditions.py) that are not made yet are made, once, and recorded as Rendition
rows; the ones it no longer names (a replaced file, a moved focal point) are removed, their
files once the save is committed. Deleting the image removes its renditions' files the same way.

A file that cannot be read never stops a save and never breaks a page: it is logged, the image
keeps no size, and `picture()` gives nothing for it until the file is replaced."""

import hashlib
import io
import logging
from collections import OrderedDict

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from PIL import Image as PILImage
from PIL import ImageOps

from files.images import displayed_size
from files.storage import stored_files

from . import renditions

logger = logging.getLogger(__name__)


# Hooks ------------------------------------------------------------------------------------------


def before_save(image, update_fields=None):
    """Fill the image's width and height from its file when the file is new or replaced (or
    its size is unknown). Returns the fields to save with `update_fields`."""
    if not image.file:
        image.width = image.height = 0
    elif not image.file._committed or not image.width or _file_replaced(image):
        try:
            image.width, image.height = displayed_size(image.file)
        except Exception:
            logger.warning(
                "Could not read the size of image file %s", image.file.name, exc_info=True
            )
            image.width = image.height = 0
    if update_fields is None:
        return None
    return {*update_fields, "width", "height"}


def _file_replaced(image):
    if not image.pk:
        return True
    stored = type(image)._base_manager.filter(pk=image.pk).values_list("file", flat=True).first()
    return stored != image.file.name


def after_save(image):
    """Make the renditions the saved row names and are not made; remove the others."""
    try:
        sync_renditions(image)
    except Exception:
        logger.exception("Could not make the renditions of image %s", image.pk)


def after_delete(image):
    """The image's row is deleted (its Rendition rows with it): remove their files, all of the
    image's folder, once the deletion is committed (a post_delete receiver, so that deleting
    a queryset, as the admin's bulk action does, removes them too)."""
    pk = image.pk
    if pk:
        transaction.on_commit(lambda: remove_folder(pk))


# Making and removing ----------------------------------------------------------------------------


def sync_renditions(image, *, check_files=False):
    """Make the renditions `image` should have and has no row for (with `check_files`, also
    those whose row is there but not their file); delete the rows it no longer names and, once
    committed, their files. Returns (made, removed) counts."""
    Rendition = image.renditions.model
    wanted = {item.name: item for item in renditions.planned(image)}
    existing = {rendition.file.name: rendition for rendition in image.renditions.all()}
    stale = [rendition for name, rendition in existing.items() if name not in wanted]
    missing = [
        item
        for name, item in wanted.items()
        if name not in existing or (check_files and not default_storage.exists(name))
    ]
    made = make_files(image, missing) if missing else []
    rows = [
        Rendition(
            image=image,
            spec=item.spec,
            width=item.width,
            height=item.height,
            format=item.format,
            focal_x=image.focal_x,
            focal_y=image.focal_y,
            file=item.name,
        )
        for item in made
        if item.name not in existing
    ]
    with transaction.atomic():
        if stale:
            # First: a replaced file's renditions have the same spec, width, format and focal
            # point as the new ones (one row for each, by the table's constraint).
            Rendition.objects.filter(pk__in=[rendition.pk for rendition in stale]).delete()
            names = [rendition.file.name for rendition in stale]
            transaction.on_commit(lambda: remove_unrecorded(Rendition, names))
        if rows:
            Rendition.objects.bulk_create(rows, ignore_conflicts=True)
    return len(made), len(stale)


def make_files(image, items):
    """Encode and store `items` (Planned renditions of `image`); returns the ones made. The
    original is opened once; one that cannot be read makes nothing (logged)."""
    try:
        with image.file.open("rb") as handle:
            data = handle.read()
    except Exception:
        logger.warning("Could not read image file %s", image.file.name, exc_info=True)
        return []
    memo_key = _memo_key(image, data)
    if memo_key and all(
        (memo_key, (item.spec, item.width, item.height, item.format)) in _memo for item in items
    ):
        for item in items:
            store(item.name, _memo[memo_key, (item.spec, item.width, item.height, item.format)])
        return list(items)
    try:
        original = PILImage.open(io.BytesIO(data))
        original.load()
    except Exception:
        logger.warning("Could not read image file %s", image.file.name, exc_info=True)
        return []
    try:
        original = ImageOps.exif_transpose(original)
    except Exception:  # a broken EXIF block: the pixels as stored
        logger.warning("Could not read the orientation of %s", image.file.name, exc_info=True)
    if original.size != (image.width, image.height):
        logger.warning(
            "Image %s is %s as stored but %s in its row; renditions follow its row",
            image.pk,
            original.size,
            (image.width, image.height),
        )
    icc_profile = original.info.get("icc_profile")
    made = []
    crops, resized = {}, {}
    # Widest first: each narrower size is resized from the one before (quicker than from the
    # original, and as sharp).
    for item in sorted(items, key=lambda item: (item.spec, -item.width)):
        spec = renditions.SPECS[item.spec]
        try:
            if item.spec not in crops:
                box = renditions.crop_box(
                    (image.width, image.height), spec.ratio, (image.focal_x, image.focal_y)
                )
                crops[item.spec] = original.crop(box)
            size = (item.width, item.height)
            if (item.spec, size) not in resized:  # once for all its formats
                resized[(item.spec, size)] = resize(crops[item.spec], size)
                crops[item.spec] = resized[(item.spec, size)]
            content = encode(resized[(item.spec, size)], item.format, icc_profile)
            store(item.name, content)
            _remember(memo_key, item, content)
        except Exception:
            logger.exception("Could not make the rendition %s", item.name)
            continue
        made.append(item)
    return made


# Encoded renditions kept in memory by the source file's bytes and everything that shapes the
# picture (MPED_RENDITION_MEMO entries at most; 0, the default, keeps none). The test settings
# turn it on: the suite loads the same demo photos hundreds of times, and encoding their AVIF
# and WebP files was most of the time each of those tests took.
_memo = OrderedDict()


def _memo_key(image, data):
    if not getattr(settings, "MPED_RENDITION_MEMO", 0):
        return None
    shape = (image.width, image.height, image.focal_x, image.focal_y, renditions.VERSION)
    return (hashlib.sha256(data).hexdigest(), shape)


def _remember(memo_key, item, content):
    if memo_key is None:
        return
    _memo[memo_key, (item.spec, item.width, item.height, item.format)] = content
    while len(_memo) > settings.MPED_RENDITION_MEMO:
        _memo.popitem(last=False)


def resize(picture, size):
    if picture.size == size:
        return picture
    # reducing_gap: a quick halving first while the picture is over 3 times the size, then
    # Lanczos (Pillow's docs: indistinguishable from Lanczos alone at 3, and several times
    # faster from a camera's photo).
    return picture.resize(size, PILImage.Resampling.LANCZOS, reducing_gap=3.0)


def encode(picture, fmt, icc_profile=None):
    picture = _in_mode(picture, fmt)
    buffer = io.BytesIO()
    options = dict(renditions.ENCODER_OPTIONS[fmt])
    if icc_profile:
        options["icc_profile"] = icc_profile
    # No EXIF is written: a photo's camera details and GPS position stay in the original.
    picture.save(buffer, **options)
    return buffer.getvalue()


def _in_mode(picture, fmt):
    """RGB, or RGBA for a transparent picture in a format that keeps it (JPEG gets a white
    background)."""
    has_alpha = picture.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (
        picture.mode == "P" and "transparency" in picture.info
    )
    if not has_alpha:
        return picture if picture.mode == "RGB" else picture.convert("RGB")
    picture = picture.convert("RGBA")
    if fmt != "jpeg":
        return picture
    background = PILImage.new("RGB", picture.size, (255, 255, 255))
    background.paste(picture, mask=picture.getchannel("A"))
    return background


def store(name, content):
    """Store `content` under exactly `name` (the name is the rendition's address)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    saved = default_storage.save(name, ContentFile(content))
    if saved != name:  # someone stored the same name meanwhile: theirs is the same picture
        default_storage.delete(saved)
        if not default_storage.exists(name):
            raise IntegrityError(f"Could not store {name}")


def remove_unrecorded(Rendition, names):
    """Delete the files of `names` that no Rendition row names (one may have been made again
    under the same name, by a later save in the same transaction)."""
    recorded = set(Rendition.objects.filter(file__in=names).values_list("file", flat=True))
    remove_files([name for name in names if name not in recorded])


def remove_files(names):
    for name in names:
        try:
            default_storage.delete(name)
        except Exception:
            logger.warning("Could not delete rendition %s", name, exc_info=True)


def remove_folder(pk):
    """Delete every file under the image's renditions folder (its renditions, any version)."""
    try:
        names = list(stored_files(default_storage, renditions.image_folder(pk)))
    except Exception:
        logger.warning("Could not list the renditions of image %s", pk, exc_info=True)
        return
    remove_files(names)
