from django.urls import path

from core.cache import cache_public_page

from . import views

app_name = "pages"

urlpatterns = [
    path("", cache_public_page(views.ProgramPageListView.as_view()), name="list"),
    path("<slug:slug>/", cache_public_page(views.ProgramPageDetailView.as_view()), name="detail"),
]
