from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.admin import AdminSite
from django.contrib.sitemaps import views as sitemap_views
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy as _

from core.cache import cache_public_page
from files.media import serve as serve_media
from ops.health import HEALTH_ROUTE, health
from website.sitemaps import SITEMAPS
from website.sitemaps import section as sitemap_section
from website.views import HomeView, favicon, language_root, robots_txt

admin.site.site_header = _("MPED staff")
admin.site.site_title = _("MPED staff")
admin.site.index_title = _("Site content")
# Staff sign in on allauth's login page, with its rate limits, lock-out and two-factor step;
# wrapping the class's method keeps this idempotent when tests reload this module.
# https://docs.allauth.org/en/latest/common/admin.html
admin.site.login = secure_admin_login(AdminSite.login.__get__(admin.site))

urlpatterns = [
    path("", language_root, name="language_root"),
    path(HEALTH_ROUTE, health, name="health"),
    path("robots.txt", cache_public_page(robots_txt), name="robots_txt"),
    path("favicon.ico", favicon, name="favicon"),
    # The sitemap index, and each section's pages (/sitemap-news.xml?p=2): website/sitemaps.py.
    path(
        "sitemap.xml",
        cache_public_page(sitemap_views.index),
        {"sitemaps": SITEMAPS, "sitemap_url_name": "sitemap-section"},
        name="sitemap",
    ),
    path(
        "sitemap-<section>.xml",
        cache_public_page(sitemap_section),
        {"sitemaps": SITEMAPS},
        name="sitemap-section",
    ),
    # Library documents: one address per file whatever the reader's language, checked by the
    # view (never wrapped with cache_public_page: downloads are counted and members-only).
    path("documents/", include("library.urls")),
    path(settings.MPED_ADMIN_URL, admin.site.urls),
]

# Every public and account page starts with its language: /en/, /fr/, /km/. An address without
# one (an old /news/<slug>/ link) is a 404 that LocaleMiddleware turns into a redirect to the
# reader's language, and "/" is redirected the same way by language_root (neither is stored by
# the page cache, which keeps only 200s).
urlpatterns += i18n_patterns(
    path("", cache_public_page(HomeView.as_view()), name="home"),
    path("news/", include("news.urls")),
    path("program/", include("pages.urls")),
    path("partners/", include("partners.urls")),
    path("search/", include("search.urls")),
    # Review links for drafts: private pages, never wrapped with cache_public_page.
    path("review/", include("reviews.urls")),
    # The alert emails' unsubscribe link (the view is news'), at the address emails carry.
    path("accounts/alerts/", include("news.alert_urls")),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("allauth.urls")),
    prefix_default_language=True,
)

if settings.MPED_SERVE_MEDIA:
    # In production the web server usually serves MEDIA_ROOT itself, with the same headers
    # (see docs/deploy.md).
    urlpatterns += [
        re_path(
            rf"^{settings.MEDIA_URL.lstrip('/')}(?P<path>.*)$",
            serve_media,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]
