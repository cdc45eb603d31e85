import datetime

from django.utils import timezone

from news.models import Kind, NewsItem

from .conftest import make_municipality, make_news
from .test_home import visible_text


def test_report_page_offers_its_pdf_with_type_and_size(client, demo):
    report = NewsItem.objects.get(kind=Kind.REPORT)
    response = client.get(report.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert f'href="{report.pdf.url}"' in html
    assert report.pdf.url.endswith(".pdf")
    size_kb = round(report.pdf.size / 1024)
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
    assert 'href="/partners/city-of-chilliwack/"' in html
    assert 'href="/partners/county-of-newell/"' in html


def test_press_feature_hides_unpublished_partners(client, demo):
    feature = NewsItem.objects.get(slug="canada-in-the-spotlight")
    hidden = make_municipality("Town of Hidden", published=False)
    feature.partners.add(hidden)
    assert "Town of Hidden" not in visible_text(client.get(feature.get_absolute_url()))


def test_news_items_have_readable_urls(demo):
    report = NewsItem.objects.get(kind=Kind.REPORT)
    assert report.get_absolute_url() == "/news/new-report-womens-participation-in-local-politics/"


def test_listing_is_newest_first_and_paginated(client, db):
    for day in range(25):
        make_news(f"Item {day:02d}", days_ago=day)
    first = visible_text(client.get("/news/"))
    assert first.index("Item 00") < first.index("Item 01") < first.index("Item 09")
    assert "Item 10" not in first
    assert "Page 1 of 3" in first
    third = visible_text(client.get("/news/?page=3"))
    assert "Item 20" in third and "Item 24" in third and "Item 19" not in third
    assert "Page 3 of 3" in third


def test_listing_filters_by_kind_and_keeps_the_filter_across_pages(client, db):
    for day in range(12):
        make_news(f"Report {day:02d}", kind=Kind.REPORT, days_ago=day)
    make_news("Plain story", kind=Kind.NEWS)
    response = client.get("/news/?kind=report")
    text = visible_text(response)
    assert "Report 00" in text and "Plain story" not in text
    assert "The latest: Report" in text
    assert 'href="?kind=report&amp;page=2"' in response.content.decode()
    press = visible_text(client.get("/news/?kind=press"))
    assert "There is no news of this kind yet." in press


def test_unpublished_and_future_items_are_invisible_everywhere(client, demo):
    draft = make_news("Secret draft", published=False)
    future = make_news("Embargoed story", days_ago=-3)
    for url in ["/", "/news/", "/news/?kind=news", "/partners/"]:
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
    assert "Page Updated: 18/05/2016" in visible_text(client.get(feature.get_absolute_url()))
    feature.save()
    text = visible_text(client.get(feature.get_absolute_url()))
    assert f"Page Updated: {timezone.localdate():%d/%m/%Y}" in text
