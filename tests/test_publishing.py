"""Drafts, schedules, expiry, previews and roles, through the public site and the admin."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial.drafts import draft_for
from news.models import Kind, NewsItem
from pages.models import ProgramPage

from .helpers import (
    admin_form_data,
    change_url,
    form_errors,
    make_member,
    make_news,
    make_page,
    news_post,
    pdf_url,
    visible_text,
)

HOUR = datetime.timedelta(hours=1)
PUBLIC_NEWS_URLS = ["/en/", "/en/news/", "/en/news/?kind=report"]


def shifted(**times):
    now = timezone.now()
    return {name: now + offset if offset is not None else None for name, offset in times.items()}


CASES = {
    "draft": {"published": False},
    "scheduled": {"published": True, "published_at": HOUR},
    "expired": {"published": True, "published_at": -2 * HOUR, "unpublish_at": -HOUR},
}


def news_in_state(state, kind=Kind.REPORT):
    item = make_news(f"Item {state}", kind=kind)
    times = {k: v for k, v in CASES[state].items() if k != "published"}
    NewsItem.objects.filter(pk=item.pk).update(
        is_published=CASES[state]["published"], **shifted(**times)
    )
    item.refresh_from_db()
    return item


@pytest.mark.parametrize("state", list(CASES))
def test_news_that_is_not_live_is_nowhere_public(client, db, state):
    item = news_in_state(state)
    for url in PUBLIC_NEWS_URLS:
        assert item.title not in visible_text(client.get(url)), url
    assert client.get(item.get_absolute_url()).status_code == 404
    assert client.get(pdf_url(item)).status_code == 404


@pytest.mark.parametrize("state", list(CASES))
def test_pages_that_are_not_live_are_nowhere_public(client, db, state):
    page = make_page(f"Page {state}")
    times = {k: v for k, v in CASES[state].items() if k != "published"}
    ProgramPage.objects.filter(pk=page.pk).update(
        is_published=CASES[state]["published"], **shifted(**times)
    )
    for url in ["/en/", "/en/program/"]:
        assert f"Page {state}" not in visible_text(client.get(url)), url
    assert client.get(page.get_absolute_url()).status_code == 404


def test_a_scheduled_item_appears_by_itself_and_an_expiring_one_leaves_by_itself(client, db):
    item = make_news("Timed story", kind=Kind.PRESS)
    NewsItem.objects.filter(pk=item.pk).update(
        published_at=timezone.now() + datetime.timedelta(seconds=2),
        unpublish_at=timezone.now() + datetime.timedelta(seconds=4),
    )
    assert "Timed story" not in visible_text(client.get("/en/"))
    # No job runs: only the clock moves. (Moving the item's times stands in for waiting.)
    NewsItem.objects.filter(pk=item.pk).update(
        published_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert "Timed story" in visible_text(client.get("/en/"))
    assert client.get(item.get_absolute_url()).status_code == 200
    NewsItem.objects.filter(pk=item.pk).update(
        unpublish_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert "Timed story" not in visible_text(client.get("/en/"))
    assert client.get(item.get_absolute_url()).status_code == 404


def test_page_updated_moves_when_a_scheduled_item_goes_live(client, demo):
    item = make_news("Launch day", days_ago=-1)
    NewsItem.objects.filter(pk=item.pk).update(updated_at=timezone.now() - 30 * 24 * HOUR)
    assert "Page Updated: 18 May 2016" in visible_text(client.get("/en/"))
    NewsItem.objects.filter(pk=item.pk).update(published_at=timezone.now() - HOUR)
    local = timezone.localtime(timezone.now() - HOUR)
    assert f"Page Updated: {local.day} {local:%B %Y}" in visible_text(client.get("/en/"))


@pytest.mark.parametrize("state", list(CASES))
def test_staff_preview_items_in_the_public_layout_with_a_banner(staff_client, db, state):
    item = news_in_state(state)
    response = staff_client.get(item.get_absolute_url())
    assert response.status_code == 200
    text = visible_text(response)
    assert "Preview — not published" in text and item.title in text
    assert response["X-Robots-Tag"] == "noindex"
    assert "no-store" in response["Cache-Control"]
    assert staff_client.get(pdf_url(item)).status_code == 200
    assert Client().get(item.get_absolute_url()).status_code == 404


def test_staff_preview_a_draft_program_page(staff_client, db):
    page = make_page("Draft framework", published=False)
    text = visible_text(staff_client.get(page.get_absolute_url()))
    assert "Preview — not published" in text and "Draft framework" in text
    assert Client().get(page.get_absolute_url()).status_code == 404


def test_live_items_show_no_preview_banner_to_staff(staff_client, db):
    item = make_news("Live story")
    assert "Preview" not in visible_text(staff_client.get(item.get_absolute_url()))


def test_members_do_not_get_previews(client, db):
    item = news_in_state("draft")
    client.force_login(make_member())
    assert client.get(item.get_absolute_url()).status_code == 404


def test_admin_list_shows_status_filters_it_and_publishes_in_bulk(staff_client, db):
    items = {state: news_in_state(state) for state in CASES}
    live = make_news("Item live")
    url = reverse("admin:news_newsitem_changelist")
    page = visible_text(staff_client.get(url))
    for label in ["Draft", "Scheduled for", "Unpublished (expired)", "Published"]:
        assert label in page

    def titles(query):
        return {obj.title for obj in staff_client.get(url + query).context["cl"].result_list}

    assert titles("?status=draft") == {"Item draft"}
    assert titles("?status=scheduled") == {"Item scheduled"}
    assert titles("?status=expired") == {"Item expired"}
    assert titles("?status=published") == {"Item live"}

    response = staff_client.post(
        url,
        {"action": "publish_now", "_selected_action": [items["draft"].pk, items["scheduled"].pk]},
        follow=True,
    )
    assert "2 items published." in visible_text(response)
    assert Client().get(items["draft"].get_absolute_url()).status_code == 200
    assert Client().get(items["scheduled"].get_absolute_url()).status_code == 200

    response = staff_client.post(
        url, {"action": "unpublish", "_selected_action": [live.pk]}, follow=True
    )
    assert "1 item unpublished" in visible_text(response)
    assert Client().get(live.get_absolute_url()).status_code == 404


def test_an_unpublish_time_before_the_publication_time_is_refused(staff_client, db):
    now = timezone.localtime()
    data = news_post(
        unpublish_at_0=(now - 2 * HOUR).date().isoformat(),
        unpublish_at_1=(now - 2 * HOUR).strftime("%H:%M:%S"),
    )
    response = staff_client.post(reverse("admin:news_newsitem_add"), data)
    assert response.status_code == 200
    assert "The unpublish time must come after the publication time." in visible_text(response)
    assert not NewsItem.objects.exists()


# Roles ------------------------------------------------------------------------------------------


def test_an_editor_writes_a_draft_even_when_posting_publish_by_hand(role_client):
    editor = role_client("Editors")
    form = editor.get(reverse("admin:news_newsitem_add"))
    assert 'name="is_published"' not in form.content.decode()
    response = editor.post(reverse("admin:news_newsitem_add"), news_post(is_published="on"))
    assert response.status_code == 302, form_errors(response)
    item = NewsItem.objects.get()
    assert not item.is_published
    assert Client().get(item.get_absolute_url()).status_code == 404
    assert editor.get(item.get_absolute_url()).status_code == 200  # their preview


def test_an_editor_changes_drafts_and_only_drafts_what_is_published(role_client):
    editor = role_client("Editors")
    draft = news_in_state("draft", kind=Kind.NEWS)
    data = admin_form_data(editor.get(change_url(draft)))
    data["title_en"] = "Draft, improved"
    data["is_published"] = "on"
    assert editor.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Draft, improved" and not draft.is_published

    # A live item: the editor may change it (issue 16), but the change is its draft, even
    # with "publish" or "Publish changes" posted by hand.
    live = make_news("Live story")
    page = editor.get(change_url(live))
    assert page.status_code == 200 and 'name="title_en"' in page.content.decode()
    data = admin_form_data(page)
    data.update(title_en="Hijacked", is_published="", _publish_draft="Publish changes")
    posted = editor.post(change_url(live), data)
    assert posted.status_code == 302, form_errors(posted)
    live.refresh_from_db()
    assert live.title == "Live story" and live.is_published
    assert "Hijacked" not in visible_text(Client().get(live.get_absolute_url()))
    assert draft_for(live).data["fields"]["title_en"] == "Hijacked"


def test_an_editor_cannot_use_the_publish_actions(role_client):
    editor = role_client("Editors")
    draft = news_in_state("draft")
    url = reverse("admin:news_newsitem_changelist")
    listing = editor.get(url).content.decode()
    assert 'value="publish_now"' not in listing
    editor.post(url, {"action": "publish_now", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_publisher_publishes_schedules_and_unpublishes(role_client):
    publisher = role_client("Publishers")
    later = timezone.localtime() + HOUR
    response = publisher.post(
        reverse("admin:news_newsitem_add"),
        news_post(
            published_at_0=later.date().isoformat(), published_at_1=later.strftime("%H:%M:%S")
        ),
    )
    assert response.status_code == 302, form_errors(response)
    item = NewsItem.objects.get()
    assert item.status == "scheduled"
    assert Client().get(item.get_absolute_url()).status_code == 404
    publisher.post(
        reverse("admin:news_newsitem_changelist"),
        {"action": "publish_now", "_selected_action": [item.pk]},
    )
    assert Client().get(item.get_absolute_url()).status_code == 200
    data = admin_form_data(publisher.get(change_url(item)))
    data.pop("is_published")
    assert publisher.post(change_url(item), data).status_code == 302
    assert Client().get(item.get_absolute_url()).status_code == 404


def test_a_publisher_publishes_program_pages_and_an_editor_cannot(role_client):
    page = make_page("New section", published=False)
    editor, publisher = role_client("Editors"), role_client("Publishers")
    url = reverse("admin:pages_programpage_changelist")
    editor.post(url, {"action": "publish_now", "_selected_action": [page.pk]})
    assert Client().get(page.get_absolute_url()).status_code == 404
    publisher.post(url, {"action": "publish_now", "_selected_action": [page.pk]})
    assert Client().get(page.get_absolute_url()).status_code == 200


def test_the_roles_are_groups_made_by_migrations(db):
    editors = set(Group.objects.get(name="Editors").permissions.values_list("codename", flat=True))
    publishers = set(
        Group.objects.get(name="Publishers").permissions.values_list("codename", flat=True)
    )
    assert "publish_newsitem" not in editors and "publish_programpage" not in editors
    assert {"publish_newsitem", "publish_programpage"} <= publishers
    assert {"add_newsitem", "change_newsitem", "change_programpage"} <= editors
    assert not any(code.endswith(("_user", "_group")) for code in publishers)
