"""SiteSettings.load(): the row is read once per content version (kept in the cache), made only
when it is missing, and an edit in the admin shows on the next page, cached or not."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pages.models import SiteSettings

from .helpers import admin_form_data, form_errors, markup


def settings_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in queries if "pages_sitesettings" in q["sql"]]


@pytest.mark.parametrize("url", ["/en/", "/en/news/", "/en/partners/", "/en/news/?kind=report"])
def test_an_uncached_page_does_not_read_the_settings_in_the_steady_state(staff_client, demo, url):
    # An anonymous reader's request starts the content version (the page cache's middleware);
    # a logged-in reader's pages are rendered for them, with the settings from the cache.
    Client().get("/en/")
    staff_client.get("/en/")
    assert settings_queries(staff_client, url) == []


@pytest.mark.usefixtures("uncached")
def test_a_missing_row_is_made_and_the_common_path_makes_nothing(client, db):
    SiteSettings.objects.all().delete()
    first = settings_queries(client, "/en/news/")
    assert SiteSettings.objects.count() == 1
    assert any(sql.lstrip().upper().startswith("INSERT") for sql in first)
    # The row is there: the next version reads it with a plain SELECT, and inserts nothing.
    SiteSettings.load().save()
    again = settings_queries(client, "/en/news/")
    assert len(again) == 1 and again[0].lstrip().upper().startswith("SELECT")


@pytest.mark.parametrize("cached", [True, False])
def test_an_edit_in_the_admin_shows_on_the_next_page(staff_client, demo, settings, cached):
    if not cached:
        settings.MPED_PAGE_CACHE_SECONDS = 0
    reader = Client()
    assert "Municipal Partners for Economic Development" in markup(reader.get("/en/"))
    assert "Municipal Partners for Economic Development" in markup(staff_client.get("/en/"))

    url = reverse("admin:pages_sitesettings_change", args=[1])
    data = admin_form_data(staff_client.get(url))
    data.update(site_name_en="Partners in Development", short_name_en="PiD")
    data["_publish_draft"] = "Publish changes"  # the settings' changes are a draft until then
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    for client in (reader, staff_client):
        page = markup(client.get("/en/"))
        assert "<h1>Partners in Development</h1>" in page
        assert "PiD" in markup(client.get("/en/news/"))
