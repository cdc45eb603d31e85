from django.core.management.base import BaseCommand

from search.words import rebuild


class Command(BaseCommand):
    help = (
        'Rebuild the words that the site search suggests for a misspelt search ("Did you '
        'mean …?") from the published text anyone may read.'
    )

    def handle(self, *args, **options):
        size = rebuild()
        if options["verbosity"]:
            self.stdout.write(f"{size} words.")
