"""Make the renditions library images should have and lack: after a restore from an older
backup, a version restored from the history, a changed spec (library/renditions.py), or a file
that could not be read when its image was saved. Each image's size is read again when unknown;
renditions whose row is there but whose file is not are made again. Safe to run at any time."""

from django.core.management.base import BaseCommand

from library.images import before_save, sync_renditions
from library.models import Image


class Command(BaseCommand):
    help = "Make the missing renditions of library images (all, or the ids given)."

    def add_arguments(self, parser):
        parser.add_argument("ids", nargs="*", type=int, help="Only these images.")

    def handle(self, *args, ids=(), **options):
        images = Image.objects.order_by("pk")
        if ids:
            images = images.filter(pk__in=ids)
        made = removed = unreadable = 0
        for image in images.iterator(chunk_size=100):
            if image.file and not image.width:
                before_save(image)
                if image.width:
                    Image.objects.filter(pk=image.pk).update(width=image.width, height=image.height)
            if image.file and not image.width:
                unreadable += 1
                self.stderr.write(f"Image {image.pk}: its file {image.file.name} cannot be read.")
            image_made, image_removed = sync_renditions(image, check_files=True)
            made += image_made
            removed += image_removed
            if image_made and options["verbosity"] > 1:
                self.stdout.write(f"Image {image.pk}: {image_made} renditions made.")
        self.stdout.write(
            self.style.SUCCESS(
                f"{made} renditions made, {removed} no longer needed removed"
                + (f", {unreadable} images unreadable." if unreadable else ".")
            )
        )
