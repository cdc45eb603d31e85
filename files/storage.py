"""Storage for documents that must not have a public URL (report PDFs, article copies).

They are stored by the "private" storage of settings.STORAGES: a folder outside MEDIA_ROOT
(PRIVATE_MEDIA_ROOT), or a private bucket or prefix on S3-compatible object storage (files/s3.py).
Their URL is a view that checks who may read them (see news/views.py: DocumentView)."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.core.signals import setting_changed
from django.urls import reverse
from django.utils.functional import LazyObject, empty

PRIVATE_STORAGE_ALIAS = "private"


class DocumentURLMixin:
    def url(self, name):
        return reverse("news:document", args=[name])


class PrivateStorage(DocumentURLMixin, FileSystemStorage):
    @property
    def base_location(self):
        return settings.PRIVATE_MEDIA_ROOT

    @property
    def location(self):
        return str(self.base_location)


class ConfiguredPrivateStorage(LazyObject):
    """The "private" storage of settings.STORAGES, looked up when first used (as Django's
    default_storage is), so that the fields that use it need no migration when it changes."""

    def _setup(self):
        self._wrapped = storages[PRIVATE_STORAGE_ALIAS]


private_storage = ConfiguredPrivateStorage()


def get_private_storage():
    return private_storage


def _storages_changed(*, setting, **kwargs):
    if setting == "STORAGES":
        private_storage._wrapped = empty


setting_changed.connect(_storages_changed)


def stored_files(storage, folder="", skip=()):
    """The names of all the files in `storage` under `folder`, at any depth, in order, through
    the storage API (the local disk or S3); subfolders named in `skip` are left out."""
    try:
        subfolders, files = storage.listdir(folder)
    except FileNotFoundError:  # nothing stored yet
        return
    prefix = f"{folder}/" if folder else ""
    for filename in sorted(files):
        yield prefix + filename
    for subfolder in sorted(subfolders):
        if subfolder not in skip:
            yield from stored_files(storage, prefix + subfolder, skip)
