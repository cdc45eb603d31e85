from django.db.models import Prefetch
from django.views.generic import DetailView, ListView

from mped.updated import latest_update
from news.models import NewsItem

from .map import build_map
from .models import Country, Municipality, Partnership


class MunicipalityListView(ListView):
    """Partners grouped by country, and every pairing."""

    queryset = Municipality.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipalities = list(context["object_list"])
        partnerships = list(Partnership.objects.published().select_related("canadian", "cambodian"))
        context.update(
            canadian=[m for m in municipalities if m.country == Country.CANADA],
            cambodian=[m for m in municipalities if m.country == Country.CAMBODIA],
            partnerships=partnerships,
            partner_map=build_map(municipalities, partnerships),
            page_updated=latest_update(municipalities, partnerships),
        )
        return context


class MunicipalityDetailView(DetailView):
    def get_queryset(self):
        published_pairs = Partnership.objects.published().select_related("canadian", "cambodian")
        return Municipality.objects.published().prefetch_related(
            Prefetch("partnerships_as_canadian", queryset=published_pairs, to_attr="as_canadian"),
            Prefetch("partnerships_as_cambodian", queryset=published_pairs, to_attr="as_cambodian"),
            Prefetch("news_items", queryset=NewsItem.objects.published(), to_attr="published_news"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        municipality = self.object
        partnerships = municipality.as_canadian + municipality.as_cambodian
        context.update(
            partnerships=partnerships,
            news_items=municipality.published_news,
            page_updated=latest_update(municipality, partnerships, municipality.published_news),
        )
        return context
