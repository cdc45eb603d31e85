"""scale_demo_content, which makes the benchmark's data set (`make bench`, tools/bench.py), at
a small size: what it adds, that all of it says it is a sample, and that the site still works.
(Two tests only: each loads the demo content first, which takes a while.)"""

import datetime
import io

import pytest
from django.core.management import call_command

from core.khmer import words_column
from news.models import ItemDocument, Kind, NewsItem
from partners.models import Municipality, Partnership
from search.models import Word

from .helpers import visible_text

ITEMS = 40


def scale():
    call_command(
        "scale_demo_content", news=ITEMS, municipalities=6, members=3, stdout=io.StringIO()
    )


@pytest.fixture
def scaled(demo):
    scale()
    return NewsItem.objects.filter(slug__startswith="sample-news-item-")


def test_scaled_content_is_marked_spread_over_years_and_searchable_in_khmer(scaled):
    assert scaled.count() == ITEMS
    # Every item says it is a sample, in each of its languages; some have French and Khmer.
    for item in scaled:
        assert item.title_en.startswith("Sample news item")
        assert item.summary_en.startswith("Sample:")
        assert item.title_fr is None or item.title_fr.startswith("Exemple")
        assert item.title_km is None or item.title_km.startswith("គំរូ")
        assert item.partners.count() == 2
    assert scaled.exclude(title_fr=None).exists()
    assert scaled.exclude(title_km=None).count() == ITEMS // 2
    assert scaled.exclude(body_km=None).exists()
    assert scaled.filter(is_members_only=True).count() == ITEMS // 10
    # Newest first, over fifteen years.
    dates = list(scaled.order_by("pk").values_list("published_at", flat=True))
    assert dates == sorted(dates, reverse=True)
    assert dates[0] - dates[-1] > datetime.timedelta(days=365 * 14)
    assert len({date.year for date in dates}) >= 14
    # A third are reports offering a document, with thousands of words of text, each different.
    reports = scaled.filter(kind=Kind.REPORT)
    assert reports.count() == ITEMS // 3
    for report in reports:
        assert len(report.documents_text.split()) > 1500
        assert ItemDocument.objects.filter(news_item=report).exists()
    assert len(set(reports.values_list("documents_text", flat=True))) == reports.count()
    # The Khmer words, put together from texts split once, are those ICU finds in each text.
    for item in scaled:
        assert item.km_words == words_column(item.title_km, item.summary_km)
        assert item.km_body_words == words_column(item.body_km)
    assert scaled.exclude(km_body_words="").exists()
    # The suggestions' word list was rebuilt with the samples' words.
    place = scaled.order_by("pk").first().summary_en.split()[1]
    assert Word.objects.filter(text=place.lower(), language="en").exists()
    assert Word.objects.filter(language="km").exists()
    assert Municipality.objects.filter(is_sample=True, slug__regex=r"^sample-\d+$").count() == 6
    assert Partnership.objects.filter(focus="Sample focus", is_sample=True).count() == 3


def test_the_site_still_works_after_scaling_and_scaling_again_adds_nothing(
    scaled, client, uncached, django_user_model
):
    item = scaled.filter(is_published=True, is_members_only=False).order_by("pk").first()
    place = item.summary_en.split()[1]

    for path in ["/en/", "/en/news/", item.get_absolute_url(), "/sitemap.xml", "/fr/news/"]:
        assert client.get(path).status_code == 200, path
    assert item.title_en in visible_text(client.get("/en/news/"))
    found = client.get("/en/search/", {"q": place})
    assert found.status_code == 200
    assert item.title_en in visible_text(found)

    scale()

    assert scaled.count() == ITEMS
    assert django_user_model.objects.filter(email__startswith="sample-member-").count() == 3
    assert Municipality.objects.filter(slug__regex=r"^sample-\d+$").count() == 6
