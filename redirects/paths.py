"""Addresses as redirects store and match them.

Paths are kept percent-encoded (`canonical`), as browsers send them, so that a typed
"/program/léd/" and a requested "/program/l%C3%A9d/" are the same row. A path without a language
prefix ("/news/old/") is *language-neutral*: it stands for /en/news/old/, /fr/news/old/ and
/km/news/old/ at once."""

from urllib.parse import unquote

from django.conf import settings
from django.utils.encoding import escape_uri_path


def language_codes():
    return [code for code, _name in settings.LANGUAGES]


def canonical(path):
    """The percent-encoded form of a path, however it was typed."""
    return escape_uri_path(unquote(path))


def split_language(path):
    """(language, the path without it): ("fr", "/news/x/") for "/fr/news/x/", (None, path) for
    a path without a language prefix."""
    parts = path.split("/", 2)
    if len(parts) >= 2 and parts[1] in language_codes():
        return parts[1], "/" + (parts[2] if len(parts) > 2 else "")
    return None, path


def neutral(path):
    return split_language(path)[1]


def is_site_path(target):
    return target.startswith("/")


def in_language(target, language):
    """Where a redirect's target leads a request in `language`: a language-neutral path on this
    site gets the language; a path with its own language, or an address elsewhere, stays."""
    if language and is_site_path(target) and split_language(target)[0] is None:
        return f"/{language}{target}"
    return target


def candidates(path):
    """The `old_path` values that answer a request for `path`, best first: the path as it is,
    then without its language, then each with a slash added."""
    found = [path]
    without = neutral(path)
    if without != path:
        found.append(without)
    if not path.endswith("/"):
        found += [candidate + "/" for candidate in found]
    return found


def is_admin_path(path):
    return path.startswith("/" + settings.MPED_ADMIN_URL)


def is_asset_path(path):
    """Static files and uploads: their 404s are not worth a row in the 404 log."""
    prefixes = [settings.STATIC_URL, settings.MEDIA_URL]
    return any(prefix.startswith("/") and path.startswith(prefix) for prefix in prefixes)
