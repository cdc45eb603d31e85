"""The library's documents in the admin (imported by library/admin.py): the list with each
document's type, language, size, pages, members-only flag and downloads this quarter; the page
of one document with what was read from its file, where it is used and its downloads month by
month; and the CSV export of download counts for a funder's report.

A document that live items offer is changed (or deleted) only by those who may change live
pages (library.change_live_document: Publishers); others see its page read-only."""

import csv
import datetime
import io
import re

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.http import HttpResponse
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.http import urlencode
from django.utils.translation import get_language_info, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import get_translation_fields

from editorial.admin import year_filter
from editorial.language_tabs import LanguageTabsMixin

from .downloads import months_q, quarter_downloads_sum, quarter_months, quarter_of, this_quarter
from .models import Document, DownloadCount
from .usage import usages
from .views import MAX_ID

EXPORT_PERMISSION = "library.view_downloadcount"
FIRST_YEAR = 2000
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def used_live(request, document):
    """Whether a live item offers the document (once per request and document)."""
    cache = request.__dict__.setdefault("_library_document_used_live", {})
    if document.pk not in cache:
        cache[document.pk] = any(use.is_live for use in usages(document))
    return cache[document.pk]


def month_label(month):
    """A month as the CSV export writes it (2026-12), for spreadsheets."""
    return f"{month:%Y-%m}"


def month_name(month):
    """A month as staff read it (December 2026, décembre 2026)."""
    return date_format(month, "F Y")


# The CSV export -------------------------------------------------------------------------------


QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value):
    match = MONTH.match(value)
    if not match:
        raise forms.ValidationError(_("Write a month as YYYY-MM, for example 2026-03."))
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12 or not FIRST_YEAR <= year <= timezone.localdate().year + 1:
        raise forms.ValidationError(_("There is no such month here."))
    return datetime.date(year, month, 1)


def recent_quarters(count=8):
    year, quarter = quarter_of(timezone.localdate())
    choices = []
    for _step in range(count):
        choices.append(f"{year}-Q{quarter}")
        year, quarter = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    return choices


class DownloadsExportForm(forms.Form):
    """Which counts to export: a quarter, or a range of months; one document or all."""

    quarter = forms.CharField(
        label=gettext_lazy("Quarter"),
        required=False,
        max_length=7,
        help_text=gettext_lazy("For example 2026-Q3 (July to September 2026)."),
    )
    start = forms.CharField(
        label=gettext_lazy("Or from the month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-01"}),
    )
    end = forms.CharField(
        label=gettext_lazy("to the month"),
        required=False,
        max_length=7,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": "2026-06"}),
    )
    document = forms.IntegerField(
        label=gettext_lazy("Document number"),
        required=False,
        min_value=1,
        max_value=MAX_ID,
        help_text=gettext_lazy("Leave empty for every document."),
    )

    def clean_quarter(self):
        value = self.cleaned_data["quarter"].strip()
        if not value:
            return None
        match = QUARTER.match(value)
        if not match or not FIRST_YEAR <= int(match.group(1)) <= timezone.localdate().year + 1:
            raise forms.ValidationError(_("Write a quarter as YYYY-Q1 to YYYY-Q4, e.g. 2026-Q3."))
        return quarter_months(int(match.group(1)), int(match.group(2)))

    def clean_start(self):
        value = self.cleaned_data["start"].strip()
        return parse_month(value) if value else None

    def clean_end(self):
        value = self.cleaned_data["end"].strip()
        return parse_month(value) if value else None

    def clean_document(self):
        pk = self.cleaned_data["document"]
        if pk is None:
            return None
        document = Document.objects.filter(pk=pk).only("pk", "title").first()
        if document is None:
            raise forms.ValidationError(_("There is no document with that number."))
        return document

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        quarter, start, end = data.get("quarter"), data.get("start"), data.get("end")
        if quarter and (start or end):
            raise forms.ValidationError(_("Choose a quarter or a range of months, not both."))
        if start and end and start > end:
            raise forms.ValidationError(_("The first month comes after the last one."))
        if quarter:
            data["first"], data["last"] = quarter
        elif start or end or data.get("document"):
            data["first"], data["last"] = start, end
        else:
            data["first"], data["last"] = this_quarter()
        return data

    def filename(self):
        data = self.cleaned_data
        first, last = data["first"], data["last"]
        parts = ["downloads"]
        if data.get("document"):
            parts.append(f"document-{data['document'].pk}")
        if data.get("quarter"):
            parts.append(self.data["quarter"].strip())
        elif first or last:
            parts.append(
                "-to-".join(month_label(month) for month in (first, last) if month is not None)
            )
        return "-".join(parts) + ".csv"

    def rows(self):
        data = self.cleaned_data
        counts = DownloadCount.objects.select_related("document").order_by(
            "document__title_en", "document_id", "month"
        )
        if data["first"]:
            counts = counts.filter(month__gte=data["first"])
        if data["last"]:
            counts = counts.filter(month__lte=data["last"])
        if data.get("document"):
            counts = counts.filter(document=data["document"])
        return counts.only(
            "month", "downloads", "document__title_en", "document__title", "document__language"
        )


