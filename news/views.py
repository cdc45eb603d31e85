from django.conf import settings
from django.http import Http404
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView

from mped.updated import latest_update

from .models import Kind, NewsItem


class NewsItemListView(ListView):
    paginate_by = settings.MPED_NEWS_PER_PAGE

    def get_kind(self):
        kind = self.request.GET.get("kind", "")
        if kind and kind not in Kind.values:
            raise Http404(_("There is no kind of news called that."))
        return kind

    def get_queryset(self):
        items = NewsItem.objects.published()
        if kind := self.get_kind():
            items = items.filter(kind=kind)
        return items

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        kind = self.get_kind()
        context.update(
            kinds=Kind.choices,
            kind=kind,
            kind_label=Kind(kind).label if kind else "",
            query_prefix=f"kind={kind}&" if kind else "",
            page_updated=latest_update(context["object_list"]),
        )
        return context


class NewsItemDetailView(DetailView):
    def get_queryset(self):
        return NewsItem.objects.published().prefetch_related("articles", "partners")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        partners = [p for p in self.object.partners.all() if p.is_published]
        context.update(
            partners=partners,
            page_updated=latest_update(self.object, partners),
        )
        return context
