"""How a content model points at the library."""

from django.db import models
from django.utils.translation import gettext_lazy as _


def image_field(verbose_name=None, help_text=None):
    """An optional image chosen from the library. Deleting the image (after the warning that
    names where it is used) leaves the item without one."""
    return models.ForeignKey(
        "library.Image",
        verbose_name=verbose_name or _("image"),
        help_text=help_text or _("Choose an image from the library, or upload one there."),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="%(app_label)s_%(class)s_uses",
    )
