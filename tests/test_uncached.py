"""The uncached path (issue 20): what is the same for every reader is rendered once per content
version and language (core.cache.kept_per_version, core/templatetags/shared.py), so a logged-in
member's page, which is never served from the page cache, is cheap. Edits still show at once,
members-only text reaches members only, and nothing of one reader reaches another.

With the test settings the page cache and the content version are on (as in production); an
anonymous request starts the version, as the page cache's middleware does."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from news.models import NewsItem
from pages.models import ProgramPage
from website.models import Menu, MenuLink

from .helpers import (
    admin_form_data,
    change_url,
    form_errors,
    make_member,
    make_news,
    visible_text,
)

ITEM = "new-report-womens-participation-in-local-politics"


def member(email="member@example.org", **extra):
    user = make_member(email, **extra)
    client = Client()
    client.force_login(user)
    return client


def start_version():
    Client().get("/en/")


def queries_of(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    assert "X-Cache" not in response, "a member's page is rendered for them"
    return len(queries)


def publish(staff_client, obj, **changes):
    data = admin_form_data(staff_client.get(change_url(obj)))
    data.update(changes)
    data["_publish_draft"] = "Publish changes"
    response = staff_client.post(change_url(obj), data)
    assert response.status_code == 302, form_errors(response)


def test_an_edit_in_the_admin_shows_at_once_to_a_member_on_the_home_page_menu_and_item(
    staff_client, demo
):
    reader = member()
    start_version()
    item = NewsItem.objects.get(slug=ITEM)
    for url in ["/en/", item.get_absolute_url()]:
        reader.get(url)  # the shared parts are now kept for this version
    publish(staff_client, item, title_en="Women lead in commune councils")
    home = visible_text(reader.get("/en/"))
    assert "Women lead in commune councils" in home
    assert "Women lead in commune councils" in visible_text(reader.get(item.get_absolute_url()))

    link = MenuLink.objects.filter(menu__place=Menu.Place.HEADER, target="news").get()
    link.label_en = "Latest stories"
    link.save()
    for url in ["/en/", item.get_absolute_url()]:
        nav = re.search(r'<nav class="site-nav".*?</nav>', reader.get(url).content.decode(), re.S)
        assert "Latest stories" in nav.group(0), url


def test_members_only_text_reaches_members_and_never_other_readers(demo):
    secret = "Only members read this sentence."
    item = make_news("Members briefing", is_members_only=True, body_en=f"<p>{secret}</p>")
    start_version()
    reader = member()
    stranger = member("unconfirmed@example.org")
    EmailAddress.objects.filter(email="unconfirmed@example.org").update(verified=False)
    # Anonymous, with a session cookie that matches no session: rendered, never cached.
    anonymous = Client()
    anonymous.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session"
    url = item.get_absolute_url()
    for _ in range(2):  # rendered, then from the shared parts
        assert secret in reader.get(url).content.decode()
        page = stranger.get(url).content.decode()
        assert secret not in page
        assert "Confirm your email address to read members-only content." in page
        page = anonymous.get(url).content.decode()
        assert secret not in page
        assert "Membership is free." in page
        assert secret not in Client().get(url).content.decode()


def test_two_members_never_see_each_others_name_or_csrf_token(demo):
    start_version()
    ada = member("ada@example.org", first_name="Ada", last_name="Lovelace")
    bob = member("bob@example.org", first_name="Bob", last_name="Marley")
    item_url = f"/en/news/{ITEM}/"

    def token(page):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    for url in ["/en/", item_url]:
        first = ada.get(url).content.decode()
        second = bob.get(url).content.decode()
        assert "Logged in as Ada Lovelace" in first and "Bob Marley" not in first
        assert "Logged in as Bob Marley" in second and "Ada Lovelace" not in second
        assert token(first) != token(second)
        assert "Log in" not in visible_text(second).split("Logged in as")[0]
        # The reader's own account links are not in a shared part: an anonymous page is
        # unchanged by the members' renders.
        assert "Ada" not in Client().get(url).content.decode()


def test_each_language_gets_its_own_shared_parts(demo):
    reader = member()
    start_version()
    for _ in range(2):
        english = reader.get("/en/").content.decode()
        french = reader.get("/fr/").content.decode()
        assert '<html lang="en">' in english and '<html lang="fr">' in french
        assert 'aria-current="true">English' in english
        assert 'aria-current="true">Français' in french
        item_fr = reader.get(f"/fr/news/{ITEM}/").content.decode()
        assert '<html lang="fr">' in item_fr and 'aria-current="true">Français' in item_fr


@pytest.mark.parametrize("url", ["/en/", f"/en/news/{ITEM}/"])
def test_a_members_uncached_page_makes_one_query_once_the_version_is_warm(demo, url):
    reader = member()
    start_version()
    first = queries_of(reader, url)
    warm = queries_of(reader, url)
    for number in range(30):
        make_news(f"More news {number}", days_ago=number + 2)
    start_version()
    queries_of(reader, url)  # a new version: rendered once more
    # The session comes from the cache; the user is the one query. Before this work the home
    # page made 9 queries and the news item 9 (the item, its partners, documents, articles,
    # two for the reader's permissions, one for the member's email address, the menu).
    assert warm == queries_of(reader, url) == 1
    assert first > warm


def test_without_a_content_version_pages_are_rendered_each_time(demo, settings):
    settings.MPED_PAGE_CACHE_SECONDS = 0
    reader = member()
    item = NewsItem.objects.get(slug=ITEM)
    reader.get(item.get_absolute_url())
    NewsItem.objects.filter(pk=item.pk).update(title_en="Renamed without signals")
    assert "Renamed without signals" in visible_text(reader.get(item.get_absolute_url()))
    assert queries_of(reader, item.get_absolute_url()) > 1


def test_a_missing_or_draft_item_is_a_404_for_a_member_after_the_version_is_warm(demo):
    reader = member()
    start_version()
    draft = make_news("Draft news", published=False)
    start_version()
    for _ in range(2):
        assert reader.get("/en/news/no-such-item/").status_code == 404
        assert reader.get(draft.get_absolute_url()).status_code == 404


def test_staff_notes_on_hidden_blocks_never_reach_members_whoever_came_first(staff_client, demo):
    page = ProgramPage.objects.order_by("order").first()
    ProgramPage.objects.filter(pk=page.pk).update(is_published=False)
    reader = member()
    start_version()
    for _ in range(2):
        assert "Only staff see this note." in staff_client.get("/en/").content.decode()
        assert "Only staff see this note." not in reader.get("/en/").content.decode()
    assert "Create one now" not in reader.get("/en/").content.decode()
    assert "Create one now" in Client().get("/en/").content.decode()
