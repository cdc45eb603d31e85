"""The news list reads only the columns its cards show, and works out its year links once per
content version (news.views.NewsItemListView)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.cache import content_version
from pages.models import SiteSettings

from .helpers import make_news

pytestmark = pytest.mark.usefixtures("uncached")

LONG_COLUMNS = ("body_en", "body_fr", "documents_text", "members_documents_text", "km_body_words")


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return [q["sql"] for q in captured]


@pytest.mark.parametrize("url", ["/en/news/", "/en/news/?kind=report", "/fr/news/?year=2020"])
def test_the_list_reads_no_bodies_or_document_text(client, db, url):
    make_news("A story", body="<p>The long body.</p>")
    for sql in queries(client, url):
        if "news_newsitem" in sql:
            assert not any(column in sql for column in LONG_COLUMNS), sql


def test_the_cards_still_show_titles_summaries_and_dates(client, db):
    make_news("A story", summary="What happened.", title_fr="Une histoire")
    page = client.get("/en/news/").content.decode()
    assert "A story" in page and "What happened." in page
    assert "Une histoire" in client.get("/fr/news/").content.decode()


def years_queries(client, url):
    return [sql for sql in queries(client, url) if "DISTINCT" in sql.upper()]


def test_the_year_links_are_worked_out_once_per_content_version(client, db, settings):
    # content_version(): what the page cache's middleware does at an anonymous request, the
    # first after a change (a logged-in reader's page then uses what it keeps). The page cache
    # is on, and a session cookie keeps these requests out of it: each page is rendered.
    settings.MPED_PAGE_CACHE_SECONDS = 600
    client.cookies["sessionid"] = "a-session-that-does-not-exist"
    SiteSettings.load()
    make_news("This year story", days_ago=1)
    content_version()
    client.get("/en/news/")
    assert years_queries(client, "/en/news/") == []
    assert years_queries(client, "/en/news/?page=1") == []
    # Another kind has its own years.
    assert len(years_queries(client, "/en/news/?kind=report")) == 1

    # A new item in an older year: a new content version, and its year is linked at once.
    old = make_news("An old story", days_ago=3 * 366)
    old_year = timezone.localtime(old.published_at).year
    content_version()
    assert f'href="/en/news/?year={old_year}"' in client.get("/en/news/").content.decode()
    assert years_queries(client, "/en/news/") == []
