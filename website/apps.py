from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    """The public site's composition: the home page, "/", robots.txt and the favicon, the
    sitemap, the structured data (SEO), and the demo-content commands load_demo_content and
    scale_demo_content. It imports the content apps."""

    name = "website"
    verbose_name = _("Public site")
