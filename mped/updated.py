"""'Page Updated': the latest time anything shown on a page was changed."""

from collections.abc import Iterable


def latest_update(*sources):
    """The newest `updated_at` among the given objects and iterables of objects.

    Views pass what they already fetched, so this costs no query.
    """
    latest = None
    for source in sources:
        objects = source if isinstance(source, Iterable) else [source]
        for obj in objects:
            stamp = getattr(obj, "updated_at", None)
            if stamp is not None and (latest is None or stamp > latest):
                latest = stamp
    return latest
