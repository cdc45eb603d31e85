"""A municipality's page lists its latest news items, and links to the news list filtered by it
(?partner=<slug>) when it has more."""

import pytest

from partners.views import NEWS_ON_PAGE

from .helpers import count_queries, make_municipality, make_news

pytestmark = pytest.mark.django_db

ALL_NEWS = "All news about Town of Example"


def add_news(town, start, count, **extra):
    items = []
    for i in range(start, start + count):
        item = make_news(f"Town story {i}", days_ago=i + 1, **extra)
        item.partners.add(town)
        items.append(item)
    return items


def test_a_page_with_few_items_lists_them_all_and_no_link(client):
    town = make_municipality()
    add_news(town, 0, 3)
    page = client.get(town.get_absolute_url()).content.decode()
    assert page.count("Town story") == 3
    assert ALL_NEWS not in page


def test_a_page_with_many_items_lists_the_latest_and_links_to_the_rest(client):
    town = make_municipality()
    add_news(town, 0, NEWS_ON_PAGE + 5)
    page = client.get(town.get_absolute_url()).content.decode()
    shown = [f"Town story {i}<" for i in range(NEWS_ON_PAGE + 5) if f"Town story {i}<" in page]
    assert shown == [f"Town story {i}<" for i in range(NEWS_ON_PAGE)]
    assert ALL_NEWS in page
    assert "/en/news/?partner=town-of-example" in page


def test_the_filtered_list_shows_only_the_partners_news(client):
    town = make_municipality()
    other = make_municipality("Other town")
    add_news(town, 0, 2)
    elsewhere = make_news("Elsewhere story")
    elsewhere.partners.add(other)
    make_news("Unpublished town story", published=False).partners.add(town)
    response = client.get("/en/news/?partner=town-of-example")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Town story 0" in page and "Town story 1" in page
    assert "Elsewhere story" not in page and "Unpublished town story" not in page
    assert "<h1>The latest: Town of Example</h1>" in page
    assert "News about Town of Example" in page
    # The kind and year links keep the partner.
    assert "?partner=town-of-example&amp;kind=report" in page


@pytest.mark.parametrize(
    "value",
    ["no-such-town", "unpublished-town", "<script>", "x" * 300, "town of example", "%00", "é"],
)
def test_an_unknown_or_junk_partner_is_a_404(client, value):
    make_municipality()
    make_municipality("Unpublished town", published=False)
    response = client.get("/en/news/", {"partner": value})
    assert response.status_code == 404


def test_an_empty_partner_is_the_whole_list(client):
    make_news("Any story")
    response = client.get("/en/news/?partner=")
    assert response.status_code == 200
    assert "Any story" in response.content.decode()


@pytest.mark.usefixtures("uncached")
def test_queries_do_not_grow_with_the_partners_news(client):
    town = make_municipality()
    add_news(town, 0, 2)
    client.get("/en/")  # The first request makes the site settings' row.
    before = (
        count_queries(client, town.get_absolute_url()),
        count_queries(client, "/en/news/?partner=town-of-example"),
    )
    add_news(town, 2, 2 * NEWS_ON_PAGE)
    after = (
        count_queries(client, town.get_absolute_url()),
        count_queries(client, "/en/news/?partner=town-of-example"),
    )
    assert before == after
