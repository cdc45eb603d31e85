"""The reader pages are valid HTML by the Nu HTML checker (vnu.jar, the W3C validator's engine,
run offline with Java; `npm ci --prefix tools/vnu` installs it), after content has been edited:
an edit is what gave <time datetime> its microseconds."""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import translation

from news.models import Kind, NewsItem
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality

from .helpers import ROOT, make_news

VNU_JAR = ROOT / "tools" / "vnu" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
LANGUAGES = ["en", "fr", "km"]


@pytest.fixture
def vnu():
    """The java command and the checker's jar. Skips without them, except in CI
    (MPED_REQUIRE_BROWSER=1 or CI set), where that is a failure."""
    java = os.environ.get("MPED_JAVA") or shutil.which("java")
    missing = []
    if not java:
        missing.append("java (Java 11 or later: apt-get install default-jre-headless)")
    if not VNU_JAR.exists():
        missing.append(f"{VNU_JAR.relative_to(ROOT)} (npm ci --prefix tools/vnu)")
    if missing:
        message = "The Nu HTML checker cannot run, missing: " + "; ".join(missing)
        if os.environ.get("MPED_REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return [java, "-Xss4m", "-jar", str(VNU_JAR)]


def check(vnu, pages):
    """The checker's errors in `pages` ({name: html}), one JVM run for all of them (it is slow
    to start): ["name:line:column: message", ...]."""
    with tempfile.TemporaryDirectory() as folder:
        for name, html in pages.items():
            (Path(folder) / f"{name}.html").write_text(html, encoding="utf-8")
        result = subprocess.run(
            [*vnu, "--errors-only", "--format", "json", folder],
            capture_output=True,
            text=True,
            timeout=600,
        )
        # The report is on stderr; the exit status is 1 when there are errors.
        report = json.loads(result.stderr or '{"messages": []}')
    errors = []
    for message in report["messages"]:
        name = Path(message.get("url", "")).name
        where = f"{name}:{message.get('lastLine', '?')}:{message.get('firstColumn', '?')}"
        extract = message.get("extract", "").strip().replace("\n", " ")
        errors.append(f"{where}: {message['message']} [{extract[:120]}]")
    return sorted(errors)


def edit_content():
    """What staff do: save every kind of content (dates with microseconds) and publish an item
    now."""
    for item in NewsItem.objects.all():
        item.save()
    for model in (ProgramPage, Municipality):
        for obj in model.objects.all():
            obj.save()
    SiteSettings.load().save()
    return make_news(
        "Women lead in the new commune councils",
        kind=Kind.NEWS,
        days_ago=0,
        summary="A story published a moment ago, with microseconds in its dates.",
    )


def reader_pages(client, fresh):
    report = NewsItem.objects.get(kind=Kind.REPORT, is_published=True)
    page = ProgramPage.objects.published().first()
    municipality = Municipality.objects.published().filter(news_items__isnull=False).first()
    pages = {}
    for language in LANGUAGES:
        with translation.override(language):
            paths = {
                "home": reverse("home"),
                "news": reverse("news:list"),
                "news-reports": reverse("news:list") + "?kind=report",
                "report": report.get_absolute_url(),
                "fresh-item": fresh.get_absolute_url(),
                "program": reverse("pages:list"),
                "program-page": page.get_absolute_url(),
                "partners": reverse("partners:list"),
                "municipality": municipality.get_absolute_url(),
                "search": reverse("search:results") + "?q=women",
                "open-data": reverse("partners:data"),
            }
        for name, path in paths.items():
            response = client.get(path)
            assert response.status_code == 200, path
            pages[f"{language}-{name}"] = response.content.decode()
    return pages


def test_reader_pages_are_valid_html_after_an_edit(client, demo, vnu):
    fresh = edit_content()
    pages = reader_pages(client, fresh)
    errors = check(vnu, pages)
    assert not errors, "The Nu HTML checker found:\n" + "\n".join(errors)


def test_the_checker_finds_what_it_should(vnu):
    # A page with the old microseconds: the test would see it.
    page = (
        '<!DOCTYPE html><html lang="en"><head><title>x</title></head><body>'
        '<time datetime="2026-05-14T09:00:00.123456+07:00">14 May 2026</time></body></html>'
    )
    errors = check(vnu, {"bad": page})
    assert len(errors) == 1 and "datetime" in errors[0], errors