def neutralise(text):
    if text and text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def language_name(code):
    try:
        return get_language_info(code)["name"]
    except KeyError:
        return code


def downloads_csv(rows, filename):
    """document, language, month, downloads: one line per document and month."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["document", "language", "month", "downloads"])
    for count in rows:
        document = count.document
        writer.writerow(
            [
                neutralise(document.title_en or document.title),
                language_name(document.language),
                month_label(count.month),
                count.downloads,
            ]
        )
    # The byte-order mark makes Excel read the file as UTF-8 (French and Khmer titles).
    response = HttpResponse(
        ("\ufeff" + out.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# The admin -------------------------------------------------------------------------------------


@admin.register(Document)
class DocumentAdmin(LanguageTabsMixin, TranslationAdmin):
    class Media:
        css = {"all": ["library/library.css"]}

    list_display = [
        "title",
        "type_label",
        "language_label",
        "size_label",
        "pages_label",
        "is_members_only",
        "quarter_downloads",
        "created_at",
    ]
    list_filter = ["file_type", "language", "is_members_only", "tags"]
    search_fields = get_translation_fields("title")
    show_full_result_count = False
    list_per_page = 50
    filter_horizontal = ["tags"]
    readonly_fields = ["facts", "first_page", "where_used", "downloads_by_month"]
    change_list_template = "admin/library/document/change_list.html"

    def get_fieldsets(self, request, obj=None):
        fields = ["file", *get_translation_fields("title"), "language", "is_members_only", "tags"]
        fieldsets = [(None, {"fields": fields})]
        if obj is not None:
            read_only = {"fields": ["facts", "first_page", "where_used", "downloads_by_month"]}
            if not self.has_change_permission(request, obj) and self.has_view_permission(
                request, obj
            ):
                read_only["description"] = _(
                    "Live pages offer this document, so only a publisher can change it: "
                    "ask one, or upload a new document and choose it in a draft."
                )
            fieldsets.append((_("The file, where it is used, downloads"), read_only))
        return fieldsets

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        match = request.resolver_match
        if match and match.url_name and match.url_name.endswith("changelist"):
            # The list never shows a document's text, which may be long.
            queryset = queryset.defer("text").annotate(
                downloads_this_quarter=quarter_downloads_sum()
            )
        return queryset

    # Who may change what --------------------------------------------------------------------

    def may_change_live(self, request, obj):
        return (
            obj is None
            or request.user.has_perm("library.change_live_document")
            or not used_live(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.may_change_live(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.may_change_live(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    # The list's columns ---------------------------------------------------------------------

    @admin.display(description=gettext_lazy("type"), ordering="file_type")
    def type_label(self, obj):
        return obj.get_file_type_display()

    @admin.display(description=gettext_lazy("language"), ordering="language")
    def language_label(self, obj):
        return obj.get_language_display()

    @admin.display(description=gettext_lazy("size"), ordering="size")
    def size_label(self, obj):
        return filesizeformat(obj.size)

    @admin.display(description=gettext_lazy("pages"), ordering="pages")
    def pages_label(self, obj):
        return obj.pages or "—"

    @admin.display(
        description=gettext_lazy("downloads this quarter"), ordering="downloads_this_quarter"
    )
    def quarter_downloads(self, obj):
        return number_format(getattr(obj, "downloads_this_quarter", None) or 0)

    # The change page's facts ----------------------------------------------------------------

    @admin.display(description=gettext_lazy("file"))
    def facts(self, obj):
        parts = [obj.get_file_type_display(), filesizeformat(obj.size)]
        if obj.pages:
            parts.append(
                ngettext("%(count)s page", "%(count)s pages", obj.pages)
                % {"count": number_format(obj.pages)}
            )
        parts.append(language_name(obj.language))
        return format_html(
            '{}<br><a href="{}">{}</a>',
            " · ".join(str(part) for part in parts),
            obj.get_absolute_url(),
            obj.readable_name,
        )

    @admin.display(description=gettext_lazy("first page"))
    def first_page(self, obj):
        if not obj.thumbnail:
            return "—"
        return format_html(
            '<img class="library-first-page" src="{}" width="{}" height="{}" alt="{}">',
            obj.thumbnail_url,
            obj.thumbnail_width,
            obj.thumbnail_height,
            _("First page of %(title)s") % {"title": obj},
        )

    @admin.display(description=gettext_lazy("where it is used"))
    def where_used(self, obj):
        uses = usages(obj)
        if not uses:
            return _("No item offers this document yet.")
        # The same list as an image's page shows (library/admin.py).
        return render_to_string("library/_usage_list.html", {"uses": uses})

    @admin.display(description=gettext_lazy("downloads by month"))
    def downloads_by_month(self, obj):
        counts = list(obj.download_counts.order_by("-month").values_list("month", "downloads"))
        if not counts:
            return _("No downloads counted yet.")
        export = "{}?{}".format(
            reverse("admin:library_document_downloads_csv"), urlencode({"document": obj.pk})
        )
        rows = format_html_join(
            "",
            "<tr><td>{}</td> <td>{}</td></tr>\n",
            ((month_name(month), number_format(number)) for month, number in counts),
        )
        return format_html(
            '<table class="library-downloads"><thead><tr><th scope="col">{}</th> '
            '<th scope="col">{}</th></tr></thead>\n<tbody>{}</tbody>\n<tfoot><tr><th scope="row">'
            '{}</th> <td>{}</td></tr></tfoot></table>\n<p><a href="{}">{}</a></p>',
            _("Month"),
            _("Downloads"),
            rows,
            _("In all"),
            number_format(sum(number for _month, number in counts)),
            export,
            _("Export this document's downloads (CSV)"),
        )

    # The CSV export -------------------------------------------------------------------------

    def get_urls(self):
        site = self.admin_site
        return [
            path(
                "downloads/",
                site.admin_view(self.downloads_view),
                name="library_document_downloads",
            ),
            path(
                "downloads/csv/",
                site.admin_view(self.downloads_csv_view),
                name="library_document_downloads_csv",
            ),
            *super().get_urls(),
        ]

    def downloads_page(self, request, form, status=200):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Export download counts"),
            "form": form,
            "quarters": recent_quarters(),
            "totals": self.quarter_totals(),
        }
        return TemplateResponse(
            request, "admin/library/document/downloads.html", context, status=status
        )

    @staticmethod
    def quarter_totals():
        first, last = this_quarter()
        total = DownloadCount.objects.filter(months_q(first, last)).aggregate(
            total=Sum("downloads")
        )["total"]
        return total or 0

    def downloads_view(self, request):
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        return self.downloads_page(request, DownloadsExportForm())

    def downloads_csv_view(self, request):
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        form = DownloadsExportForm(request.GET)
        if not form.is_valid():
            return self.downloads_page(request, form, status=400)
        return downloads_csv(form.rows(), form.filename())


@admin.register(DownloadCount)
class DownloadCountAdmin(admin.ModelAdmin):
    """The counts themselves, read-only: what the document pages and the CSV export show."""

    list_display = ["document", "month_shown", "downloads"]
    list_select_related = ["document"]
    search_fields = [f"document__{name}" for name in get_translation_fields("title")]
    # Not a date hierarchy: its first and last months and its years read every row.
    list_filter = [year_filter("month")]
    show_full_result_count = False
    ordering = ["-month", "-downloads", "pk"]

    @admin.display(description=gettext_lazy("month"), ordering="month")
    def month_shown(self, obj):
        return month_name(obj.month)

    def get_queryset(self, request):
        return super().get_queryset(request).defer("document__text")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
