"""An image field whose form says exactly what is wrong with a refused image.

Django's own image form field opens the upload with Pillow before the model's validators run,
and answers every failure, a decompression bomb included, with "Upload a valid image". Ours runs
files.validators.check_image first, so staff read "too many pixels" or "too large" instead."""

from django import forms
from django.db import models

from .validators import check_image


class CheckedImageFormField(forms.ImageField):
    def to_python(self, data):
        if data and hasattr(data, "seek") and hasattr(data, "size"):
            check_image(data)
            data.mped_checked = True  # the model's validator need not read it again
        return super().to_python(data)


class CheckedImageField(models.ImageField):
    def contribute_to_class(self, cls, name, **kwargs):
        # A model that inherits the field from an abstract model (files/models.py) names its
        # own folder in `<name>_upload_to`: the field's upload_to, so migrations see no change.
        self.upload_to = getattr(cls, f"{name}_upload_to", self.upload_to)
        super().contribute_to_class(cls, name, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})
