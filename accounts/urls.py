from django.urls import path

from . import views
from .invitations import InvitationView

app_name = "accounts"

urlpatterns = [
    path("", views.AccountOverviewView.as_view(), name="overview"),
    path("profile/", views.ProfileView.as_view(), name="profile"),
    path("alerts/", views.AlertsView.as_view(), name="alerts"),
    path("data/", views.DataExportView.as_view(), name="data"),
    path("delete/", views.DeleteAccountView.as_view(), name="delete"),
    path("invitation/<uidb64>/<token>/", InvitationView.as_view(), name="invitation"),
]
