"""Production, and the default of manage.py, mped/wsgi.py and mped/asgi.py: DEBUG off,
DJANGO_SECRET_KEY required, HTTPS only (plain HTTP redirected except /health/, HSTS for a year,
the proxy's X-Forwarded-Proto trusted), Secure cookies with __Host- names, staff powers only
after two-factor authentication, hashed and compressed static files (`collectstatic`), SMTP
email and JSON logs. Each default can still be changed from the environment (.env.example).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import (
    STORAGES,
    content_security_policy,
    cookie_names,
    env_bool,
    log_format,
    logging_config,
)

DEBUG = False
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "Set DJANGO_SECRET_KEY: the production settings (mped.settings.production, the default "
        "without DJANGO_DEBUG=1) need it."
    )

MPED_PAGE_CACHE_SECONDS = int(os.environ.get("MPED_PAGE_CACHE_SECONDS", "600"))
MPED_STAFF_REQUIRE_2FA = env_bool("DJANGO_STAFF_REQUIRE_2FA", default=True)
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Delivers what core.mail.SiteEmailBackend (EMAIL_BACKEND, base.py) hands it.
MPED_EMAIL_DELIVERY_BACKEND = os.environ.get(
    "DJANGO_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)

SECURE_SSL_REDIRECT = env_bool("DJANGO_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", default=True)
CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_NAME, CSRF_COOKIE_NAME = cookie_names(SESSION_COOKIE_SECURE)
CONTENT_SECURITY_POLICY = content_security_policy(upgrade_insecure_requests=SECURE_SSL_REDIRECT)

LOG_FORMAT = log_format(default="json")
LOGGING = logging_config(LOG_FORMAT)

MPED_SERVE_MEDIA = env_bool("DJANGO_SERVE_MEDIA", default=False)
