"""An image's size as it is shown (turned as its EXIF orientation says): read when an image
was measured by the older migrations (news 0005, partners 0002) and by the move of items'
images into the media library (files/move_to_library.py). The library makes its own
renditions (library/renditions.py)."""

from PIL import ExifTags, Image

# EXIF orientations that turn the picture a quarter: its width and height swap on display.
QUARTER_TURNS = {5, 6, 7, 8}


def displayed_size(field_file):
    """The image's (width, height) the way it is shown, turned as its EXIF orientation says."""
    if not field_file._committed:
        handle = field_file.file
        handle.seek(0)
        try:
            return _oriented_size(handle)
        finally:
            handle.seek(0)
    return stored_size(field_file.storage, field_file.name)


def stored_size(storage, name):
    """displayed_size() of the file `name` in `storage`."""
    with storage.open(name, "rb") as handle:
        return _oriented_size(handle)


def _oriented_size(handle):
    with Image.open(handle) as image:
        width, height = image.size
        orientation = image.getexif().get(ExifTags.Base.Orientation)
    return (height, width) if orientation in QUARTER_TURNS else (width, height)
