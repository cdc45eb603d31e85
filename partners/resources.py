"""The municipalities' CSV import in the admin (django-import-export).

Its columns are those of the public municipalities.csv (partners/opendata.py), so that a
downloaded file (in English: /en/partners/data/municipalities.csv) can be edited and imported
again. Rows are matched by slug: an existing municipality is updated, a new slug creates a new
draft. The columns country_name, url and updated are the site's own and are ignored; optional
columns give the translations and the publishing flag.

Publishing stays the publishers' (the `publish_municipality` permission): another staff
member's file may create and change drafts, and each row that would publish a municipality or
change a published one is refused with its reason, so that nothing is imported. Refused
rather than quietly imported as drafts: a file that says "true" is not silently overruled, and
a published municipality cannot be changed without a publisher either way.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from diff_match_patch import diff_match_patch
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.encoding import force_str
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import CachedInstanceLoader
from import_export.resources import Diff

from editorial.workflow import save_edited

from .models import Municipality
from .opendata import MUNICIPALITY_COLUMNS, unneutralise

# The public file's columns that describe the site, not the municipality.
IGNORED_COLUMNS = {"country_name", "url", "updated"}
REQUIRED_COLUMNS = ["slug", "name", "country"]
# Not in the public file: the other languages' texts, the rich-text description (sanitised
# when saved, as in the admin) and whether the municipality is published (new ones are drafts).
OPTIONAL_COLUMNS = [
    "summary_fr",
    "summary_km",
    "description",
    "description_fr",
    "description_km",
    "is_published",
]
IMPORT_COLUMNS = [
    *[column for column in MUNICIPALITY_COLUMNS if column not in IGNORED_COLUMNS],
    *OPTIONAL_COLUMNS,
]
TEXT_COLUMNS = [
    "slug",
    "name",
    "country",
    "province",
    "website",
    "summary",
    "summary_fr",
    "summary_km",
    "description",
    "description_fr",
    "description_km",
]


# Errors are reported under the file's column names.
ERROR_COLUMNS = {"region": "province", "summary_en": "summary", "description_en": "description"}


class PlainDiff(Diff):
    """The preview's changes as <ins> and <del> (styled by import-export's import.css): the
    library's own diff writes style attributes, which the admin's CSP refuses."""

    def as_html(self):
        differ = diff_match_patch()
        data = []
        for old, new in zip(self.left, self.right, strict=True):
            if old != new and self.new:
                old = ""
            changes = differ.diff_main(force_str(old), force_str(new))
            differ.diff_cleanupSemantic(changes)
            parts = []
            for operation, text in changes:
                tag = {1: "ins", -1: "del"}.get(operation)
                parts.append(
                    format_html("<{}>{}</{}>", tag, text, tag) if tag else conditional_escape(text)
                )
            data.append(mark_safe("".join(parts)))  # noqa: S308 - every part is escaped
        return data


class CoordinateWidget(widgets.Widget):
    """Decimal degrees, rounded to the five decimals kept (as the admin's form does)."""

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValueError(_("Write a number in decimal degrees, such as -121.9515."))
        if abs(number) >= 1000:
            return number  # the model's range check says what is wrong
        return number.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else format(value.normalize(), "f")


class FlagWidget(widgets.Widget):
    """true / false (also 1 / 0); empty is false."""

    TRUE = {"true", "1", "yes"}
    FALSE = {"false", "0", "no", ""}

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise ValueError(_("Write true or false."))

    def render(self, value, obj=None, **kwargs):
        return "true" if value else "false"


def text_field(column, attribute=None):
    return fields.Field(
        attribute=attribute or column, column_name=column, widget=widgets.CharWidget()
    )


class MunicipalityResource(resources.ModelResource):
    slug = text_field("slug")
    name = text_field("name")
    country = text_field("country")
    province = text_field("province", "region")
    latitude = fields.Field(attribute="latitude", column_name="latitude", widget=CoordinateWidget())
    longitude = fields.Field(
        attribute="longitude", column_name="longitude", widget=CoordinateWidget()
    )
    website = text_field("website")
    # The texts by language (modeltranslation's columns): "summary" is the English one.
    summary = text_field("summary", "summary_en")
    summary_fr = text_field("summary_fr")
    summary_km = text_field("summary_km")
    description = text_field("description", "description_en")
    description_fr = text_field("description_fr")
    description_km = text_field("description_km")
    is_sample = fields.Field(attribute="is_sample", column_name="is_sample", widget=FlagWidget())
    is_published = fields.Field(
        attribute="is_published", column_name="is_published", widget=FlagWidget()
    )

    class Meta:
        model = Municipality
        fields = IMPORT_COLUMNS
        import_order = IMPORT_COLUMNS
        import_id_fields = ["slug"]
        # The model's own checks on every row: required fields, country, coordinates, address.
        clean_model_instances = True
        # A file downloaded and imported again changes nothing: its rows show as skipped.
        skip_unchanged = True
        report_skipped = True
        instance_loader_class = CachedInstanceLoader

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._seen_slugs = {}
        self._can_publish = False
        self._was_published = False
        self._user = None
        self._dry_run = True

    @classmethod
    def get_diff_class(cls):
        return PlainDiff

    def before_import(self, dataset, **kwargs):
        """Refuse a file whose first row does not name the columns: no row is imported."""
        headers = [str(header or "").strip() for header in dataset.headers or []]
        problem = None
        missing = [column for column in REQUIRED_COLUMNS if column not in headers]
        unknown = [
            column for column in headers if column not in (*IMPORT_COLUMNS, *IGNORED_COLUMNS)
        ]
        expected = ", ".join([*MUNICIPALITY_COLUMNS, *OPTIONAL_COLUMNS])
        if missing:
            problem = _(
                "The file has no column %(columns)s. Its first row must name the columns: "
                "%(expected)s."
            ) % {"columns": ", ".join(missing), "expected": expected}
        elif unknown:
            problem = _("Unknown column %(columns)s. The columns are: %(expected)s.") % {
                "columns": ", ".join(unknown),
                "expected": expected,
            }
        elif len(set(headers)) != len(headers):
            problem = _("A column appears twice in the first row.")
        if problem:
            dataset.wipe()
            raise ValueError(problem)
        dataset.headers = headers
        self._seen_slugs = {}
        user = kwargs.get("user")  # the admin passes who imports
        self._user = user
        self._can_publish = user is not None and user.has_perm("partners.publish_municipality")

    def before_import_row(self, row, row_number=None, **kwargs):
        for column in TEXT_COLUMNS:
            if column in row:
                row[column] = unneutralise(str(row[column] or "").strip())
        if "country" in row:
            row["country"] = row["country"].upper()
        slug = row.get("slug")
        if slug in self._seen_slugs:
            raise ValidationError(
                {
                    "slug": _("Row %(row)s has the same slug: each municipality appears once.")
                    % {"row": self._seen_slugs[slug]}
                }
            )
        self._seen_slugs[slug] = row_number

    def after_init_instance(self, instance, new, row, **kwargs):
        # Before the row's values are set: whether the municipality is public now.
        self._was_published = not new and instance.is_published

    def publishing_errors(self, instance):
        """A row that would change what readers see, from someone who may not publish. Rows
        that change nothing are skipped before this (skip_unchanged)."""
        if self._can_publish:
            return {}
        if self._was_published:
            return {
                NON_FIELD_ERRORS: [
                    _(
                        "%(name)s is published: only a publisher can change it. Remove this "
                        "row, or ask a publisher to import the file."
                    )
                    % {"name": instance.name}
                ]
            }
        if instance.is_published:
            return {
                "is_published": [
                    _(
                        "Only a publisher can publish a municipality: write false here to "
                        "import it as a draft, or ask a publisher to import the file."
                    )
                ]
            }
        return {}

    def save_instance(self, instance, is_create, row, **kwargs):
        self._dry_run = self._is_dry_run(kwargs)
        super().save_instance(instance, is_create, row, **kwargs)

    def do_instance_save(self, instance, is_create):
        if self._dry_run:  # the preview: saved to show the changes, then rolled back
            super().do_instance_save(instance, is_create)
        else:
            # A row that publishes or unpublishes a municipality does it as the admin does
            # (editorial.workflow): in the import's history entry, with what publishing starts.
            save_edited(instance, by=self._user)

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        import_validation_errors = dict(import_validation_errors or {})
        for key, errors in self.publishing_errors(instance).items():
            import_validation_errors[key] = [*import_validation_errors.get(key, []), *errors]
        try:
            super().validate_instance(instance, import_validation_errors, validate_unique)
        except ValidationError as error:
            raise ValidationError(
                {ERROR_COLUMNS.get(key, key): value for key, value in error.error_dict.items()}
            ) from None
