from django.views.generic import ListView

from core.preview import PreviewableDetailView
from core.updated import latest_update

from .models import ProgramPage


class ProgramPageListView(ListView):
    queryset = ProgramPage.objects.published()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_updated"] = latest_update(context["object_list"])
        return context


class ProgramPageDetailView(PreviewableDetailView):
    model = ProgramPage

    def get_queryset(self):
        return super().get_queryset().select_related("image").with_content()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_updated"] = latest_update(self.object)
        return context
