from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap as sitemap_view
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _
from django.views.static import serve

from .sitemaps import SITEMAPS
from .views import HomeView, robots_txt

admin.site.site_header = _("MPED staff")
admin.site.site_title = _("MPED staff")
admin.site.index_title = _("Site content")

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("robots.txt", robots_txt, name="robots_txt"),
    path("sitemap.xml", sitemap_view, {"sitemaps": SITEMAPS}, name="sitemap"),
    path("news/", include("news.urls")),
    path("program/", include("pages.urls")),
    path("partners/", include("partners.urls")),
    path("search/", include("search.urls")),
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
