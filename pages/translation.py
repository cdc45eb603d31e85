"""The program pages' and the site's texts in each language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from core.translated import without_defaults_in_other_languages

from .models import PageFigure, PagePoint, ProgramPage, SiteSettings


@register(SiteSettings)
class SiteSettingsTranslation(TranslationOptions):
    fields = (
        "site_name",
        "short_name",
        "tagline",
        "footer_text",
    )
    required_languages = ("en",)


# The English defaults (the site's name…) are English: a new row must not put them in the French
# and Khmer columns, where they would pass for translations.
without_defaults_in_other_languages(SiteSettings, SiteSettingsTranslation.fields)


@register(ProgramPage)
class ProgramPageTranslation(TranslationOptions):
    fields = (
        "title",
        "nav_title",
        "summary",
        "body",
        "points_intro",
        "closing",
        "link_text",
        "meta_description",
    )
    required_languages = ("en",)


@register(PagePoint)
class PagePointTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("en",)


@register(PageFigure)
class PageFigureTranslation(TranslationOptions):
    fields = ("label",)
    required_languages = ("en",)
