"""The news texts staff write in each language (django-modeltranslation): a column per language
next to the English one. Slugs stay one per item, in English."""

from modeltranslation.translator import TranslationOptions, register

from .models import Article, NewsItem


@register(NewsItem)
class NewsItemTranslation(TranslationOptions):
    fields = ("title", "summary", "body", "meta_description")
    # English is the language every item has; the others may be missing (readers then see the
    # English text, marked as not yet translated).
    required_languages = ("en",)


@register(Article)
class ArticleTranslation(TranslationOptions):
    # The publication's name (Economics Today) is a name and stays as it is.
    fields = ("title", "note")
    required_languages = ("en",)
