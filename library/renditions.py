"""The files an image is shown as: one set per place (a spec), cropped around its focal point.

Each spec is a place on the site: a news card, a page's header, an image shown whole, the
social card crawlers fetch for og:image. Its renditions are the widths that place needs, in
AVIF (when Pillow can write it) and WebP, or JPEG for the social card, never wider than the
crop of the original (a smaller original gives fewer widths).

Every rendition's file name is worked out from the image's row alone (its id, the stored file's
name, the spec, the width, the format and the focal point), so `picture()` gives a page its
`srcset` without a query or a look at the storage: a page that shows N images loaded with
select_related("image") costs nothing more per image. Replacing the file or moving the focal
point gives new names; library/images.py makes the files when the image is saved (and
`manage.py make_renditions` any that are missing) and removes the ones no longer named.

The crop: the largest rectangle of the spec's ratio that fits in the image as it is displayed
(turned as its EXIF orientation says), placed so that the focal point is as near its centre as
the image's edges allow."""

import functools
import hashlib
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.storage import default_storage
from django.utils.text import slugify
from PIL import features

logger = logging.getLogger(__name__)

FOLDER = "library/renditions"
# Part of every name: raise it when the crop or the encoding changes, and every image gets new
# files (`manage.py make_renditions` makes them; cleanup_files removes the old ones).
VERSION = 1

MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpeg": "image/jpeg"}
EXTENSIONS = {"avif": "avif", "webp": "webp", "jpeg": "jpg"}
# Pillow's save() options per format. AVIF at speed 7 encodes a 1600-pixel-wide photo in about
# a tenth of a second on one core, at a size close to WebP's at quality 80.
ENCODER_OPTIONS = {
    "avif": {"format": "AVIF", "quality": 55, "speed": 7},
    "webp": {"format": "WEBP", "quality": 80, "method": 4},
    "jpeg": {"format": "JPEG", "quality": 85, "optimize": True, "progressive": True},
}


@functools.cache
def can_write_avif():
    return bool(features.check("avif"))


@dataclass(frozen=True)
class Spec:
    name: str
    # (width, height) of the crop's shape, or None for the image's own shape, uncropped.
    ratio: tuple | None
    widths: tuple
    # The width in `src`, for browsers that ignore `srcset` (the nearest not wider is used).
    default_width: int
    # The `sizes` attribute when the template gives none.
    sizes: str
    # None: AVIF (when Pillow can write it) then WebP. WebP is the <img>'s own srcset.
    formats: tuple | None = None

    def format_list(self):
        if self.formats:
            return list(self.formats)
        return ["avif", "webp"] if can_write_avif() else ["webp"]


SPECS = {
    spec.name: spec
    for spec in (
        Spec("card", (3, 2), (400, 800), 800, "(max-width: 40rem) 100vw, 400px"),
        Spec("header", (16, 9), (800, 1200, 1600), 1200, "100vw"),
        Spec("full", None, (480, 800, 1200), 800, "(max-width: 45rem) 100vw, 45rem"),
        # og:image: crawlers do not all read WebP or AVIF.
        Spec("social", (40, 21), (1200,), 1200, "1200px", formats=("jpeg",)),
    )
}


def get_spec(spec):
    if isinstance(spec, Spec):
        return spec
    try:
        return SPECS[spec]
    except KeyError:
        raise ValueError(f"No rendition spec {spec!r}: one of {', '.join(SPECS)}") from None


# Geometry ---------------------------------------------------------------------------------------


def crop_box(size, ratio, focal):
    """The (left, top, right, bottom) of the largest rectangle of `ratio` in an image of `size`,
    its centre as near the focal point (x, y in percent) as the edges allow."""
    width, height = size
    if ratio is None:
        return (0, 0, width, height)
    ratio_width, ratio_height = ratio
    if width * ratio_height > height * ratio_width:  # wider than the ratio: full height
        crop_width, crop_height = min(width, round(height * ratio_width / ratio_height)), height
    else:
        crop_width, crop_height = width, min(height, round(width * ratio_height / ratio_width))
    left = _place(width * focal[0] / 100, crop_width, width)
    top = _place(height * focal[1] / 100, crop_height, height)
    return (left, top, left + crop_width, top + crop_height)


