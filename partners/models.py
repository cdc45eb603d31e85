from decimal import Decimal

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.cache import ContentQuerySet
from core.html import RichTextField, clean_html_in_every_language
from core.khmer import (
    KhmerWordsField,
    WithoutKhmerVectorManager,
    khmer_search_vector_field,
    with_khmer_words,
)
from core.postgres import PostgresGinIndex, PostgresOnly
from library.fields import image_field


class Country(models.TextChoices):
    CANADA = "CA", _("Canada")
    CAMBODIA = "KH", _("Cambodia")


# Where each country's places may be, [west, south, east, north] in degrees: a point outside is
# almost always a typing slip (a missing minus sign, latitude and longitude swapped). The map's
# outlines (partners/data/map-outlines.json) cover these boxes.
COUNTRY_BOUNDS = {
    Country.CANADA: (-141.1, 41.6, -52.6, 83.2),
    Country.CAMBODIA: (102.3, 10.0, 107.7, 14.8),
}


def _range_validators(limit, message):
    return [
        MinValueValidator(Decimal(-limit), message=message),
        MaxValueValidator(Decimal(limit), message=message),
    ]


class MunicipalityQuerySet(ContentQuerySet):
    def published(self):
        return self.filter(is_published=True)

    def canadian(self):
        return self.filter(country=Country.CANADA)

    def cambodian(self):
        return self.filter(country=Country.CAMBODIA)


class MunicipalityManager(WithoutKhmerVectorManager.from_queryset(MunicipalityQuerySet)):
    def get_queryset(self):
        # Only the search reads the vectors, in SQL.
        return super().get_queryset().defer(*SEARCH_VECTORS)


# The site search's text search configurations on PostgreSQL (news.models.SEARCH_CONFIGS, which
# this app cannot import): the stored vector of each language, search/engines.py reads them.
SEARCH_CONFIGS = {"en": "english", "fr": "french"}
SEARCH_VECTORS = tuple(f"search_{lang}" for lang in SEARCH_CONFIGS)


def search_vector_field(lang):
    """A generated column on PostgreSQL (NULL on SQLite): what the site search matches in
    `lang`: the name weighted A, the province and summary B, the description C (the parser
    skips its HTML tags)."""
    config = SEARCH_CONFIGS[lang]
    return models.GeneratedField(
        expression=PostgresOnly(
            SearchVector("name", weight="A", config=config)
            + SearchVector("region", f"summary_{lang}", weight="B", config=config)
            + SearchVector(f"description_{lang}", weight="C", config=config)
        ),
        output_field=SearchVectorField(),
        db_persist=True,
        serialize=False,
    )


# /partners/data/ is the open data page (partners/urls.py): no municipality may have it.
RESERVED_SLUGS = {"data"}


