from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import reversion
from django import forms
from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.utils import get_translation_fields
from reversion_compare.admin import CompareVersionAdmin

from mped.admin import MissingTranslationFilter, TranslationStatusMixin

from .models import Country, Municipality, Partnership


class CanadianPartnershipInline(TranslationTabularInline):
    """Pairings edited from the Canadian municipality's page."""

    model = Partnership
    fk_name = "canadian"
    extra = 1
    fields = ["cambodian", "since", "focus", "is_sample", "is_published"]
    verbose_name = _("partner in Cambodia")
    verbose_name_plural = _("partners in Cambodia")


class CambodianPartnershipInline(TranslationTabularInline):
    """Pairings edited from the Cambodian local government's page."""

    model = Partnership
    fk_name = "cambodian"
    extra = 1
    fields = ["canadian", "since", "focus", "is_sample", "is_published"]
    verbose_name = _("partner in Canada")
    verbose_name_plural = _("partners in Canada")


class CoordinateField(forms.DecimalField):
    """A coordinate as map apps copy it (49.157912345): rounded to the five decimals kept
    (about a metre) instead of refused for having too many."""

    def to_python(self, value):
        value = super().to_python(value)
        if value is None or self.decimal_places is None or not value.is_finite():
            return value
        try:
            return value.quantize(Decimal(1).scaleb(-self.decimal_places), rounding=ROUND_HALF_UP)
        except InvalidOperation:  # far too large: the field's own checks refuse it
            return value


# History and recovery: a municipality's versions carry its partnerships with them.
reversion.register(Partnership)
reversion.register(Municipality, follow=["partnerships_as_canadian", "partnerships_as_cambodian"])


@admin.register(Municipality)
class MunicipalityAdmin(TranslationStatusMixin, CompareVersionAdmin, TranslationAdmin):
    # Latitude and longitude, the model's only decimals.
    formfield_overrides = {models.DecimalField: {"form_class": CoordinateField}}
    list_display = [
        "name",
        "country",
        "region",
        "on_the_map",
        "is_sample",
        "is_published",
        "order",
        "missing_translations",
        "updated_at",
    ]
    list_editable = ["is_published", "order"]
    list_filter = ["country", "is_published", "is_sample", MissingTranslationFilter, "region"]
    translation_check_fields = ["summary", "description"]
    search_fields = ["name", "region", *get_translation_fields("summary", "description")]
    prepopulated_fields = {"slug": ["name"]}
    fieldsets = [
        (
            None,
            {"fields": ["name", "slug", "country", "region", "summary", "description", "website"]},
        ),
        (_("Search engines and sharing"), {"fields": ["meta_description"]}),
        (
            _("Place on the map"),
            {
                "fields": ["latitude", "longitude"],
                "description": _(
                    "Where the partners page's map puts a marker for this place, in decimal "
                    "degrees: in a map app, right-click the town hall or the town centre and "
                    "copy the two numbers. Without them the place is listed below the map."
                ),
            },
        ),
        (_("Image"), {"fields": ["image", "image_alt"]}),
        (_("Publishing"), {"fields": ["is_published", "is_sample", "order"]}),
    ]

    @admin.display(boolean=True, description=_("on the map"))
    def on_the_map(self, obj):
        return obj.is_located

    def get_inlines(self, request, obj):
        if obj is None:
            return []
        if obj.country == Country.CANADA:
            return [CanadianPartnershipInline]
        return [CambodianPartnershipInline]


@admin.register(Partnership)
class PartnershipAdmin(TranslationStatusMixin, CompareVersionAdmin, TranslationAdmin):
    list_display = [
        "__str__",
        "since_year",
        "focus",
        "is_sample",
        "is_published",
        "missing_translations",
        "updated_at",
    ]
    list_filter = ["is_published", "is_sample", MissingTranslationFilter, "canadian", "cambodian"]
    translation_check_fields = ["focus"]
    search_fields = ["canadian__name", "cambodian__name", *get_translation_fields("focus")]
    list_select_related = ["canadian", "cambodian"]
    autocomplete_fields = ["canadian", "cambodian"]

    @admin.display(description=_("since (year)"), ordering="since")
    def since_year(self, obj):
        # A year, not a quantity: never "2,011" (USE_THOUSAND_SEPARATOR is on).
        return str(obj.since) if obj.since else "—"

    def view_on_site(self, obj):
        return obj.canadian.get_absolute_url()
