from django.urls import path

from . import views

app_name = "pages"

urlpatterns = [
    path("", views.ProgramPageListView.as_view(), name="list"),
    path("<slug:slug>/", views.ProgramPageDetailView.as_view(), name="detail"),
]
