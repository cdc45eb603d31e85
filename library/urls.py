"""The library's public addresses, outside the language prefix (mped/urls.py): a document is
the same file in every language of the site."""

from django.urls import path

from . import views

app_name = "library"

urlpatterns = [
    path("<int:pk>/first-page.<slug:extension>", views.FirstPageView.as_view(), name="first_page"),
    path("<int:pk>/<str:name>", views.DocumentView.as_view(), name="document"),
]
