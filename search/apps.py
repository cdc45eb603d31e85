from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteSearchConfig(AppConfig):
    name = "search"
    verbose_name = _("Site search")

    def ready(self):
        from core.publishing import published, unpublished
        from news.models import NewsItem
        from pages.models import ProgramPage
        from partners.models import Municipality

        from .words import queue_update

        # Whichever path publishes or unpublishes (editorial.workflow), the lexicon of "Did
        # you mean …?" follows: a publish adds the row's words, an unpublish rebuilds it.
        for model in (NewsItem, ProgramPage, Municipality):
            for signal in (published, unpublished):
                signal.connect(queue_update, sender=model, dispatch_uid=f"search-{model.__name__}")
