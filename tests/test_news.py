import datetime

import pytest
from django.utils import timezone

from news.models import Kind, NewsItem

from .helpers import make_municipality, make_news, today, visible_text


def test_report_page_offers_its_pdf_with_type_and_size(client, demo):
    report = NewsItem.objects.get(kind=Kind.REPORT)
    response = client.get(report.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    document = report.documents.get().document
    assert f'href="{document.get_absolute_url()}"' in html
    assert document.get_absolute_url().endswith("-en.pdf")  # a readable name
    size_kb = round(document.file.size / 1024)
    assert f"(PDF, 1 page, {size_kb} KB)" in visible_text(response)


def test_press_feature_links_its_articles_and_names_its_partners(client, demo):
    feature = NewsItem.objects.get(slug="canada-in-the-spotlight")
    response = client.get(feature.get_absolute_url())
    text = visible_text(response)
    html = response.content.decode()
    for article in feature.articles.all():
        assert f'href="{article.href}"' in html
        assert article.title in text
    assert text.count("Economics Today") >= 2
    assert "Partners in this story" in text
    assert 'href="/en/partners/city-of-chilliwack/"' in html
    assert 'href="/en/partners/county-of-newell/"' in html


def test_press_feature_hides_unpublished_partners(client, demo):
    feature = NewsItem.objects.get(slug="canada-in-the-spotlight")
    hidden = make_municipality("Town of Hidden", published=False)
    feature.partners.add(hidden)
    assert "Town of Hidden" not in visible_text(client.get(feature.get_absolute_url()))


def test_news_items_have_readable_urls(demo):
    report = NewsItem.objects.get(kind=Kind.REPORT)
    assert (
        report.get_absolute_url() == "/en/news/new-report-womens-participation-in-local-politics/"
    )


def test_listing_is_newest_first_and_paginated(client, db):
    for day in range(25):
        make_news(f"Item {day:02d}", days_ago=day)
    first = visible_text(client.get("/en/news/"))
    assert first.index("Item 00") < first.index("Item 01") < first.index("Item 09")
    assert "Item 10" not in first
    assert "Page 1 of 3" in first
    third = visible_text(client.get("/en/news/?page=3"))
    assert "Item 20" in third and "Item 24" in third and "Item 19" not in third
    assert "Page 3 of 3" in third


def test_listing_filters_by_kind_and_keeps_the_filter_across_pages(client, db):
    for day in range(12):
        make_news(f"Report {day:02d}", kind=Kind.REPORT, days_ago=day)
    make_news("Plain story", kind=Kind.NEWS)
    response = client.get("/en/news/?kind=report")
    text = visible_text(response)
    assert "Report 00" in text and "Plain story" not in text
    assert "The latest: Report" in text
    assert 'href="?kind=report&amp;page=2"' in response.content.decode()
    press = visible_text(client.get("/en/news/?kind=press"))
    assert "There is no news of this kind yet." in press


def test_unpublished_and_future_items_are_invisible_everywhere(client, demo):
    draft = make_news("Secret draft", published=False)
    future = make_news("Embargoed story", days_ago=-3)
    for url in ["/en/", "/en/news/", "/en/news/?kind=news", "/en/partners/"]:
        text = visible_text(client.get(url))
        assert "Secret draft" not in text and "Embargoed story" not in text, url
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(future.get_absolute_url()).status_code == 404


def test_item_appears_once_its_publication_time_has_passed(client, db):
    item = make_news("Morning story", days_ago=-1)
    assert client.get(item.get_absolute_url()).status_code == 404
    NewsItem.objects.filter(pk=item.pk).update(
        published_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    assert client.get(item.get_absolute_url()).status_code == 200


def test_news_item_page_updated_is_its_own_change_date(client, demo):
    feature = NewsItem.objects.get(slug="canada-in-the-spotlight")
    assert "Page Updated: 18 May 2016" in visible_text(client.get(feature.get_absolute_url()))
    feature.save()
    text = visible_text(client.get(feature.get_absolute_url()))
    assert f"Page Updated: {today()}" in text


def test_archive_filters_by_kind_and_year_with_pagination_in_the_url(client, db):
    def dated(title, kind, year, day=1):
        item = make_news(title, kind=kind)
        when = datetime.datetime(year, 6, day, 12, tzinfo=datetime.UTC)
        NewsItem.objects.filter(pk=item.pk).update(published_at=when)

    for day in range(1, 13):
        dated(f"Old report {day:02d}", Kind.REPORT, 2019, day)
    dated("Later report", Kind.REPORT, 2021)
    dated("Old story", Kind.NEWS, 2019)
    response = client.get("/en/news/?kind=report&year=2019")
    text = visible_text(response)
    assert "The latest: Report (2019)" in text
    assert "Later report" not in text and "Old story" not in text
    assert "Old report 12" in text and "Old report 02" not in text  # newest first, 10 a page
    html = response.content.decode()
    assert 'href="/en/news/?kind=report&amp;year=2021"' in html
    assert 'href="/en/news/?year=2019"' in html  # "All" kinds keeps the year
    assert 'href="?kind=report&amp;year=2019&amp;page=2"' in html
    second = visible_text(client.get("/en/news/?kind=report&year=2019&page=2"))
    assert "Page 2 of 2" in second and "Old report 01" in second and "Later report" not in second


@pytest.mark.parametrize("year", ["abc", "20", "99999", "２０２４", "-1"])
def test_a_bad_year_is_a_404(client, db, year):
    assert client.get(f"/en/news/?year={year}").status_code == 404


def test_a_year_without_news_is_an_empty_page(client, db):
    make_news("Story")
    response = client.get("/en/news/?year=1999")
    assert response.status_code == 200
    assert "There is no news of this kind yet." in visible_text(response)
