"""Settings common to every situation, read from the environment (every variable is listed in
`.env.example` and the README).

The settings whose defaults differ between a developer's machine, the test suite and production
are in dev.py, test.py and production.py, each listing the same ones in the same order: DEBUG,
SECRET_KEY, MPED_PAGE_CACHE_SECONDS, MPED_STAFF_REQUIRE_2FA, the static files' storage,
EMAIL_BACKEND, HTTPS (SECURE_SSL_REDIRECT, HSTS, SECURE_PROXY_SSL_HEADER), the cookies'
Secure flag and names, CONTENT_SECURITY_POLICY, the log format and MPED_SERVE_MEDIA. The helpers
at the end of this module build the ones that follow from another.
"""

import os
from email.utils import getaddresses
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from js_asset import Script

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default=""):
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Before the admin, whose forms it changes: a column per language for content fields.
    "modeltranslation",
    "django.contrib.admin",
    # Before django.contrib.auth: its createsuperuser (accounts/management/commands/) replaces
    # Django's, so that the new superuser's email address is confirmed.
    "accounts",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "crispy_forms",
    "crispy_bootstrap5",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "reversion",
    "reversion_compare",
    "django_prose_editor",
    # Staff import municipalities from a CSV file in the admin (partners/resources.py).
    "import_export",
    "core",
    "files",
    # The media library: images and documents uploaded once, chosen wherever one is shown.
    "library",
    "pages",
    "partners",
    "news",
    "search",
    "reviews",
    "redirects",
    # The public site: the home page, sitemap, structured data, the demo-content commands.
    "website",
    # The staff workflow: the dashboard, the publishing admin, the revision admin.
    "editorial",
    # Backup, restore, cleanup_files, the health check, logging, request middleware.
    "ops",
]

MIDDLEWARE = [
    # First: every log line of a request, other middleware's too, carries its id.
    "ops.middleware.RequestIdMiddleware",
    # /health/ for load balancers, before host checks, HTTPS redirects and the page cache.
    "ops.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Scheduled drafts of live items whose time has come are published first (one cache get
    # when none is due), so the page and the page cache below already show them.
    "editorial.drafts.DueDraftsMiddleware",
    # Outside the page cache, which stores plain pages: each response that carries no secret
    # (anonymous, no CSRF token, no cookie set) is compressed for its reader (core/compression.py).
    "core.compression.PublicCompressionMiddleware",
    # Before sessions and users: a cached public page is served without touching either.
    # Public pages' policy has no nonce (core/security.py), so a page is stored with its
    # Content-Security-Policy and Permissions-Policy headers and a hit skips building them.
    "core.cache.PublicPageCacheMiddleware",
    "core.security.CSPMiddleware",
    "core.security.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Old addresses (redirects/middleware.py): after LocaleMiddleware in this list, so it sees a
    # 404 before LocaleMiddleware turns an address without a language into a redirect to the
    # reader's language (one hop for an old unprefixed link); CommonMiddleware, below it, sees
    # the 404 first and adds a missing slash. Only 404s are looked at, as Django's own
    # RedirectFallbackMiddleware does: a live page always wins over a redirect.
    "redirects.middleware.RedirectMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Right after AuthenticationMiddleware, which gives it the user: the staff member's own time
    # zone is active in the admin for everything below it, views, templates and messages.
    "editorial.middleware.StaffTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.security.StaffTwoFactorMiddleware",
    # Last, so it sees a view's error first: a database still busy after the wait answers 503.
    "ops.dbbusy.DatabaseBusyMiddleware",
    # A NUL in the path is a 404 in the site's layout, before any view looks it up.
    "ops.bad_addresses.NulInAddressMiddleware",
    # Innermost: its transaction wraps only the admin list's view and template, and a filter
    # value the database cannot take becomes a 400 there (editorial/admin_errors.py).
    "editorial.admin_errors.AdminListFilterErrorMiddleware",
]

ROOT_URLCONF = "mped.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "pages.context_processors.site",
                "website.context_processors.menus",
            ],
        },
    },
]

WSGI_APPLICATION = "mped.wsgi.application"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite with the task worker beside the web server (`make run`): in WAL mode readers and
    # the one writer do not block each other; IMMEDIATE transactions take the write lock at
    # BEGIN, waiting up to `timeout` seconds for it, where a DEFERRED one that read first fails
    # at once when another process holds the lock (the busy timeout does not apply to that
    # upgrade). A database still busy after the wait answers 503 (ops/dbbusy.py). The wait
    # can be set in DATABASE_URL: sqlite:///db.sqlite3?timeout=5 (seconds).
    sqlite_options = DATABASES["default"].setdefault("OPTIONS", {})
    sqlite_options.setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL")
    sqlite_options.setdefault("transaction_mode", "IMMEDIATE")
    sqlite_options["timeout"] = float(sqlite_options.get("timeout", 20))

