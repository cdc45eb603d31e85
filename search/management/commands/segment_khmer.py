from django.core.management.base import BaseCommand
from django.db import transaction

from core.khmer import refresh_khmer_words
from news.models import NewsItem
from pages.models import ProgramPage
from partners.models import Municipality


class Command(BaseCommand):
    help = (
        "Split the Khmer texts of every news item, program page and municipality into words "
        "again (ICU), for the Khmer search: after an ICU upgrade, or after Khmer texts were "
        "changed by an update() that bypassed save()."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch", type=int, default=500, help="Rows read and written at a time."
        )

    def handle(self, *args, batch=500, **options):
        for model in (NewsItem, ProgramPage, Municipality):
            with transaction.atomic():
                changed = refresh_khmer_words(model, batch=batch)
            if options["verbosity"]:
                self.stdout.write(f"{model._meta.verbose_name_plural}: {changed} rows changed.")
