from django.urls import path

from mped.cache import cache_public_page

from . import views

app_name = "partners"

urlpatterns = [
    path("", cache_public_page(views.MunicipalityListView.as_view()), name="list"),
    path("<slug:slug>/", cache_public_page(views.MunicipalityDetailView.as_view()), name="detail"),
]
