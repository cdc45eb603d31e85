"""The library's texts in each language (django-modeltranslation). English is required; the
other languages fall back to it."""

from modeltranslation.translator import TranslationOptions, register

from .models import Document, Image


@register(Image)
class ImageTranslation(TranslationOptions):
    fields = ("alt",)
    required_languages = ("en",)


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ("en",)
