"""The test suite (pytest, pyproject.toml): DEBUG off as in production (page cache, HSTS, JSON
logs, SMTP email that pytest-django replaces with its outbox), but over plain HTTP (no redirect
to HTTPS, cookies without Secure and their plain names), staff without the two-factor
requirement (the tests that need it turn it on), the static source files without
`collectstatic`, and a development secret key unless DJANGO_SECRET_KEY is set.

Tests that start the site in a new process name the settings they want (production, dev) in
DJANGO_SETTINGS_MODULE.
"""

import os

from .base import *  # noqa: F403
from .base import (
    DATABASES,
    STORAGES,
    content_security_policy,
    cookie_names,
    env_bool,
    log_format,
    logging_config,
)

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or "django-insecure-development-only-key"

# The suite's SQLite database is in memory, shared by the test and the live server's thread
# (browser tests). There SQLite locks whole tables and does not wait for them, so development's
# IMMEDIATE transactions (base.py) would let a request still in flight lock the test's clean-up
# out. The file database's behaviour is tested in real processes (tests/test_sqlite_busy.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    _options = dict(DATABASES["default"].get("OPTIONS", {}))
    _options.pop("transaction_mode", None)
    DATABASES = {**DATABASES, "default": {**DATABASES["default"], "OPTIONS": _options}}

MPED_PAGE_CACHE_SECONDS = int(os.environ.get("MPED_PAGE_CACHE_SECONDS", "600"))
MPED_STAFF_REQUIRE_2FA = env_bool("DJANGO_STAFF_REQUIRE_2FA", default=False)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Delivers what core.mail.SiteEmailBackend (EMAIL_BACKEND, base.py) hands it.
MPED_EMAIL_DELIVERY_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)

SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = cookie_names(SESSION_COOKIE_SECURE)
CONTENT_SECURITY_POLICY = content_security_policy(upgrade_insecure_requests=SECURE_SSL_REDIRECT)

LOG_FORMAT = log_format(default="json")
LOGGING = logging_config(LOG_FORMAT)

MPED_SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=False)

# Renditions encoded once per photo and shape for the whole run (library/images.py): the demo
# content's photos are loaded by hundreds of tests.
MPED_RENDITION_MEMO = 512