class Municipality(models.Model):
    """A partner municipality in Canada or a local government in Cambodia."""

    name = models.CharField(
        _("name"), max_length=200, help_text=_("For example: City of Chilliwack.")
    )
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    country = models.CharField(_("country"), max_length=2, choices=Country.choices)
    region = models.CharField(
        _("province"),
        max_length=120,
        blank=True,
        help_text=_("The province (British Columbia, Kampong Cham…)."),
    )
    summary = models.TextField(_("summary"), blank=True, help_text=_("One plain sentence."))
    description = RichTextField(
        _("description"),
        blank=True,
        help_text=_(
            "Paragraphs, lists, links and the rest of the editor's toolbar; anything else "
            "pasted in is removed on save."
        ),
    )
    website = models.URLField(_("website"), blank=True)
    is_sample = models.BooleanField(
        _("sample entry"),
        default=False,
        help_text=_(
            "Marks demo content that is not a real partner; readers see a 'Sample entry' label."
        ),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=_range_validators(
            90, _("A latitude is between -90 (South Pole) and 90 (North Pole) degrees.")
        ),
        help_text=_(
            "In decimal degrees, north positive: 49.1579 for Chilliwack. "
            "Leave both empty to list the place below the map instead."
        ),
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=_range_validators(
            180, _("A longitude is between -180 (west) and 180 (east) degrees.")
        ),
        help_text=_(
            "In decimal degrees, east positive: -121.9515 for Chilliwack (Canada is west of "
            "Greenwich, so negative), 105.33 for Kang Meas."
        ),
    )
    # Shown at the top of its page and when the page is shared (alt text: the library image's).
    image = image_field()
    order = models.PositiveIntegerField(_("order"), default=0)
    is_published = models.BooleanField(_("published"), default=False)
    meta_description = models.CharField(
        _("description for search engines and sharing"),
        max_length=300,
        blank=True,
        help_text=_("Shown by search engines and on shared links; the summary is used when empty."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    # The Khmer texts' words (core.khmer), remade whenever the row is saved: the name and
    # province (as written, often in Latin letters) with the Khmer summary, then the Khmer
    # description.
    km_words = KhmerWordsField(sources=("name", "region", "summary_km"))
    km_body_words = KhmerWordsField(sources=("description_km",))
    # The Khmer search on PostgreSQL (NULL on SQLite), kept up to date by the database.
    search_km = khmer_search_vector_field()
    # The search in English and French on PostgreSQL (NULL on SQLite), kept up to date by the
    # database: not a vector computed for every row on every search.
    search_en = search_vector_field("en")
    search_fr = search_vector_field("fr")

    objects = MunicipalityManager()

    class Meta:
        ordering = ["country", "order", "name"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        # Given to the "Publishers" group; Editors prepare drafts (editorial/admin.py).
        permissions = [("publish_municipality", "Can publish and unpublish municipalities")]
        indexes = [
            PostgresGinIndex(fields=["search_km"], name="partners_search_km"),
            PostgresGinIndex(fields=["search_en"], name="partners_search_en"),
            PostgresGinIndex(fields=["search_fr"], name="partners_search_fr"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        clean_html_in_every_language(self, "description")
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_khmer_words(kwargs["update_fields"], Municipality)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("partners:detail", args=[self.slug])

    def clean(self):
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _(
                "This address is taken by the partners' open data page: choose another slug."
            )
        # Partnerships pair a Canadian with a Cambodian municipality; a country change would
        # put this one on the wrong side of its pairings.
        if self.pk and (
            (self.country == Country.CAMBODIA and self.partnerships_as_canadian.exists())
            or (self.country == Country.CANADA and self.partnerships_as_cambodian.exists())
        ):
            errors["country"] = _(
                "This municipality has partners in the other country. "
                "Remove its partnerships before you change its country."
            )
        errors.update(self._coordinate_errors())
        if errors:
            raise ValidationError(errors)

    def _coordinate_errors(self):
        latitude, longitude = self.latitude, self.longitude
        if latitude is None and longitude is None:
            return {}
        if latitude is None:
            return {"latitude": _("Give the latitude too, or leave both empty.")}
        if longitude is None:
            return {"longitude": _("Give the longitude too, or leave both empty.")}
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return {}  # the fields' own validators say what is wrong
        bounds = COUNTRY_BOUNDS.get(self.country)
        if bounds is None:
            return {}
        west, south, east, north = bounds
        if not (south <= latitude <= north and west <= longitude <= east):
            return {
                "latitude": _(
                    "These coordinates are not in %(country)s. Check the signs (west of "
                    "Greenwich is a negative longitude) and that latitude and longitude are "
                    "not swapped."
                )
                % {"country": self.get_country_display()}
            }
        return {}

    @property
    def is_located(self):
        """True when the municipality has a place on the map."""
        return self.latitude is not None and self.longitude is not None

    @property
    def is_canadian(self):
        return self.country == Country.CANADA


class PartnershipQuerySet(ContentQuerySet):
    def published(self):
        """Published pairings whose two municipalities are both published."""
        return self.filter(
            is_published=True, canadian__is_published=True, cambodian__is_published=True
        )


class Partnership(models.Model):
    """A Canadian municipality paired with a Cambodian local government."""

    canadian = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="partnerships_as_canadian",
        limit_choices_to={"country": Country.CANADA},
        verbose_name=_("Canadian municipality"),
    )
    cambodian = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="partnerships_as_cambodian",
        limit_choices_to={"country": Country.CAMBODIA},
        verbose_name=_("Cambodian local government"),
    )
    since = models.PositiveSmallIntegerField(
        _("since (year)"), null=True, blank=True, help_text=_("The year the pairing began.")
    )
    focus = models.CharField(
        _("focus"),
        max_length=250,
        blank=True,
        help_text=_("What they work on, for example: LED strategic planning."),
    )
    is_sample = models.BooleanField(_("sample entry"), default=False)
    # A draft until a publisher publishes it, like everything else an editor adds.
    is_published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = PartnershipQuerySet.as_manager()

    class Meta:
        ordering = ["canadian__order", "canadian__name", "cambodian__name"]
        verbose_name = _("partnership")
        verbose_name_plural = _("partnerships")
        permissions = [("publish_partnership", "Can publish and unpublish partnerships")]
        constraints = [
            models.UniqueConstraint(fields=["canadian", "cambodian"], name="unique_partnership")
        ]

    def __str__(self):
        return f"{self.canadian} – {self.cambodian}"

    def clean(self):
        errors = {}
        if self.canadian_id and self.canadian.country != Country.CANADA:
            errors["canadian"] = _("Choose a Canadian municipality.")
        if self.cambodian_id and self.cambodian.country != Country.CAMBODIA:
            errors["cambodian"] = _("Choose a Cambodian local government.")
        if errors:
            raise ValidationError(errors)
