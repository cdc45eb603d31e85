"""Dates as readers read them (the month in words, day first, in every language) and as
machines read them (<time datetime> valid in HTML: whole seconds and the offset)."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from news.models import NewsItem
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality

from .helpers import visible_text

REPORT = "new-report-womens-participation-in-local-politics"
# As a form or the ORM saves it: with microseconds. 03:04 UTC is 10:04 in Phnom Penh.
EDITED = datetime.datetime(2016, 5, 18, 3, 4, 5, 123456, tzinfo=datetime.UTC)
WRITTEN = {"en": "18 May 2016", "fr": "18 mai 2016", "km": "18 ខែ ឧសភា ឆ្នាំ 2016"}
VALID_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?)?")
TIME = re.compile(r'<time datetime="([^"]*)">([^<]*)</time>')


def edit_everything_on(when):
    """Every date a page shows is `when`, microseconds included (as after an edit)."""
    for model in (NewsItem, ProgramPage, Municipality, SiteSettings):
        model.objects.update(updated_at=when)
    NewsItem.objects.filter(published_at__lte=timezone.now()).update(published_at=when)


def page_updated(html):
    match = re.search(r'class="page-updated">[^<]*<time datetime="([^"]*)">([^<]*)</time>', html)
    assert match, "no Page Updated"
    return match.groups()


@pytest.mark.parametrize("language", ["en", "fr", "km"])
@pytest.mark.parametrize(
    "path",
    ["/", "/news/", f"/news/{REPORT}/", "/partners/", "/partners/kang-meas-district/"],
)
def test_page_updated_names_the_month_in_words_in_every_language(client, demo, language, path):
    edit_everything_on(EDITED)
    html = client.get(f"/{language}{path}").content.decode()
    machine, written = page_updated(html)
    assert written == WRITTEN[language]
    # In Phnom Penh time, to the second (the home page's blocks keep the demo's own dates).
    assert VALID_DATETIME.fullmatch(machine), machine
    assert machine.startswith("2016-05-18T") and machine.endswith("+07:00"), machine
    assert "18/05/2016" not in visible_text(html)


@pytest.mark.parametrize("language", ["en", "fr", "km"])
def test_news_dates_on_cards_items_partners_and_search_are_written_out(client, demo, language):
    edit_everything_on(EDITED)
    pages = [
        f"/{language}/news/",
        f"/{language}/news/{REPORT}/",
        f"/{language}/partners/city-of-chilliwack/",
        f"/{language}/search/?q=women",
    ]
    for url in pages:
        html = client.get(url).content.decode()
        times = TIME.findall(html)
        assert times, url
        for machine, written in times:
            assert VALID_DATETIME.fullmatch(machine), (url, machine)
            assert "." not in machine, (url, machine)
            assert not re.fullmatch(r"[\d/]+", written.strip()), (url, written)
        assert ("2016-05-18T10:04:05+07:00", WRITTEN[language]) in times, url


def test_a_date_saved_now_keeps_no_microseconds_in_the_page(client, demo):
    item = NewsItem.objects.get(slug=REPORT)
    item.save()  # updated_at = now, with microseconds
    html = client.get(f"/en/news/{REPORT}/").content.decode()
    machine, _written = page_updated(html)
    assert VALID_DATETIME.fullmatch(machine), machine
    assert machine.endswith("+07:00")


def test_staff_dashboard_and_history_times_are_valid(client, demo, staff_client):
    edit_everything_on(EDITED)
    item = NewsItem.objects.get(slug=REPORT)
    item.save()
    for url in [
        reverse("admin:index"),
        reverse("admin:news_newsitem_history", args=[item.pk]),
    ]:
        response = staff_client.get(url)
        assert response.status_code == 200, url
        for machine, _written in TIME.findall(response.content.decode()):
            assert VALID_DATETIME.fullmatch(machine), (url, machine)
