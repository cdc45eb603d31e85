from django.db.models import Prefetch
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


def with_page_relations(municipalities):
    """Municipalities with the partnerships and news their own page shows."""
    pairs = published_partnerships()
    return municipalities.prefetch_related(
        Prefetch("partnerships_as_canadian", queryset=pairs, to_attr="as_canadian"),
        Prefetch("partnerships_as_cambodian", queryset=pairs, to_attr="as_cambodian"),
        # One more than shown, to know whether to link to the rest (a window per municipality).
        Prefetch(
            "news_items",
            queryset=published_news()[: NEWS_ON_PAGE + 1],
            to_attr="published_news",
        ),
    )


def municipality_updated(municipality):
    """A municipality page's "Page Updated" (and its sitemap date)."""
    return latest_update(
        municipality,
        municipality.as_canadian,
        municipality.as_cambodian,
        municipality.published_news,
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
            news_items=municipality.published_news[:NEWS_ON_PAGE],
            more_news=len(municipality.published_news) > NEWS_ON_PAGE,
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
