import csv
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import reversion
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportMixin
from import_export.formats.base_formats import CSV
from import_export.forms import ConfirmImportForm, ImportForm
from import_export.tmp_storages import CacheStorage
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline
from modeltranslation.utils import get_translation_fields
from tablib import InvalidDimensions

from editorial.admin import (
    MissingTranslationFilter,
    PublishingRolesAdmin,
    PublishingRolesInline,
    TranslationStatusMixin,
)
from library.choosers import LibraryChoosersMixin

from .models import Country, Municipality, Partnership
from .resources import MunicipalityResource
from .views import MunicipalityDetailView


class CanadianPartnershipInline(PublishingRolesInline, TranslationTabularInline):
    """Pairings edited from the Canadian municipality's page."""

    model = Partnership
    fk_name = "canadian"
    extra = 1
    fields = ["cambodian", "since", "focus", "is_sample", "is_published"]
    verbose_name = _("partner in Cambodia")
    verbose_name_plural = _("partners in Cambodia")


class CambodianPartnershipInline(PublishingRolesInline, TranslationTabularInline):
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

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class UploadStorage(CacheStorage):
    """The uploaded file between its preview and the confirmation, in the cache (Redis, shared
    by the server processes, in production) for an hour, under a random name."""

    CACHE_PREFIX = "mped:municipality-import:"
    CACHE_LIFETIME = 3600


class MunicipalityImportForm(ImportForm):
    def clean_import_file(self):
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(
                _(
                    "This file is %(size)s: the largest file that can be imported is "
                    "%(limit)s. Split it into smaller files."
                )
                % {"size": filesizeformat(upload.size), "limit": filesizeformat(MAX_IMPORT_BYTES)}
            )
        return upload


class MunicipalityConfirmImportForm(ConfirmImportForm):
    """The preview's hidden fields, as the preview wrote them: anything else is refused."""

    def clean_import_file_name(self):
        name = super().clean_import_file_name()
        if not re.fullmatch(r"[0-9a-f]{32}", name):
            raise forms.ValidationError("unknown file")
        return name

    def clean_format(self):
        if self.cleaned_data["format"] != "0":
            raise forms.ValidationError("unknown format")
        return "0"

    def clean_resource(self):
        if self.cleaned_data["resource"] not in ("", "0"):
            raise forms.ValidationError("unknown resource")
        return self.cleaned_data["resource"]


class ImportRefused(Exception):
    """Rolls a confirmed import back, its history included."""


class MunicipalityImportMixin(ImportMixin):
    """Import from a CSV file (partners/resources.py): a preview with every row's changes or
    errors, then a confirmation that saves every row or none."""

    resource_classes = [MunicipalityResource]
    import_formats = [CSV]
    import_form_class = MunicipalityImportForm
    confirm_form_class = MunicipalityConfirmImportForm
    tmp_storage_class = UploadStorage
    import_template_name = "admin/partners/municipality/import.html"

    def has_import_permission(self, request):
        # IMPORT_EXPORT_IMPORT_PERMISSION_CODE asks for "add"; an import also changes rows.
        return super().has_import_permission(request) and self.has_change_permission(request)

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        # One invalid row and nothing is saved, even from a confirmation sent by hand.
        kwargs["rollback_on_validation_errors"] = True
        return kwargs

    def add_data_read_fail_error_to_form(self, form, e):
        form.add_error(
            "import_file",
            _(
                "This file cannot be read as CSV text in UTF-8. In your spreadsheet, save it "
                "as “CSV UTF-8 (comma delimited)” and upload that file."
            ),
        )

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        context = getattr(response, "context_data", None) or {}
        form, result = context.get("form"), context.get("result")
        failed = result is not None and (result.has_errors() or result.has_validation_errors())
        if request.method == "POST" and form is not None and (form.errors or failed):
            response.status_code = 400
            upload = form.cleaned_data.get("import_file") if form.is_bound else None
            if getattr(upload, "tmp_storage_name", None):
                UploadStorage(name=upload.tmp_storage_name).remove()
        return response

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        data = None
        if form.is_valid():
            storage = UploadStorage(name=form.cleaned_data["import_file_name"])
            data = storage.read()
        if data is None:
            return self.refuse_import(
                request,
                _(
                    "This import cannot be confirmed: its file was not found or has expired. "
                    "Upload the file again."
                ),
            )
        try:
            dataset = CSV(encoding=self.from_encoding).create_dataset(data)
            with reversion.create_revision():
                reversion.set_user(request.user)
                reversion.set_comment(
                    str(_("Imported from %(file)s."))
                    % {"file": form.cleaned_data["original_file_name"]}
                )
                result = self.process_dataset(dataset, form, request, **kwargs)
                if result.has_errors() or result.has_validation_errors():
                    raise ImportRefused
        except (ImportRefused, ValueError, csv.Error, InvalidDimensions):
            return self.refuse_import(
                request,
                _(
                    "Nothing was imported: the file has errors. Upload it again to see them "
                    "in the preview."
                ),
            )
        storage.remove()
        return self.process_result(result, request)

    def refuse_import(self, request, message):
        """The import page with a fresh form, the message, and a 400."""
        messages.error(request, message)
        form = self.get_import_form_class(request)(
            self.get_import_formats(), self.get_import_resource_classes(request)
        )
        resource = MunicipalityResource()
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import"),
            "form": form,
            "opts": self.opts,
            "media": self.media + form.media,
            "fields_list": [
                (
                    resource.get_display_name(),
                    [field.column_name for field in resource.get_user_visible_fields()],
                )
            ],
            "import_error_display": self.import_error_display,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context, status=400)


@admin.register(Municipality)
class MunicipalityAdmin(
    LibraryChoosersMixin,
    MunicipalityImportMixin,
    TranslationStatusMixin,
    PublishingRolesAdmin,
    TranslationAdmin,
):
    # The page that the Preview button shows the unsaved form in (editorial/preview.py).
    public_view = MunicipalityDetailView
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
        (_("Image"), {"fields": ["image"]}),
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
class PartnershipAdmin(TranslationStatusMixin, PublishingRolesAdmin, TranslationAdmin):
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
