from django.db.models import Max, OuterRef, Prefetch, Subquery, Value
from django.views.generic import DetailView, ListView, TemplateView

from core.updated import latest_update

from .map import build_map
from .models import Country, Municipality, Partnership

# The most news items a municipality's page lists; the rest are in the news list filtered by it
# (news.views.NewsItemListView's ?partner=<slug>).
NEWS_ON_PAGE = 10


def published_partnerships():
    return Partnership.objects.published().select_related("canadian", "cambodian")


def published_news():
    """The published news items, through the relation news has to municipalities: news imports
    partners, so partners do not import news."""
    news_item = Municipality._meta.get_field("news_items").related_model
    return news_item.objects.published()


def latest_news():
    """The news a municipality's page lists, the one statement of it for the page and for its
    sitemap date (latest_news_dates): its latest NEWS_ON_PAGE published items (newest first),
    fetched with one more, to know whether to link to the rest, as `published_news` (a window
    per municipality, in one query for them all)."""
    items = published_news()[: NEWS_ON_PAGE + 1]
    return Prefetch("news_items", queryset=items, to_attr="published_news")


def latest_news_dates(municipalities):
    """Municipalities with the newest `updated_at` and `published_at` of the news latest_news()
    shows on their page (news_updated, news_published): their page's date counts those, and a
    sitemap needs only them, for every municipality at once (a window over every news row, as
    the prefetch is, took 0.4-0.8 s at 100,000 items; this reads each municipality's latest few
    through the index)."""
    news_item = published_news().model
    latest = published_news().filter(partners=OuterRef(OuterRef("pk"))).values("pk")
    dates = (
        news_item.objects.filter(pk__in=latest[:NEWS_ON_PAGE])
        .order_by()
        .annotate(group=Value(1))
        .values("group")
    )
    return municipalities.annotate(
        news_updated=Subquery(dates.annotate(newest=Max("updated_at")).values("newest")),
        news_published=Subquery(dates.annotate(newest=Max("published_at")).values("newest")),
    )


def shown_news(municipality):
    """The news items the page lists (of those latest_news() fetched)."""
    return municipality.published_news[:NEWS_ON_PAGE]


def has_more_news(municipality):
    """Whether the page links to the rest of its news (the filtered news list)."""
    return len(municipality.published_news) > NEWS_ON_PAGE


def with_page_relations(municipalities):
    """Municipalities with the partnerships and news their own page shows."""
    pairs = published_partnerships()
    return municipalities.prefetch_related(
        Prefetch("partnerships_as_canadian", queryset=pairs, to_attr="as_canadian"),
        Prefetch("partnerships_as_cambodian", queryset=pairs, to_attr="as_cambodian"),
        latest_news(),
    )


def municipality_updated(municipality):
    """A municipality page's "Page Updated" (and its sitemap date): the news counted are those
    it lists."""
    return latest_update(
        municipality,
        municipality.as_canadian,
        municipality.as_cambodian,
        shown_news(municipality),
    )


def partners_list_updated(municipalities, partnerships):
    return latest_update(municipalities, partnerships)


class MunicipalityListView(ListView):
    """Partners grouped by country, and every pairing."""

    queryset = Municipality.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipalities = list(context["object_list"])
        partnerships = list(published_partnerships())
        context.update(
            canadian=[m for m in municipalities if m.country == Country.CANADA],
            cambodian=[m for m in municipalities if m.country == Country.CAMBODIA],
            partnerships=partnerships,
            partner_map=build_map(municipalities, partnerships),
            page_updated=partners_list_updated(municipalities, partnerships),
        )
        return context


class MunicipalityDetailView(DetailView):
    def get_queryset(self):
        return with_page_relations(Municipality.objects.published().select_related("image"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality = self.object
        partnerships = municipality.as_canadian + municipality.as_cambodian
        context.update(
            partnerships=partnerships,
            news_items=shown_news(municipality),
            more_news=has_more_news(municipality),
            page_updated=municipality_updated(municipality),
        )
        return context

    def preview_relations(self, municipality, related):
        """For the preview of a change form's unsaved data (editorial/preview.py): what
        get_queryset() prefetches, with the pairings as the form has them. Those published
        with a published partner are shown, whether this municipality is published or not
        (that is the form's to say)."""
        for side, other in (("canadian", "cambodian"), ("cambodian", "canadian")):
            rows = related.get(f"partnerships_as_{side}")
            if rows is None:
                rows = Partnership.objects.filter(**{side: municipality}).select_related(other)
            shown = [row for row in rows if row.is_published and getattr(row, other).is_published]
            for row in shown:
                setattr(row, side, municipality)
            setattr(municipality, f"as_{side}", shown)
        municipality.published_news = list(
            published_news().filter(partners=municipality)[: NEWS_ON_PAGE + 1]
        )


class OpenDataView(TemplateView):
    """What the partners' data files hold, column by column."""

    template_name = "partners/open_data.html"
