"""The demo content's Khmer words (`load_demo_content`): every demo row's words columns are those
its Khmer texts give, whatever path made the row (saves, a page's points made by bulk_create),
so that the site search finds a demo item by a Khmer word of it."""

from io import StringIO

from django.core.management import call_command

from core.khmer import words
from news.models import NewsItem
from pages.models import ProgramPage
from website.management.commands import load_demo_content

VILLAGE = "ភូមិ"


def test_the_demo_rows_khmer_words_are_those_of_their_texts(demo):
    out = StringIO()
    call_command("segment_khmer", stdout=out)
    assert out.getvalue().splitlines() == [
        "news items: 0 rows changed.",
        "program pages: 0 rows changed.",
        "municipalities: 0 rows changed.",
    ]


def test_a_demo_items_khmer_word_finds_it_in_the_search(client, demo):
    item = NewsItem.objects.published().exclude(title_km="").filter(is_members_only=False).first()
    word = max(words(item.title_km), key=len)
    response = client.get("/km/search/", {"q": word})
    assert response.status_code == 200
    assert item.get_absolute_url() in response.content.decode()


def test_a_demo_pages_khmer_point_is_in_its_words_and_found_by_the_search(client, db, monkeypatch):
    # The demo's points have no Khmer yet: give one of them some, as a translation would.
    page_data = next(data for data in load_demo_content.PAGES if data.get("points"))
    first, *others = page_data["points"]
    monkeypatch.setitem(page_data, "points", [first._replace(km=VILLAGE), *others])
    call_command("load_demo_content", verbosity=0)

    page = ProgramPage.objects.get(slug=page_data["slug"])
    assert f" {VILLAGE} " in page.km_body_words
    response = client.get("/km/search/", {"q": VILLAGE})
    assert response.status_code == 200
    assert page.get_absolute_url() in response.content.decode()
