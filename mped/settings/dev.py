"""A developer's machine (`make run`): DEBUG on, plain HTTP, emails printed on the console, plain
text logs, no page cache (template changes show at once), no two-factor requirement for staff,
static files and uploads served by Django itself, and a development secret key unless
DJANGO_SECRET_KEY is set. Each default can still be changed from the environment.

Used with DJANGO_SETTINGS_MODULE=mped.settings.dev, or DJANGO_DEBUG=1 when
DJANGO_SETTINGS_MODULE is unset (mped/settings/__init__.py).
"""

import os

from .base import *  # noqa: F403
from .base import (
    MPED_STORAGE,
    STORAGES,
    content_security_policy,
    cookie_names,
    env_bool,
    log_format,
    logging_config,
)

DEBUG = True
# Only for a developer's machine and the test suite, never in production.
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-development-only-key"

MPED_PAGE_CACHE_SECONDS = int(os.environ.get("MPED_PAGE_CACHE_SECONDS", "0"))
MPED_STAFF_REQUIRE_2FA = env_bool("DJANGO_STAFF_REQUIRE_2FA", default=False)
# The source files, without `collectstatic`.
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Emails, account confirmations included, are printed on the console.
# Delivers what core.mail.SiteEmailBackend (EMAIL_BACKEND, base.py) hands it.
MPED_EMAIL_DELIVERY_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"
)

SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "0"))
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = cookie_names(SESSION_COOKIE_SECURE)
CONTENT_SECURITY_POLICY = content_security_policy(upgrade_insecure_requests=SECURE_SSL_REDIRECT)

LOG_FORMAT = log_format(default="text")
LOGGING = logging_config(LOG_FORMAT)

MPED_SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=MPED_STORAGE == "local")
