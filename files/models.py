from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .fields import CheckedImageField
from .images import rendition_field, responsive_image
from .uploads import ImageDetails, UploadDetailsMixin
from .validators import validate_image_upload


class Illustrated(UploadDetailsMixin, models.Model):
    """An item with one image, offered at the sizes the layout needs (files/images.py), and its
    description for readers who cannot see it. Each model names its folder in
    `image_upload_to` (a string upload_to, %Y and all), adds `image_errors()` to the errors of
    its `clean()`, and lists `image_alt` in its translation options (image_errors() reads
    `image_alt_en`)."""

    image = CheckedImageField(_("image"), blank=True, validators=[validate_image_upload])
    image_width = models.PositiveIntegerField(default=0, editable=False)
    image_height = models.PositiveIntegerField(default=0, editable=False)
    image_480 = rendition_field("image", 480)
    image_800 = rendition_field("image", 800)
    image_1200 = rendition_field("image", 1200)
    image_alt = models.CharField(
        _("image description (alt text)"),
        max_length=250,
        blank=True,
        help_text=_("What the image shows, for readers who cannot see it. Required with an image."),
    )

    upload_details = [ImageDetails("image")]

    class Meta:
        abstract = True

    @cached_property
    def responsive_image(self):
        return responsive_image(self, "image", (self.image_width, self.image_height))

    def image_errors(self):
        """The image's errors for clean(): an image needs its description, in English at least
        (the other languages fall back to it)."""
        if self.image and not (self.image_alt_en or "").strip():
            return {"image_alt_en": _("Describe the image for readers who cannot see it.")}
        return {}
