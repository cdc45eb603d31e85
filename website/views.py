from django.conf import settings
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from core.seo import organization
from core.updated import latest_update
from news.models import NewsItem
from news.views import documents_prefetch
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality, Partnership


def home_content(site):
    """What the home page shows, and when it last changed (also the sitemap's date for it)."""
    # The cards' report links: the items' documents in one query.
    latest = list(
        NewsItem.objects.published().prefetch_related(documents_prefetch())[: site.latest_count]
    )
    sections = list(ProgramPage.objects.published().filter(show_on_home=True).with_content())
    partners = list(
        Municipality.objects.published()
        .canadian()
        .prefetch_related(
            Prefetch(
                "partnerships_as_canadian",
                queryset=Partnership.objects.published().select_related("cambodian"),
                to_attr="pairings",
            )
        )
    )
    pairings = [(p, p.cambodian) for partner in partners for p in partner.pairings]
    return {
        "latest": latest,
        "sections": sections,
        "canadian_partners": partners,
        "page_updated": latest_update(site, latest, sections, partners, *pairings),
    }


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site = SiteSettings.for_request(self.request)
        context.update(home_content(site), structured_data=organization(self.request, site))
        return context


def language_root(request):
    """The bare address "/": to the home page in the reader's language (the language cookie,
    then the browser's Accept-Language, else English), as LocaleMiddleware would do for any
    unprefixed address, but without first rendering a 404 page (2 queries) to throw away."""
    with translation.override(translation.get_language_from_request(request)):
        response = HttpResponseRedirect(reverse("home"))
    patch_vary_headers(response, ("Accept-Language", "Cookie"))
    return response


def favicon(request):
    """Browsers ask for /favicon.ico where a page names no icon (the admin, a PDF): the site's
    icon, rather than a 404 in every log and in the staff's 404 list."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def robots_txt(request):
    lines = ["User-agent: *", f"Disallow: /{settings.MPED_ADMIN_URL}"]
    for code, _name in settings.LANGUAGES:
        lines += [f"Disallow: /{code}/accounts/", f"Disallow: /{code}/news/documents/"]
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
