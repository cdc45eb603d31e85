"""What the admin's forms of menu links and home page blocks share."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import LinkTarget


class ExternalAddressField(forms.URLField):
    """A link's external address (LinkTarget.url): https:// is assumed for an address typed
    without it, and a bad one gets a message saying what is wanted. The model's clean_target()
    then allows http and https only."""

    def __init__(self, **kwargs):
        model_field = LinkTarget._meta.get_field("url")
        kwargs.setdefault("label", model_field.verbose_name)
        kwargs.setdefault("help_text", model_field.help_text)
        kwargs.setdefault(
            "error_messages",
            {"invalid": _("Enter a full web address starting with https:// (or http://).")},
        )
        super().__init__(
            required=False, max_length=model_field.max_length, assume_scheme="https", **kwargs
        )
