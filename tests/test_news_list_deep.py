"""The news list at any depth (issue 20): the first pages are numbered, "Older" and "Newer" go on
past them with a cursor (the position of the last or first item shown), "Oldest" reaches the end,
and no address of the list is a 500 (news.views.NewsItemListView)."""

import datetime
import re

import pytest
from django.utils import timezone

from news.models import Kind, NewsItem

from .helpers import count_queries, make_municipality, make_news, visible_text

pytestmark = pytest.mark.usefixtures("uncached")

CARD_LINK = re.compile(r'class="news-title"><a href="/en/news/([^/"]+)/"')
NEXT = re.compile(r'<a rel="next" href="([^"]+)"')
PREV = re.compile(r'<a rel="prev" href="([^"]+)"')
OLDEST = re.compile(r'<a href="(\?[^"]*oldest=1)"')


def slugs(response):
    return CARD_LINK.findall(response.content.decode())


def follow(client, response, pattern):
    """The page a navigation link of `response` leads to, or None when it has none."""
    found = pattern.search(response.content.decode())
    if found is None:
        return None
    return client.get("/en/news/" + found[1].replace("&amp;", "&"), follow=True)


def walk(client, url, pattern):
    """Every page from `url` on, following `pattern`'s link: the slugs of each page."""
    pages = []
    response = client.get(url)
    while response is not None:
        assert response.status_code == 200
        pages.append(slugs(response))
        assert len(pages) < 100, "the walk does not end"
        response = follow(client, response, pattern)
    return pages


def expected(**filters):
    items = NewsItem.objects.published().filter(**filters).order_by("-published_at", "-id")
    return list(items.values_list("slug", flat=True))


@pytest.fixture
def archive(db, settings):
    """37 published items (four of them at the very same moment, so the order rests on the id
    too), a draft, a scheduled item and a members-only item among them; two numbered pages."""
    settings.MPED_NEWS_NUMBERED_PAGES = 2
    town = make_municipality("Town of Alpha")
    start = timezone.now() - datetime.timedelta(days=1)
    for number in range(36):
        kind = Kind.REPORT if number % 3 == 0 else Kind.NEWS
        item = make_news(f"Story {number:02d}", kind=kind, documents=[])
        # Two a year, going back from this year: year filters have several pages.
        when = start - datetime.timedelta(days=180 * number)
        if 20 <= number < 24:
            when = start - datetime.timedelta(days=180 * 20)
        NewsItem.objects.filter(pk=item.pk).update(published_at=when)
        if number % 2:
            item.partners.add(town)
    make_news("Members story", is_members_only=True, days_ago=400)
    make_news("Secret draft", published=False, days_ago=2)
    make_news("Embargoed story", days_ago=-3)
    return town


def test_walking_older_from_the_first_page_visits_every_item_once_in_order(client, archive):
    pages = walk(client, "/en/news/", NEXT)
    assert [len(page) for page in pages] == [10, 10, 10, 7]
    walked = [slug for page in pages for slug in page]
    assert walked == expected()
    assert "members-story" in walked
    assert "secret-draft" not in walked and "embargoed-story" not in walked


def test_walking_newer_from_the_oldest_page_visits_every_item_once(client, archive):
    first = client.get("/en/news/")
    oldest = follow(client, first, OLDEST)
    assert oldest.status_code == 200
    assert slugs(oldest) == expected()[-10:]
    assert 'rel="next"' not in oldest.content.decode()  # nothing older
    pages = [slugs(oldest)]
    response = follow(client, oldest, PREV)
    while response is not None:
        pages.append(slugs(response))
        assert len(pages) < 100
        response = follow(client, response, PREV)
    walked = [slug for page in reversed(pages) for slug in page]
    # The newest page is the numbered first page: the walk back ends on it, whatever overlap.
    assert pages[-1] == expected()[:10]
    assert list(dict.fromkeys(walked)) == expected()


@pytest.mark.parametrize(
    ("query", "filters"),
    [
        ("kind=report", {"kind": Kind.REPORT}),
        ("kind=news", {"kind": Kind.NEWS}),
        ("partner=town-of-alpha", {"partners__slug": "town-of-alpha"}),
        ("partner=town-of-alpha&kind=news", {"partners__slug": "town-of-alpha", "kind": "news"}),
    ],
)
def test_filters_are_kept_at_every_depth(client, archive, settings, query, filters):
    settings.MPED_NEWS_NUMBERED_PAGES = 1
    pages = walk(client, f"/en/news/?{query}", NEXT)
    assert [slug for page in pages for slug in page] == expected(**filters)


