from .models import SiteSettings


def site(request):
    """The site settings, on every page (the menus are website.context_processors')."""
    return {"site_settings": SiteSettings.for_request(request)}
