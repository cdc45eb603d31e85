"""The menus' and the home page blocks' texts in each language (django-modeltranslation)."""

from modeltranslation.translator import TranslationOptions, register

from .models import HomeBlock, MenuLink


@register(MenuLink)
class MenuLinkTranslation(TranslationOptions):
    fields = ("label",)


@register(HomeBlock)
class HomeBlockTranslation(TranslationOptions):
    fields = ("heading", "text", "body", "link_text", "caption")
