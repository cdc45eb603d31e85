from django.urls import path

from core.cache import cache_public_page

from . import opendata, views

app_name = "partners"

urlpatterns = [
    path("", cache_public_page(views.MunicipalityListView.as_view()), name="list"),
    # Before the municipalities' pages, whose slug could otherwise be "data".
    path("data/", cache_public_page(views.OpenDataView.as_view()), name="data"),
    path(
        "data/municipalities.csv",
        cache_public_page(opendata.municipalities_csv),
        name="municipalities_csv",
    ),
    path(
        "data/municipalities.geojson",
        cache_public_page(opendata.municipalities_geojson),
        name="municipalities_geojson",
    ),
    path(
        "data/partnerships.csv",
        cache_public_page(opendata.partnerships_csv),
        name="partnerships_csv",
    ),
    path(
        "data/partnerships.geojson",
        cache_public_page(opendata.partnerships_geojson),
        name="partnerships_geojson",
    ),
    path("<slug:slug>/", cache_public_page(views.MunicipalityDetailView.as_view()), name="detail"),
]
