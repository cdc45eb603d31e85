"""The site's settings, one module per situation, all built on base.py:

- production.py: the real server (DEBUG off, DJANGO_SECRET_KEY required, HTTPS only);
- dev.py: a developer's machine (`make run`);
- test.py: the test suite (pytest, pyproject.toml).

Django reads the module named by DJANGO_SETTINGS_MODULE. When it is unset, manage.py,
mped/wsgi.py and mped/asgi.py pick one with use_default_settings(): the development settings
when DJANGO_DEBUG is on (1, true, yes, on), production otherwise. This package itself is not a
settings module.
"""

import os


def use_default_settings():
    """Set DJANGO_SETTINGS_MODULE, unless the environment names a module already."""
    debug = os.environ.get("DJANGO_DEBUG", "").strip().lower() in {"1", "true", "yes", "on"}
    os.environ.setdefault(
        "DJANGO_SETTINGS_MODULE", "mped.settings.dev" if debug else "mped.settings.production"
    )