# Redis when REDIS_URL is set (needed with more than one server process: the page cache, rate
# limits and sessions are shared through it), local memory otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
CACHES = {
    "default": {
        # Django's Redis backend, reusing its redis-py clients (see core/cache.py).
        "BACKEND": "core.cache.RedisCache"
        if REDIS_URL
        else "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": REDIS_URL or "mped",
        "KEY_PREFIX": os.environ.get("MPED_CACHE_PREFIX", "mped"),
        "TIMEOUT": 300,
        # A Redis server that stops answering must not hold requests for long.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1} if REDIS_URL else {},
    }
}
# Sessions are read from the cache, and from the database only when the cache lost them.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# MPED_PAGE_CACHE_SECONDS, how long a public page is kept for anonymous readers (core/cache.py),
# is set by dev.py, test.py and production.py.

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    # Older hashes still verify, and are upgraded to Argon2 at the next login.
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:overview"
LOGOUT_REDIRECT_URL = "home"

# django-allauth: sign up with an email address, confirmed before the first login.
# https://docs.allauth.org/en/latest/account/configuration.html
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.ProfileSignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = 3
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_MAX_EMAIL_ADDRESSES = 3
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[MPED] "
ACCOUNT_USER_DISPLAY = "accounts.models.display_name"
# The client's address for rate limits, the per-account lock-out key, and email links built on
# MPED_SITE_URL instead of the request's Host (accounts/adapter.py).
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
# Behind a reverse proxy every request comes from the proxy's address: tell allauth how many
# proxies of ours add to X-Forwarded-For (or which header one sets to the client's address),
# so that limits count per client. 0, the default, ignores X-Forwarded-For, which a client
# could forge. https://docs.allauth.org/en/latest/common/configuration.html
_proxy_count = os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0").strip()
if not (_proxy_count.isascii() and _proxy_count.isdigit()):
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be a whole number, 0 or more.")
ALLAUTH_TRUSTED_PROXY_COUNT = int(_proxy_count)
ALLAUTH_TRUSTED_CLIENT_IP_HEADER = os.environ.get("DJANGO_CLIENT_IP_HEADER", "").strip() or None
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, kept explicit: failed logins per address and per account,
    # signups and password-reset emails per address.
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "manage_email": "10/m/user",
    "change_password": "5/m/user",
    "confirm_email": "1/3m/key",
}

# Two-factor authentication (allauth.mfa): an authenticator app, with recovery codes.
# https://docs.allauth.org/en/latest/mfa/configuration.html
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "MPED"
# Staff who must use it turn it off only in a session that used it (accounts/adapter.py).
MFA_ADAPTER = "accounts.adapter.MFAAdapter"
# Whether staff have no staff powers until this session used it (MPED_STAFF_REQUIRE_2FA,
# core/security.py) is set by dev.py, test.py and production.py.

# django-prose-editor: the rich-text editor starts from our script, which lets it run under the
# admin's Content-Security-Policy (core/static/js/rich-text-editor.js).
DJANGO_PROSE_EDITOR_PRESETS = {"mped": [Script("js/rich-text-editor.js", type="module")]}

# django-reversion-compare: "compare" buttons in each item's history.
ADD_REVERSION_ADMIN = True

# django-import-export (the municipalities' CSV import): a confirmed import runs in one
# transaction, all rows or none; importing needs the model's "add" permission (and "change",
# partners/admin.py).
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"

