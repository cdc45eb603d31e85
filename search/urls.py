from django.urls import path

from core.cache import cache_public_page

from . import views

app_name = "search"

urlpatterns = [
    path("", cache_public_page(views.search), name="results"),
]
