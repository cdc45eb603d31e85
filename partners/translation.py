"""The partners' texts in each language (django-modeltranslation). Names of places (the
municipality's name, its province) stay as they are."""

from modeltranslation.translator import TranslationOptions, register

from .models import Municipality, Partnership


@register(Municipality)
class MunicipalityTranslation(TranslationOptions):
    fields = ("summary", "description", "meta_description")
    required_languages = ("en",)


@register(Partnership)
class PartnershipTranslation(TranslationOptions):
    fields = ("focus",)
    required_languages = ("en",)
