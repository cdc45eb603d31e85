"""'Page Updated': the latest time anything shown on a page was changed."""

from collections.abc import Iterable

from django.utils import timezone


def changed_at(obj, now):
    """When an object last changed for readers: its last edit, or the moment a scheduled
    item went public if that came later."""
    stamps = [getattr(obj, "updated_at", None)]
    published_at = getattr(obj, "published_at", None)
    if published_at is not None and published_at <= now:
        stamps.append(published_at)
    return max((stamp for stamp in stamps if stamp is not None), default=None)


def latest_update(*sources):
    """The newest change among the given objects and iterables of objects.

    Views pass what they already fetched, so this costs no query.
    """
    now = timezone.now()
    latest = None
    for source in sources:
        objects = source if isinstance(source, Iterable) else [source]
        for obj in objects:
            stamp = changed_at(obj, now)
            if stamp is not None and (latest is None or stamp > latest):
                latest = stamp
    return latest
