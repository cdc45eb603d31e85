"""Running the site on servers: the health check, request ids and structured logs, error emails
to the admins, and uploads kept through the storage API (so media can live on S3-compatible
object storage, shared by several app servers)."""

import io
import json
import re

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.core.files.storage import InMemoryStorage, default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import path, reverse

from files.storage import DocumentURLMixin, private_storage
from library.models import Image as LibraryImage
from mped.urls import urlpatterns as site_urlpatterns
from news.models import Kind, NewsItem

from .helpers import PDF_BYTES, image_bytes, make_news, manage, pdf_url, report_document


def boom(request):
    raise RuntimeError("Something broke in a view")


# A test-only URLconf (this module, with pytest.mark.urls): the site and a view that fails.
# (The site's own patterns spliced in: i18n_patterns cannot be include()d.)
urlpatterns = [path("boom/", boom), *site_urlpatterns]


def in_subprocess(code, env=None):
    """Run `code` in `manage.py shell` (a new process, so settings are read from `env`)."""
    return manage("shell", "--no-imports", "-v", "0", "-c", code, env=env)


# Health ------------------------------------------------------------------------------------------


def test_health_answers_ok_without_a_session_or_caching(client, db):
    response = client.get("/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Content-Type"] == "application/json"
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies
    assert "Cookie" not in response.get("Vary", "")
    assert reverse("health") == "/health/"


def test_health_answers_head_and_refuses_other_methods(client, db):
    assert client.head("/health/").status_code == 200
    for method in (client.post, client.put, client.delete):
        response = method("/health/")
        assert response.status_code == 405
        assert response["Allow"] == "GET, HEAD"


def test_health_answers_a_load_balancer_asking_by_address_over_http(client, db, settings):
    settings.ALLOWED_HOSTS = ["mped.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/health/", HTTP_HOST="10.0.3.7:8000")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    # Every other page still checks the host and redirects to HTTPS.
    assert client.get("/", HTTP_HOST="10.0.3.7:8000").status_code == 400
    assert client.get("/", HTTP_HOST="mped.example.org").status_code == 301


def test_health_reports_an_unreachable_cache_with_503_and_no_email(client, db, settings):
    settings.ADMINS = [("Ops", "ops@example.org")]
    # Redis on a port where nothing listens.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "ok", "cache": "error"}
    assert "no-store" in response["Cache-Control"]
    assert mail.outbox == [], "a load balancer asks every few seconds: no email each time"


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:1/mped",  # a port where nothing listens
        "sqlite:////nonexistent-folder/mped.sqlite3",  # a database that cannot be opened
    ],
)
def test_health_reports_an_unreachable_database_with_503(database_url):
    result = in_subprocess(
        "from django.test import Client\n"
        "response = Client().get('/health/')\n"
        "print('RESULT', response.status_code, response.content.decode())\n",
        env={"DATABASE_URL": database_url, "DJANGO_LOG_FORMAT": "json"},
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("RESULT"))
    status, body = line.split(" ", 2)[1:]
    assert status == "503"
    assert json.loads(body) == {"status": "error", "database": "error", "cache": "ok"}
    logged = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    failure = next(entry for entry in logged if entry["logger"] == "mped.health")
    assert failure["level"] == "WARNING" and "database" in failure["message"]


# Request ids and logs --------------------------------------------------------------------------


def test_a_valid_incoming_request_id_is_kept_and_sent_back(client, db):
    response = client.get("/health/", headers={"X-Request-ID": "lb-7f3a.2026:11-25_01"})
    assert response["X-Request-ID"] == "lb-7f3a.2026:11-25_01"


