from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebsiteConfig(AppConfig):
    """The public site's composition: the home page and its blocks, the header and footer
    menus, "/", robots.txt and the favicon, the sitemap, the structured data (SEO), and the
    demo-content commands load_demo_content and scale_demo_content. It imports the content
    apps."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "website"
    verbose_name = _("Public site")

    def ready(self):
        from core.cache import register_content_models

        names = ["Menu", "MenuLink", "HomePage", "HomeBlock"]
        register_content_models(*(self.get_model(name) for name in names))
