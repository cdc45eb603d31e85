"""Storage on S3-compatible object storage (django-storages), for sites on several app
servers: MPED_STORAGE=s3 (see settings.STORAGES and docs/deploy.md)."""

from storages.backends.s3 import S3Storage

from .storage import DocumentURLMixin


class PrivateS3Storage(DocumentURLMixin, S3Storage):
    """Documents in a private bucket or prefix: never linked to directly, always served
    through DocumentView, which reads them with the storage API."""
