from django.urls import path

from . import views

app_name = "reviews"

# Never cached (core/cache.py): each page is for the holder of one link.
urlpatterns = [
    path("<str:token>/", views.review, name="review"),
    path("<str:token>/documents/<path:name>", views.document, name="document"),
]
