from .models import ProgramPage, SiteSettings


def site(request):
    """The site settings and the program pages for the menu, on every page."""
    return {
        "site_settings": SiteSettings.for_request(request),
        "nav_pages": ProgramPage.objects.published().only("title", "nav_title", "slug"),
    }