def _place(centre, length, limit):
    return max(0, min(round(centre - length / 2), limit - length))


def output_sizes(spec, size):
    """The (width, height) of each rendition of `spec` for an image of `size`, narrowest first:
    the spec's widths no wider than the crop, else the crop's own width (never enlarged)."""
    left, top, right, bottom = crop_box(size, spec.ratio, (50, 50))
    crop_width, crop_height = right - left, bottom - top
    if not crop_width or not crop_height:
        return []
    widths = [width for width in spec.widths if width <= crop_width] or [crop_width]
    if spec.ratio:
        ratio_width, ratio_height = spec.ratio
        return [(w, max(1, round(w * ratio_height / ratio_width))) for w in widths]
    return [(w, max(1, round(w * crop_height / crop_width))) for w in widths]


# Names ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Planned:
    """One rendition an image should have: its stored name and what goes into it."""

    name: str
    spec: str
    width: int
    height: int
    format: str


def file_key(file_name):
    """A short key that changes when the image's file is replaced (its stored name changes)."""
    return hashlib.sha256(f"{VERSION}:{file_name}".encode()).hexdigest()[:10]


def rendition_name(image, spec, width, fmt):
    stem = slugify(PurePosixPath(image.file.name).stem)[:40] or "image"
    return (
        f"{FOLDER}/{image.pk}/{stem}-{file_key(image.file.name)}-{spec.name}"
        f"-{image.focal_x}-{image.focal_y}-{width}.{EXTENSIONS[fmt]}"
    )


def image_folder(pk):
    return f"{FOLDER}/{pk}"


def planned(image, specs=None):
    """Every rendition `image` should have now, from its row alone (no query, no file read)."""
    if not image.pk or not image.file or not image.width or not image.height:
        return []
    result = []
    for spec in specs or SPECS.values():
        for width, height in output_sizes(spec, (image.width, image.height)):
            for fmt in spec.format_list():
                name = rendition_name(image, spec, width, fmt)
                result.append(Planned(name, spec.name, width, height, fmt))
    return result


# What a template shows --------------------------------------------------------------------------


@dataclass
class Picture:
    """What a <picture> needs: `sources` as (mime type, srcset), one per format, best first;
    `src`, `srcset`, `width` and `height` for the <img> (the last format's, and its default
    rendition's size)."""

    spec: str
    sources: list
    src: str
    srcset: str
    width: int
    height: int
    sizes: str


def picture(image, spec):
    """The renditions of `image` for the place `spec` ("card", "header", "full", "social"),
    worked out without a query; None when there is no image or its size is unknown (its file
    could not be read when it was saved; logged)."""
    if image is None or not image.pk or not image.file:
        return None
    spec = get_spec(spec)
    if not image.width or not image.height:
        logger.warning(
            "Image %s (%s) has no known size: its file could not be read; "
            "shown without a picture until it is saved again or make_renditions reads it",
            image.pk,
            image.file.name,
        )
        return None
    sizes = output_sizes(spec, (image.width, image.height))
    if not sizes:
        return None
    sources = []
    for fmt in spec.format_list():
        srcset = ", ".join(
            f"{default_storage.url(rendition_name(image, spec, width, fmt))} {width}w"
            for width, _height in sizes
        )
        sources.append((MIME_TYPES[fmt], srcset))
    fitting = [size for size in sizes if size[0] <= spec.default_width]
    width, height = fitting[-1] if fitting else sizes[0]
    fallback = spec.format_list()[-1]
    return Picture(
        spec=spec.name,
        sources=sources,
        src=default_storage.url(rendition_name(image, spec, width, fallback)),
        srcset=sources[-1][1],
        width=width,
        height=height,
        sizes=spec.sizes,
    )


def social_url(image):
    """The social card's URL (relative unless MEDIA_URL names another host; the caller makes it
    absolute), or "" when there is none."""
    social = picture(image, "social")
    return social.src if social else ""