# Background work (alert emails) through the django-tasks backport of Django 6's tasks,
# kept in the database and run by `manage.py db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Attempts for an alert email that the mail server refuses, before it is left as failed.
MPED_ALERT_MAX_ATTEMPTS = int(os.environ.get("MPED_ALERT_MAX_ATTEMPTS", "5"))
# The site's public address, for links in emails sent outside a request.
MPED_SITE_URL = os.environ.get("MPED_SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How many days the link in a staff invitation works (accounts/invitations.py).
MPED_INVITATION_DAYS = 7

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", "Français"), ("km", "ខ្មែរ")]
# Content in each language (django-modeltranslation, the `translation.py` of each app): a column
# per language, `title_en`, `title_fr`, `title_km`. Readers see English where a translation is
# missing, marked as such (core/templatetags/translated.py).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
# Slugs stay one per item, made from the English title whatever the admin's language.
MODELTRANSLATION_PREPOPULATE_LANGUAGE = "en"
# The interface's catalogues (`make messages` compiles them): locale/ is ours, kept up to date by
# makemessages; locale_vendor/ is written by hand and fills in Khmer for django-allauth's and
# Django's strings on our pages, which those packages do not translate (docs/languages.md).
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_vendor"]
# Our own date and number formats per language (the seed page writes 18/05/2016).
FORMAT_MODULE_PATH = ["core.formats"]
# 1,621 in English, 1 621 in French. Numbers that are not quantities (years, ids, sizes in
# HTML attributes) go through |unlocalize in the templates.
USE_THOUSAND_SEPARATOR = True
# The site's time zone: readers see every date in it, and staff who chose no zone of their own
# (accounts.User.time_zone, active in the admin only: editorial/middleware.py). The program's
# councils, and most of its readers, are in Cambodia.
TIME_ZONE = os.environ.get("DJANGO_TIME_ZONE", "Asia/Phnom_Penh")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("DJANGO_STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", BASE_DIR / "media"))
# Documents (report PDFs, article copies) live outside MEDIA_ROOT and are served by a view
# that checks who may read them: members-only files have no public URL.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("DJANGO_PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Documents (files/storage.py): PRIVATE_MEDIA_ROOT, or a private bucket or prefix below.
    "private": {"BACKEND": "files.storage.PrivateStorage"},
    # "staticfiles" is added by dev.py, test.py and production.py.
}

