from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from .views import HomeView

admin.site.site_header = _("MPED staff")
admin.site.site_title = _("MPED staff")
admin.site.index_title = _("Site content")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("news/", include("news.urls")),
    path("program/", include("pages.urls")),
    path("partners/", include("partners.urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path(settings.MPED_ADMIN_URL, admin.site.urls),
]

if settings.MPED_SERVE_MEDIA:
    # In production the web server usually serves MEDIA_ROOT itself (see the README).
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
