import functools

from django.conf import settings
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.generic import TemplateView

from core.seo import organization
from pages.models import SiteSettings

from .blocks import home_content


class HomeView(TemplateView):
    """The home page: the hero (the site's name and tagline), then the blocks staff arranged
    (website/blocks.py). In a preview (editorial/preview.py) `object` is the home page with the
    form's unsaved blocks."""

    template_name = "home.html"
    object = None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        home = kwargs.get("object") or self.object
        user = request.user

        @functools.cache
        def content():
            return home_content(SiteSettings.for_request(request), user=user, home=home)

        # Worked out only when the template renders a part that shows them: the parts that
        # are the same for every reader come from the cache (templates/home.html).
        context.update(
            {name: functools.partial(lambda name: content()[name], name) for name in CONTENT},
            structured_data=lambda: organization(request, SiteSettings.for_request(request)),
            reader=reader_kind(user),
        )
        return context


# What home_content() gives the template.
CONTENT = ("home", "blocks", "page_updated")


def reader_kind(user):
    """What the home page's blocks show depends on: staff see a note for each hidden block, and
    the account prompt is for readers who are not logged in."""
    if user.is_staff:
        return "staff"
    return "signed-in" if user.is_authenticated else "anonymous"


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
    # Documents, public or members-only, are at /documents/<id>/<name> (and the old
    # /<lang>/news/documents/ addresses redirect there): search engines and link previews may
    # fetch the public ones that pages, og:image and JSON-LD name, while the document view
    # itself keeps members-only ones from anyone not signed in (a Disallow would not).
    lines = ["User-agent: *", f"Disallow: /{settings.MPED_ADMIN_URL}", "Allow: /documents/"]
    for code, _name in settings.LANGUAGES:
        lines.append(f"Disallow: /{code}/accounts/")
    lines.append(f"Sitemap: {request.build_absolute_uri(reverse('sitemap'))}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