@pytest.mark.parametrize(
    "incoming", ["", "has spaces", "<script>", "x" * 129, "semi;colon", "ünïcode", "a\nb"]
)
def test_an_invalid_request_id_is_replaced_by_a_new_one(client, db, incoming):
    response = client.get("/health/", HTTP_X_REQUEST_ID=incoming)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_each_request_gets_its_own_id(client, db):
    ids = {client.get("/health/")["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


def test_every_log_line_is_json_with_the_request_id():
    result = in_subprocess(
        "import logging\n"
        "from django.test import Client\n"
        "Client().post('/health/', headers={'X-Request-ID': 'trace-42'})\n"
        "logging.getLogger('mped.example').info(\n"
        "    'Outside a request, with \"quotes\"\\nand a line')\n",
        env={"DJANGO_LOG_FORMAT": "json"},
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    entries = [json.loads(line) for line in lines]  # every line on stdout is one JSON object
    assert all(
        {"time", "level", "logger", "message", "request_id"} <= entry.keys() for entry in entries
    )
    access = next(entry for entry in entries if entry["logger"] == "mped.request")
    assert access["request_id"] == "trace-42"
    assert access["method"] == "POST" and access["path"] == "/health/"
    assert access["status"] == 405 and isinstance(access["duration_ms"], float)
    refused = next(entry for entry in entries if entry["logger"] == "django.request")
    assert refused["request_id"] == "trace-42" and refused["level"] == "WARNING"
    outside = next(entry for entry in entries if entry["logger"] == "mped.example")
    assert outside["request_id"] is None
    assert outside["message"] == 'Outside a request, with "quotes"\nand a line'


def test_text_logs_for_a_developers_console():
    result = in_subprocess(
        "from django.test import Client\n"
        "Client().post('/health/', headers={'X-Request-ID': 'trace-43'})\n",
        env={"DJANGO_LOG_FORMAT": "text"},
    )
    assert result.returncode == 0, result.stderr
    assert re.search(
        r" INFO mped\.request \[trace-43\] POST /health/ 405 [\d.]+ms$", result.stdout, re.M
    )
    debug = in_subprocess(
        "from django.conf import settings; print(settings.LOG_FORMAT)",
        env={"DJANGO_SETTINGS_MODULE": "mped.settings.dev"},
    )
    assert debug.stdout.strip() == "text"
    production = in_subprocess("from django.conf import settings; print(settings.LOG_FORMAT)")
    assert production.stdout.strip() == "json"
    wrong = manage("check", env={"DJANGO_LOG_FORMAT": "xml"})
    assert wrong.returncode != 0 and "DJANGO_LOG_FORMAT" in wrong.stderr


def test_healthy_checks_stay_out_of_the_access_log_but_others_are_logged(client, db, caplog):
    caplog.set_level("INFO", logger="mped.request")
    client.get("/health/")
    client.get("/en/news/", headers={"X-Request-ID": "reader-1"})
    records = [record for record in caplog.records if record.name == "mped.request"]
    assert [record.path for record in records] == ["/en/news/"]
    assert records[0].status == 200 and records[0].method == "GET"
    assert records[0].request_id == "reader-1"


def test_django_logs_a_not_found_page_with_its_request_id(client, db, caplog):
    # Django logs a 404 after the middleware has finished: the id comes from the request.
    client.get("/no-such-page/", headers={"X-Request-ID": "lost-reader"})
    (not_found,) = [record for record in caplog.records if record.name == "django.request"]
    assert not_found.getMessage() == "Not Found: /no-such-page/"
    assert not_found.request_id == "lost-reader"


@pytest.mark.urls("tests.test_operations")
def test_a_server_error_is_emailed_to_the_admins_and_logged_with_its_request_id(
    db, settings, caplog
):
    settings.ADMINS = [("Web team", "webteam@example.org"), ("", "ops@example.org")]
    settings.SERVER_EMAIL = "MPED errors <errors@example.org>"
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", headers={"X-Request-ID": "failing-1"})
    assert response.status_code == 500
    assert response["X-Request-ID"] == "failing-1"
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["webteam@example.org", "ops@example.org"]
    assert email.from_email == "MPED errors <errors@example.org>"
    assert "Internal Server Error: /boom/" in email.subject
    assert "Something broke in a view" in email.body
    error = next(record for record in caplog.records if record.name == "django.request")
    assert error.levelname == "ERROR" and error.request_id == "failing-1"


@pytest.mark.urls("tests.test_operations")
def test_no_error_email_without_admins(db, settings):
    settings.ADMINS = []
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    assert mail.outbox == []


def test_admins_and_the_error_sender_come_from_the_environment():
    code = (
        "import json; from django.conf import settings\n"
        "print(json.dumps([settings.ADMINS, settings.SERVER_EMAIL]))\n"
    )
    result = in_subprocess(
        code,
        env={
            "DJANGO_ADMINS": "Web Team <web@example.org>, ops@example.org",
            "DJANGO_SERVER_EMAIL": "errors@example.org",
        },
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == [
        [["Web Team", "web@example.org"], ["", "ops@example.org"]],
        "errors@example.org",
    ]
    default = in_subprocess(code, env={"DJANGO_DEFAULT_FROM_EMAIL": "MPED <noreply@example.org>"})
    assert json.loads(default.stdout) == [[], "MPED <noreply@example.org>"]
    wrong = manage("check", env={"DJANGO_ADMINS": "webteam"})
    assert wrong.returncode != 0 and "DJANGO_ADMINS" in wrong.stderr


# Storage -----------------------------------------------------------------------------------------

S3_ENV = {
    "MPED_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "mped-media",
    "AWS_S3_ENDPOINT_URL": "https://objects.example.net",
    "AWS_S3_REGION_NAME": "ca-central-1",
    "AWS_ACCESS_KEY_ID": "AKIAEXAMPLEKEY",
    "AWS_SECRET_ACCESS_KEY": "never-shown-secret-0123456789",
}


def test_s3_storage_is_configured_from_the_environment_without_secrets_in_settings():
    result = manage("diffsettings", env=S3_ENV)
    assert result.returncode == 0, result.stderr
    storages_line = next(
        line for line in result.stdout.splitlines() if line.startswith("STORAGES = ")
    )
    assert "'BACKEND': 'storages.backends.s3.S3Storage'" in storages_line
    assert "'BACKEND': 'files.s3.PrivateS3Storage'" in storages_line
    assert "'bucket_name': 'mped-media'" in storages_line
    assert "'endpoint_url': 'https://objects.example.net'" in storages_line
    assert "never-shown-secret" not in result.stdout
    assert "AKIAEXAMPLEKEY" not in result.stdout


def test_s3_storages_keep_documents_private_and_media_public():
    # Building URLs needs no network: public ones are plain, documents go through our view.
    code = (
        "import json\n"
        "from django.conf import settings\n"
        "from django.core.files.storage import storages\n"
        "from files.storage import private_storage\n"
        "from library.models import Document\n"
        "def described(storage, name):\n"
        "    return [type(storage).__name__, storage.bucket_name, storage.location,\n"
        "            storage.default_acl, storage.querystring_auth, storage.file_overwrite,\n"
        "            storage.url(name)]\n"
        "print(json.dumps({\n"
        "    'public': described(storages['default'], 'news/images/2026/a.jpg'),\n"
        "    'private': described(storages['private'], 'news/reports/2026/a.pdf'),\n"
        "    'field': Document._meta.get_field('file').storage._wrapped is storages['private'],\n"
        "    'media_url': settings.MEDIA_URL,\n"
        "    'csp_images': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'],\n"
        "}))\n"
    )
    result = in_subprocess(code, env=S3_ENV)
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    assert found["public"] == [
        "S3Storage",
        "mped-media",
        "media",
        "public-read",
        False,
        False,
        "https://objects.example.net/mped-media/media/news/images/2026/a.jpg",
    ]
    assert found["private"] == [
        "PrivateS3Storage",
        "mped-media",
        "private",
        "private",
        True,
        False,
        "/en/news/documents/news/reports/2026/a.pdf",
    ]
    assert found["field"] is True
    # Pages show images from the bucket: the Content-Security-Policy allows its origin.
    assert found["media_url"] == "https://objects.example.net/mped-media/media/"
    assert "https://objects.example.net" in found["csp_images"]

    behind_a_cdn = in_subprocess(
        code,
        env={
            **S3_ENV,
            "AWS_S3_CUSTOM_DOMAIN": "media.mped.example.org",
            "AWS_DEFAULT_ACL": "",
            "AWS_PRIVATE_STORAGE_BUCKET_NAME": "mped-documents",
        },
    )
    found = json.loads(behind_a_cdn.stdout)
    assert found["public"][3] is None
    assert found["public"][6] == "https://media.mped.example.org/media/news/images/2026/a.jpg"
    assert found["private"][1] == "mped-documents"
    assert found["private"][6] == "/en/news/documents/news/reports/2026/a.pdf"
    assert found["media_url"] == "https://media.mped.example.org/media/"
    assert "https://media.mped.example.org" in found["csp_images"]

    on_aws = json.loads(in_subprocess(code, env={**S3_ENV, "AWS_S3_ENDPOINT_URL": ""}).stdout)
    assert on_aws["public"][6] == "https://mped-media.s3.amazonaws.com/media/news/images/2026/a.jpg"
    assert on_aws["media_url"] == "https://mped-media.s3.amazonaws.com/media/"


def test_s3_storage_needs_a_bucket_and_a_known_storage_name():
    missing = manage("check", env={**S3_ENV, "AWS_STORAGE_BUCKET_NAME": ""})
    assert missing.returncode != 0 and "AWS_STORAGE_BUCKET_NAME" in missing.stderr
    unknown = manage("check", env={"MPED_STORAGE": "ftp"})
    assert unknown.returncode != 0 and "MPED_STORAGE" in unknown.stderr


class PrivateInMemoryStorage(DocumentURLMixin, InMemoryStorage):
    """Documents in memory: like object storage, a storage with no local path."""


def test_uploads_work_with_storage_that_has_no_local_files(client, db, settings):
    """PDF pages and first-page pictures, image sizes and renditions, the document view,
    cleanup_files and backups all go through the storage API: Django's in-memory storage has
    no path() for anything to fall back on."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "private": {"BACKEND": "tests.test_operations.PrivateInMemoryStorage"},
    }
    report = make_news("Stored elsewhere", kind=Kind.REPORT)
    field = LibraryImage(title="A red field", alt_en="A red field")
    field.file.save("field.png", ContentFile(image_bytes((900, 600))), save=False)
    field.save()
    pictured = NewsItem(title="With a picture", slug="with-a-picture", summary="S.", image=field)
    pictured.is_published = True
    pictured.published_at = report.published_at
    pictured.save()

    assert isinstance(private_storage._wrapped, PrivateInMemoryStorage)
    assert isinstance(default_storage._wrapped, InMemoryStorage)
    report.refresh_from_db()
    assert report_document(report).pages == 1 and report_document(report).thumbnail
    assert private_storage.exists(report_document(report).file.name)
    assert private_storage.exists(report_document(report).thumbnail.name)
    field.refresh_from_db()
    assert (field.width, field.height) == (900, 600)
    renditions = [rendition.file.name for rendition in field.renditions.all()]
    assert renditions and all(default_storage.exists(name) for name in renditions)

    page = client.get(pictured.get_absolute_url())
    assert page.status_code == 200
    assert "/media/library/renditions/" in page.content.decode()
    download = client.get(pdf_url(report))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES
    assert client.get(report_document(report).thumbnail_url)["Content-Type"] == "image/webp"

    private_storage.save("news/reports/orphan.pdf", ContentFile(PDF_BYTES))
    out = io.StringIO()
    call_command("cleanup_files", stdout=out)
    assert "news/reports/orphan.pdf" in out.getvalue()
    assert not private_storage.exists("news/reports/orphan.pdf")
    assert private_storage.exists(report_document(report).file.name)