# Uploads on this machine's disk ("local"), or on S3-compatible object storage ("s3") so that
# several app servers share them. Credentials are not settings: django-storages (boto3) reads
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the environment, or uses the machine's role.
MPED_STORAGE = os.environ.get("MPED_STORAGE", "local").strip().lower()
if MPED_STORAGE == "s3":
    if not os.environ.get("AWS_STORAGE_BUCKET_NAME"):
        raise ImproperlyConfigured("Set AWS_STORAGE_BUCKET_NAME when MPED_STORAGE is s3.")
    _S3_OPTIONS = {
        "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        # Never replace a stored file: earlier versions (django-reversion) still point at it.
        "file_overwrite": False,
    }
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            **_S3_OPTIONS,
            "location": "media",
            # Empty for buckets without ACLs, made public by a bucket policy or a CDN instead.
            "default_acl": os.environ.get("AWS_DEFAULT_ACL", "public-read") or None,
            "querystring_auth": False,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
        },
    }
    # Where the public media are read from, as django-storages writes their URLs (and so the
    # origin the Content-Security-Policy must allow for images).
    if STORAGES["default"]["OPTIONS"]["custom_domain"]:
        MEDIA_URL = f"https://{STORAGES['default']['OPTIONS']['custom_domain']}/media/"
    elif _S3_OPTIONS["endpoint_url"]:
        MEDIA_URL = f"{_S3_OPTIONS['endpoint_url'].rstrip('/')}/{_S3_OPTIONS['bucket_name']}/media/"
    else:
        MEDIA_URL = f"https://{_S3_OPTIONS['bucket_name']}.s3.amazonaws.com/media/"
    STORAGES["private"] = {
        "BACKEND": "files.s3.PrivateS3Storage",
        "OPTIONS": {
            **_S3_OPTIONS,
            "bucket_name": os.environ.get("AWS_PRIVATE_STORAGE_BUCKET_NAME")
            or _S3_OPTIONS["bucket_name"],
            "location": "private",
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
elif MPED_STORAGE != "local":
    raise ImproperlyConfigured("MPED_STORAGE must be local or s3.")

# Uploads: the largest report PDF and image staff may upload, in bytes.
MPED_MAX_PDF_BYTES = int(os.environ.get("MPED_MAX_PDF_BYTES", 25 * 1024 * 1024))
MPED_MAX_IMAGE_BYTES = int(os.environ.get("MPED_MAX_IMAGE_BYTES", 10 * 1024 * 1024))
MPED_NEWS_PER_PAGE = 10

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Every email gets a Message-ID from the site's domain (core/mail.py), then goes through the
# backend that delivers it, DJANGO_EMAIL_BACKEND (MPED_EMAIL_DELIVERY_BACKEND, set by dev.py,
# test.py and production.py). The test suite's mail.outbox replaces EMAIL_BACKEND as Django does.
EMAIL_BACKEND = "core.mail.SiteEmailBackend"
MPED_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = os.environ.get("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("DJANGO_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS")
# The sender of every email; its name is what inboxes show, so give the site's full name.
DEFAULT_FROM_EMAIL = os.environ.get(
    "DJANGO_DEFAULT_FROM_EMAIL", "Municipal Partners for Economic Development <noreply@localhost>"
)
# Who is emailed the details of a server error (500): "Name <a@example.org>, b@example.org".
ADMINS = [entry for entry in getaddresses([os.environ.get("DJANGO_ADMINS", "")]) if any(entry)]
if any("@" not in address for _name, address in ADMINS):
    raise ImproperlyConfigured("DJANGO_ADMINS: write addresses as 'Name <a@b.org>, c@d.org'.")
# The sender of those error emails.
SERVER_EMAIL = os.environ.get("DJANGO_SERVER_EMAIL", DEFAULT_FROM_EMAIL)

# Security headers and cookies (docs/security.md). HTTPS (SECURE_SSL_REDIRECT, HSTS's duration
# and preload, SECURE_PROXY_SSL_HEADER) and the cookies' Secure flag and names are set by dev.py,
# test.py and production.py: production is served over HTTPS only, development and the test suite
# talk plain HTTP.
# The load balancer's health check may come in over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
MPED_PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF token from its cookie: forms carry it.
CSRF_COOKIE_HTTPONLY = True
# The site never sets the language cookie (the language is in the address), but reads it.
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

# Logs go to standard output, one JSON object per line (ops/logging.py), or as plain text lines
# for a developer's console (DJANGO_LOG_FORMAT=text, the default in dev.py). LOG_FORMAT and
# LOGGING are set by dev.py, test.py and production.py, with logging_config() below.
LOG_LEVEL = os.environ.get("DJANGO_LOG_LEVEL", "INFO").upper()

# The 404 log (redirects app) keeps the addresses asked for most, up to this many rows: bots
# asking for endless made-up addresses cannot fill the database.
MPED_NOT_FOUND_LOG_ROWS = 2000

# Where the staff admin lives; change it to keep bots away from the login page.
MPED_ADMIN_URL = os.environ.get("DJANGO_ADMIN_URL", "admin/").strip("/") + "/"
# Whether Django serves uploaded files itself (MPED_SERVE_MEDIA: development, or a single small
# server) is set by dev.py, test.py and production.py.


# Helpers for dev.py, test.py and production.py: the settings that follow from another one.


def cookie_names(secure):
    """The session and CSRF cookies' names. Secure cookies get the __Host- prefix: browsers then
    keep them only from HTTPS, for this host alone (no Domain) and the whole site (Path=/), so a
    subdomain cannot set or shadow them. Plain names over plain HTTP (development, tests), where
    browsers refuse prefixed cookies."""
    if secure:
        return "__Host-sessionid", "__Host-csrftoken"
    return "sessionid", "csrftoken"


def content_security_policy(upgrade_insecure_requests):
    """django-csp: no inline scripts or styles anywhere, and nothing from other hosts (uploads
    too, unless MEDIA_URL names another host). The staff admin adds a nonce (core/security.py).
    Browsers are told to upgrade plain-HTTP links where the site redirects to HTTPS.
    https://django-csp.readthedocs.io/en/latest/configuration.html"""
    media_host = urlsplit(MEDIA_URL)
    return {
        "DIRECTIVES": {
            "default-src": [SELF],
            "script-src": [SELF],
            "style-src": [SELF],
            "img-src": [SELF, "data:"]
            + ([f"{media_host.scheme}://{media_host.netloc}"] if media_host.netloc else []),
            "font-src": [SELF],
            "connect-src": [SELF],
            "object-src": [NONE],
            "base-uri": [SELF],
            "form-action": [SELF],
            "frame-ancestors": [NONE],
            "upgrade-insecure-requests": upgrade_insecure_requests,
        }
    }


def log_format(default):
    """DJANGO_LOG_FORMAT, json or text, else `default`."""
    value = os.environ.get("DJANGO_LOG_FORMAT", default).strip().lower()
    if value not in {"json", "text"}:
        raise ImproperlyConfigured("DJANGO_LOG_FORMAT must be json or text.")
    return value


def logging_config(log_format):
    """Logging to standard output in `log_format` (json or text), every line with its request's
    id, and server errors emailed to ADMINS as well."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": "ops.logging.RequestIdFilter"},
            "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        },
        "formatters": {
            "json": {"()": "ops.logging.JsonFormatter"},
            "text": {
                "class": "ops.logging.TextFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stdout",
                "formatter": log_format,
                "filters": ["request_id"],
            },
            "null": {"class": "logging.NullHandler"},
            "mail_admins": {
                "class": "django.utils.log.AdminEmailHandler",
                "level": "ERROR",
                "filters": ["require_debug_false"],
            },
        },
        "root": {"handlers": ["console"], "level": LOG_LEVEL},
        "loggers": {
            # Django's own logging adds handlers to these; here everything goes through the
            # root's console handler, and server errors to the admins as well (when ADMINS is
            # set).
            "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
            "django.request": {"handlers": ["mail_admins"], "propagate": True},
            # runserver's line per request: mped.request writes one already.
            "django.server": {"handlers": ["null"], "propagate": False},
        },
    }
