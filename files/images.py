"""Uploaded images served at the sizes the layout needs, as WebP, with django-imagekit.

Each image field has three renditions (480, 800 and 1200 pixels wide at most, never enlarged),
stored in the public media folder under CACHE/images/ and made when the image is saved (or, for
an image saved before they existed, on the first page that shows it). Pages offer them with
`srcset`, so a phone downloads the 480-pixel one and nobody the uploaded original."""

import logging
from dataclasses import dataclass

from imagekit.models import ImageSpecField
from PIL import ExifTags, Image
from pilkit.processors import ResizeToFit, Transpose

logger = logging.getLogger(__name__)

RENDITION_WIDTHS = (480, 800, 1200)
# The rendition in `src`, for browsers that ignore `srcset`: the width of the page's column.
DEFAULT_WIDTH = 800
# EXIF orientations that turn the picture a quarter: its width and height swap on display.
QUARTER_TURNS = {5, 6, 7, 8}


def rendition_field(source, width):
    """A model's `<source>_<width>` attribute, one for each of RENDITION_WIDTHS."""
    return ImageSpecField(
        source=source,
        processors=[Transpose(), ResizeToFit(width=width, upscale=False)],
        format="WEBP",
        options={"quality": 80},
    )


def displayed_size(field_file):
    """The image's (width, height) the way it is shown, turned as its EXIF orientation says."""
    if not field_file._committed:
        handle = field_file.file
        handle.seek(0)
        try:
            return _oriented_size(handle)
        finally:
            handle.seek(0)
    with field_file.storage.open(field_file.name, "rb") as handle:
        return _oriented_size(handle)


def _oriented_size(handle):
    with Image.open(handle) as image:
        width, height = image.size
        orientation = image.getexif().get(ExifTags.Base.Orientation)
    return (height, width) if orientation in QUARTER_TURNS else (width, height)


def fitted_size(size, width):
    """The size ResizeToFit(width=width, upscale=False) gives an image of `size` (pilkit's
    arithmetic: it leaves the image alone unless both sides shrink)."""
    current_width, current_height = size
    ratio = width / current_width
    new_width, new_height = round(current_width * ratio), round(current_height * ratio)
    if new_width < current_width and new_height < current_height:
        return new_width, new_height
    return current_width, current_height


@dataclass
class Rendition:
    url: str
    width: int
    height: int


@dataclass
class ResponsiveImage:
    renditions: list

    @property
    def default(self):
        fitting = [r for r in self.renditions if r.width <= DEFAULT_WIDTH]
        return fitting[-1] if fitting else self.renditions[0]

    @property
    def src(self):
        return self.default.url

    @property
    def width(self):
        return self.default.width

    @property
    def height(self):
        return self.default.height

    @property
    def srcset(self):
        return ", ".join(f"{r.url} {r.width}w" for r in self.renditions)


def responsive_image(instance, source="image", size=None):
    """The renditions of `instance.<source>` with their sizes, one per distinct width, smallest
    first; None when there is no image or its renditions cannot be made (a file gone missing
    from disk must not break the page)."""
    field_file = getattr(instance, source)
    if not field_file:
        return None
    try:
        size = size if size and all(size) else displayed_size(field_file)
        renditions = []
        for width in RENDITION_WIDTHS:
            rendition_width, rendition_height = fitted_size(size, width)
            if renditions and renditions[-1].width == rendition_width:
                continue  # the image is narrower than this width: the same file again
            url = getattr(instance, f"{source}_{width}").url  # made here if missing
            renditions.append(Rendition(url, rendition_width, rendition_height))
    except Exception:
        logger.warning("No renditions of %s", field_file.name, exc_info=True)
        return None
    return ResponsiveImage(renditions)


def make_renditions(instance, source="image"):
    """Make the renditions now, when staff save the image, rather than for its first reader."""
    if not getattr(instance, source):
        return
    for width in RENDITION_WIDTHS:
        try:
            getattr(instance, f"{source}_{width}").generate()
        except Exception:
            logger.warning(
                "Could not make the %spx rendition of %s", width, instance, exc_info=True
            )
