"""Storage for documents that must not have a public URL (report PDFs, article copies).

Files live under PRIVATE_MEDIA_ROOT, outside MEDIA_ROOT, and their URL is a view that checks
who may read them (see news/views.py: DocumentView)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.urls import reverse


class PrivateStorage(FileSystemStorage):
    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return str(settings.PRIVATE_MEDIA_ROOT)

    def url(self, name):
        return reverse("news:document", args=[name])


private_storage = PrivateStorage()


def get_private_storage():
    return private_storage
