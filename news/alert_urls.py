"""The link in every alert email that stops that kind of alert (news/alerts.py makes its token).

mped/urls.py mounts it under accounts/alerts/, next to the member's alert choices and where the
emails already sent point: a mail client's one-click unsubscribe (RFC 8058) must not be
redirected."""

from django.urls import path

from . import views

app_name = "alerts"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.UnsubscribeView.as_view(), name="unsubscribe"),
]