def test_a_year_is_walked_to_its_end(client, archive, settings):
    settings.MPED_NEWS_NUMBERED_PAGES = 1
    moment = NewsItem.objects.get(slug="story-20").published_at
    for number in range(24, 36):  # a dozen more that year, two at the same moment
        when = moment - datetime.timedelta(seconds=number // 2)
        NewsItem.objects.filter(slug=f"story-{number}").update(published_at=when)
    year = moment.year
    pages = walk(client, f"/en/news/?year={year}", NEXT)
    walked = [slug for page in pages for slug in page]
    assert walked == expected(published_at__year=year)
    assert len(walked) > 10


def test_numbered_pages_end_at_the_depth_with_a_cursor_link(client, archive):
    second = client.get("/en/news/?kind=news&page=2")
    html = second.content.decode()
    assert "Page 2 of 3" in visible_text(second)
    assert 'rel="next" href="?kind=news&amp;before=' in html
    assert 'href="?kind=news&amp;page=1"' in html
    deeper = follow(client, second, NEXT)
    text = visible_text(deeper)
    assert not re.search(r"Page \d+ of", text) and "Newest" in text and "Newer" in text


def test_newer_from_the_second_page_of_cursors_lands_on_the_first_page(client, archive, settings):
    settings.MPED_NEWS_NUMBERED_PAGES = 1
    second = follow(client, client.get("/en/news/"), NEXT)
    response = client.get(
        "/en/news/" + PREV.search(second.content.decode())[1].replace("&amp;", "&")
    )
    assert response.status_code == 302 and response["Location"] == "/en/news/"


def test_page_last_is_the_oldest_items(client, archive):
    # Django's paginator's name for the last page, in links made before.
    last = client.get("/en/news/?kind=report&page=last")
    oldest = client.get("/en/news/?kind=report&oldest=1")
    assert last.status_code == oldest.status_code == 200
    assert slugs(last) == slugs(oldest) == expected(kind=Kind.REPORT)[-10:]


def test_a_short_list_has_no_oldest_page(client, db):
    make_news("Lonely story")
    assert "Oldest" not in visible_text(client.get("/en/news/"))
    response = client.get("/en/news/?oldest=1")
    assert response.status_code == 302 and response["Location"] == "/en/news/"


def test_queries_stay_the_same_as_items_grow(client, db, settings):
    settings.MPED_NEWS_NUMBERED_PAGES = 1

    def link(response, pattern):
        return "/en/news/" + pattern.search(response.content.decode())[1].replace("&amp;", "&")

    def figures():
        second = link(client.get("/en/news/"), NEXT)
        third = link(client.get(second), NEXT)
        newer = link(client.get(third), PREV)
        assert "after=" in newer
        return [
            count_queries(client, "/en/news/"),
            count_queries(client, second),
            count_queries(client, third),
            count_queries(client, newer),
            count_queries(client, "/en/news/?oldest=1"),
            count_queries(client, "/en/news/?kind=news&year=" + str(timezone.now().year)),
        ]

    for number in range(25):
        make_news(f"Early {number}", days_ago=number + 1)
    before = figures()
    for number in range(30):
        make_news(f"Later {number}", days_ago=number + 100)
    assert figures() == before


@pytest.mark.parametrize(
    "query",
    [
        "page=0",
        "page=-1",
        "page=abc",
        "page=1.5",
        "page=",
        "page=%00",
        "page=%EF%BC%92",  # a fullwidth 2
        "before=garbage",
        "before=",
        "before=%00",
        "after=20241301T000000.000000-5",  # month 13
        "before=20240230T000000.000000-5",  # 30 February
        "before=20240101T250000.000000-5",  # hour 25
        "before=20240101T000000.000000-1234567890123456789012",  # more digits than any id
        "before=20240101T000000-5",
        "before=20240101T000000.000000-5%00",
        "after=20240101T000000.000000--5",
        "oldest=2",
        "oldest=",
        "page=2&before=20240101T000000.000000-5",
        "before=20240101T000000.000000-5&after=20240101T000000.000000-5",
    ],
)
def test_a_bad_address_is_a_400_with_a_message(client, archive, query):
    response = client.get(f"/en/news/?{query}")
    assert response.status_code == 400, query
    text = visible_text(response)
    assert "damaged" in text or "whole number" in text or "two pages" in text
    assert "Go to the newest news" in text
    assert slugs(response) == []


@pytest.mark.parametrize("page", ["3", "4", "99", "12345678901234567890123456789"])
def test_a_page_past_the_numbered_ones_is_a_404_pointing_to_older_and_the_years(
    client, archive, page
):
    response = client.get(f"/en/news/?page={page}")
    assert response.status_code == 404
    text = visible_text(response)
    assert "Pages past page 2 of the news list have no number" in text
    assert "All years" in text  # the year links are there to choose from


def test_a_page_past_the_end_is_a_404(client, archive, settings):
    settings.MPED_NEWS_NUMBERED_PAGES = 50
    response = client.get("/en/news/?kind=report&page=3")
    assert response.status_code == 404
    assert "The news list has 2 pages." in visible_text(response)


@pytest.mark.parametrize(
    "cursor",
    [
        "00010101T000000.000000-1",
        "99991231T235959.999999-999999999999999999",
        "20200101T000000.000000-999999999999999999",
        "20200101T000000.000000-0",
    ],
)
def test_extreme_cursors_are_pages_not_errors(client, archive, cursor):
    for name in ("before", "after"):
        response = client.get(f"/en/news/?{name}={cursor}")
        assert response.status_code in (200, 302), (name, cursor)


def test_an_empty_page_past_the_oldest_item_offers_newer(client, archive):
    response = client.get("/en/news/?before=00010101T000000.000000-1")
    assert response.status_code == 200
    assert slugs(response) == []
    assert "There is no news of this kind yet." in visible_text(response)
    assert follow(client, response, PREV) is not None
