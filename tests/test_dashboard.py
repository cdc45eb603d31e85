"""The editorial dashboard on the admin's first page: each section lists exactly its items,
counts them truly, links to them, respects permissions, and costs a fixed number of queries."""

import datetime
import html
import re

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Municipality

from .helpers import make_library_image, make_municipality, make_news, make_page, visible_text

INDEX = "/admin/"


def now():
    return timezone.now()


def days(n):
    return datetime.timedelta(days=n)


def section_html(response, key):
    """The HTML of one dashboard section, or None when the page has no such section."""
    page = response.content.decode()
    found = re.search(rf'<section[^>]*id="dashboard-{key}".*?</section>', page, re.S)
    return found.group(0) if found else None


def section_text(response, key):
    return visible_text(section_html(response, key))


def titles(response, key):
    """The items a section lists, in order."""
    found = re.findall(r'class="dashboard-title"[^>]*>([^<]+)<', section_html(response, key))
    return [html.unescape(title) for title in found]


def links(response, key):
    """The section's links: {text: href}."""
    found = re.findall(r'<a[^>]*href="([^"]+)"[^>]*>(.*?)</a>', section_html(response, key))
    return {visible_text(text): html.unescape(href) for href, text in found}


def age(obj, **fields):
    """Set stored times as if the item had been saved then (auto_now would overwrite them)."""
    type(obj).objects.filter(pk=obj.pk).update(**fields)
    obj.refresh_from_db()
    return obj


def member_of(django_user_model, group, name="editor"):
    user = django_user_model.objects.create_user(
        name, f"{name}@example.org", "pw-Long-enough-1", is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def content(db):
    """One or two items for every section, and near misses that belong to none of them."""
    items = {
        "draft_news": make_news("Draft story", published=False, days_ago=0),
        "draft_page": make_page("Draft page", published=False),
        "overdue": age(
            make_news("Forgotten launch", published=False, days_ago=0),
            published_at=now() - datetime.timedelta(hours=2),
            updated_at=now() - days(3),
        ),
        "soon_news": make_news("Coming in five days", days_ago=-5),
        "soon_page": make_page("Page in two days", published_at=now() + days(2)),
        "far": make_news("Coming in forty days", days_ago=-40),
        "fresh": make_news("Fresh story", days_ago=2),
        "old": make_news("Old story", days_ago=100),
        "expired": make_news(
            "Expired story", days_ago=3, unpublish_at=now() - datetime.timedelta(hours=1)
        ),
        "stale_page": make_page("Stale page", published_at=now() - days(800)),
        "kept_page": make_page("Kept page", published_at=now() - days(800)),
        "stale_draft_page": make_page("Stale draft page", published=False),
        "stale_town": make_municipality("Town of Yore"),
        "kept_town": make_municipality("Town of Now"),
        "no_summary": make_news("Report without summary", kind=Kind.REPORT, days_ago=200),
        "no_alt": make_news("Report without alt", kind=Kind.REPORT, days_ago=210),
        "good_report": make_news("Complete report", kind=Kind.REPORT, days_ago=220),
        "members": make_news("Members story", is_members_only=True, days_ago=300),
    }
    age(items["stale_page"], updated_at=now() - days(400))
    # A draft's publication time is when it was made, before its first save (auto_now).
    age(items["stale_draft_page"], published_at=now() - days(501), updated_at=now() - days(500))
    age(items["stale_town"], updated_at=now() - days(366))
    age(items["kept_page"], updated_at=now() - days(300))
    age(items["no_summary"], summary_en="")
    # The alt text is the library image's.
    age(items["no_alt"], image=make_library_image(name="river.png", alt_en=""))
    age(items["good_report"], image=make_library_image(name="market.png", alt_en="A market."))
    # The drafts in the order "most recently changed first".
    age(items["draft_page"], published_at=now() - days(2), updated_at=now() - days(1))
    return items


def test_each_section_lists_exactly_its_items(staff_client, content):
    response = staff_client.get(INDEX)
    assert response.status_code == 200

    assert titles(response, "drafts") == [
        "Draft story",
        "Draft page",
        "Forgotten launch",
        "Stale draft page",
    ]
    assert titles(response, "overdue") == ["Forgotten launch"]
    assert titles(response, "scheduled") == ["Page in two days", "Coming in five days"]
    assert titles(response, "live") == ["Fresh story"]
    # Oldest first: the page was last changed 400 days ago, the town 366 days ago.
    assert titles(response, "stale") == ["Stale page", "Town of Yore"]
    assert titles(response, "reports") == ["Report without summary", "Report without alt"]
    assert titles(response, "members") == ["Members story"]

    assert "4 in all" in section_text(response, "drafts")
    assert "1 in all" in section_text(response, "overdue")
    assert "2 in all" in section_text(response, "scheduled")
    assert "1 in all" in section_text(response, "live")
    assert "2 in all" in section_text(response, "stale")
    assert "2 in all" in section_text(response, "reports")
    assert "1 in all" in section_text(response, "members")


def test_reports_say_what_each_one_is_missing(staff_client, content):
    text = section_text(staff_client.get(INDEX), "reports")
    without_summary = text.index("Report without summary")
    without_alt = text.index("Report without alt")
    assert "No summary" in text[without_summary:without_alt]
    assert "Image without alt text" not in text[without_summary:without_alt]
    assert "Image without alt text" in text[without_alt:]
    assert "No summary" not in text[without_alt:]


def test_each_line_links_to_the_item_in_the_admin_and_live_ones_to_the_site(staff_client, content):
    response = staff_client.get(INDEX)
    fresh = content["fresh"]
    live = links(response, "live")
    assert live["Fresh story"] == reverse("admin:news_newsitem_change", args=[fresh.pk])
    assert live["View on site: Fresh story"] == fresh.get_absolute_url()

    drafts = links(response, "drafts")
    draft_page = content["draft_page"]
    assert drafts["Draft page"] == reverse("admin:pages_programpage_change", args=[draft_page.pk])
    # A draft has no public page to view.
    assert not any(text.startswith("View on site") for text in drafts)

    stale = links(response, "stale")
    town = content["stale_town"]
    assert stale["Town of Yore"] == reverse("admin:partners_municipality_change", args=[town.pk])


def test_show_all_opens_the_change_list_with_the_same_items(staff_client, content):
    response = staff_client.get(INDEX)
    drafts = links(response, "drafts")
    assert drafts["News items: show all 2"] == "/admin/news/newsitem/?status=draft"
    assert drafts["Program pages: show all 2"] == "/admin/pages/programpage/?status=draft"

    for key, label, expected in [
        ("scheduled", "News items: show all 1", ["Coming in five days"]),
        ("scheduled", "Program pages: show all 1", ["Page in two days"]),
        ("live", "News items: show all 1", ["Fresh story"]),
        ("stale", "Program pages: show all 1", ["Stale page"]),
        ("stale", "Municipalities: show all 1", ["Town of Yore"]),
        ("members", "News items: show all 1", ["Members story"]),
    ]:
        change_list = staff_client.get(links(response, key)[label])
        assert change_list.status_code == 200, (key, label)
        shown = [str(obj) for obj in change_list.context["cl"].result_list]
        assert shown == expected, (key, label)
    # Overdue drafts and incomplete reports have no change-list filter: no link to mislead.
    assert not any("show all" in text for text in links(response, "overdue"))
    assert not any("show all" in text for text in links(response, "reports"))


def test_dates_are_shown_in_the_staff_time_zone(staff_client, content, settings):
    settings.TIME_ZONE = "Asia/Phnom_Penh"
    response = staff_client.get(INDEX)
    when = timezone.localtime(content["soon_news"].published_at)
    assert when.utcoffset() == datetime.timedelta(hours=7)
    assert f'datetime="{when.replace(microsecond=0).isoformat()}"' in section_html(
        response, "scheduled"
    )


def test_empty_sections_say_so(staff_client):
    response = staff_client.get(INDEX)
    for key, message in [
        ("drafts", "No drafts in progress."),
        ("overdue", "No draft has passed its publication time."),
        ("scheduled", "Nothing scheduled in the next 30 days."),
        ("live", "Nothing went live in the last 14 days."),
        ("stale", "Every public page and partner was updated in the last 12 months."),
        ("reports", "Every report has its summary, and its image description"),
        ("members", "No members-only items."),
    ]:
        text = section_text(response, key)
        assert message in text, key
        assert "0 in all" in text, key
        assert titles(response, key) == [], key
    # Signing in with force_login leaves no log entry: nothing has changed yet.
    assert "No changes recorded yet." in section_text(response, "changes")
    # Django's list of everything staff may edit is still on the page.
    assert reverse("admin:news_newsitem_changelist") in response.content.decode()


def test_recent_changes_say_who_changed_what_and_who_last_changed_a_draft(staff_client, content):
    fresh = content["fresh"]
    response = staff_client.post(
        reverse("admin:news_newsitem_changelist"),
        {"action": "unpublish", "_selected_action": [fresh.pk]},
    )
    assert response.status_code == 302

    response = staff_client.get(INDEX)
    changes = section_text(response, "changes")
    assert "Fresh story" in changes and "by boss" in changes
    assert "Unpublished from the list." in changes
    assert links(response, "changes")["Fresh story"] == reverse(
        "admin:news_newsitem_change", args=[fresh.pk]
    )
    # The story is a draft again, changed last by boss; the other drafts have no log entry.
    assert titles(response, "drafts")[0] == "Fresh story"
    drafts = section_text(response, "drafts")
    assert drafts.count("by boss") == 1
    assert "Fresh story" not in titles(response, "live")


def test_deleted_items_are_in_recent_changes_without_a_link(staff_client, content):
    old = content["old"]
    response = staff_client.post(
        reverse("admin:news_newsitem_delete", args=[old.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    response = staff_client.get(INDEX)
    assert "Deleted" in section_text(response, "changes")
    assert "Old story" in section_text(response, "changes")
    assert "Old story" not in links(response, "changes")


def test_an_editor_sees_drafts_and_is_told_who_publishes(django_user_model, content):
    editor = member_of(django_user_model, "Editors")
    response = editor.get(INDEX)
    assert titles(response, "drafts")[0] == "Draft story"
    assert titles(response, "scheduled") == ["Page in two days", "Coming in five days"]
    assert "Only publishers can publish" in section_text(response, "drafts")
    assert "Only publishers can publish" in section_text(response, "overdue")

    publisher = member_of(django_user_model, "Publishers", name="publisher")
    response = publisher.get(INDEX)
    assert titles(response, "drafts")[0] == "Draft story"
    assert "Only publishers can publish" not in section_text(response, "drafts")


def test_sections_cover_only_what_the_user_may_view(django_user_model, content):
    user = django_user_model.objects.create_user(
        "newsdesk", "newsdesk@example.org", "pw-Long-enough-1", is_staff=True
    )
    user.user_permissions.add(Permission.objects.get(codename="view_newsitem"))
    client = Client()
    client.force_login(user)
    # A change to a user account, which this user may not see.
    LogEntry.objects.log_actions(
        user.pk, [user], CHANGE, change_message="Changed the password.", single_object=True
    )
    LogEntry.objects.log_actions(
        user.pk, [content["fresh"]], CHANGE, change_message="Fixed a typo.", single_object=True
    )

    response = client.get(INDEX)
    assert titles(response, "drafts") == ["Draft story", "Forgotten launch"]
    assert "2 in all" in section_text(response, "drafts")
    assert titles(response, "scheduled") == ["Coming in five days"]
    # Program pages and municipalities are not theirs: no section of only those.
    assert section_html(response, "stale") is None
    assert titles(response, "changes") == ["Fresh story"]
    assert "Changed the password." not in response.content.decode()


def test_a_staff_user_without_permissions_sees_no_sections(db, django_user_model):
    user = django_user_model.objects.create_user("nobody", "n@example.org", "x", is_staff=True)
    make_news("Secret draft", published=False)
    client = Client()
    client.force_login(user)
    response = client.get(INDEX)
    assert response.status_code == 200
    assert 'class="module dashboard-section"' not in response.content.decode()
    assert "Secret draft" not in response.content.decode()


def test_an_applications_own_admin_page_lists_its_models_without_the_dashboard(
    staff_client, content
):
    response = staff_client.get(reverse("admin:app_list", args=["redirects"]))
    page = response.content.decode()

    assert response.status_code == 200
    assert 'class="module dashboard-section"' not in page
    assert "Everything you can edit" not in page
    assert reverse("admin:redirects_redirect_changelist") in page
    assert reverse("admin:news_newsitem_changelist") not in page


def test_the_dashboard_needs_a_staff_login(client, db):
    make_news("Secret draft", published=False)
    response = client.get(INDEX)
    assert response.status_code == 302
    assert "Secret draft" not in response.content.decode()


# Bounded queries --------------------------------------------------------------------------------


def many(model, count, prefix, **fields):
    """`count` rows in one query (no save(): bulk_create, as an import would)."""
    rows = []
    for n in range(count):
        extra = dict(fields)
        if model is Municipality:
            extra.setdefault("name", f"{prefix} {n}")
        else:
            extra.setdefault("title", f"{prefix} {n}")
        if model is NewsItem:
            extra.setdefault("summary", "A summary.")
        rows.append(model(slug=f"{prefix}-{n}", **extra))
    model.objects.bulk_create(rows, batch_size=500)


def index_queries(client):
    """The queries of showing the dashboard, once the process's caches (content types) are
    warm."""
    client.get(INDEX)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(INDEX)
    assert response.status_code == 200
    return len(queries), response


def test_the_query_count_stays_the_same_with_thousands_of_items_and_counts_stay_exact(
    staff_client, content
):
    few, response = index_queries(staff_client)
    assert "4 in all" in section_text(response, "drafts")
    # 25, and 9 for the two "Needs translation" sections: a list per kind of item and language
    # (news items, program pages, municipalities, partnerships), and the partnerships' count.
    assert few <= 34

    many(ProgramPage, 300, "bulk-page-draft", is_published=False)
    many(NewsItem, 2000, "bulk-draft", is_published=False)
    many(NewsItem, 700, "bulk-soon", is_published=True, published_at=now() + days(10))
    many(NewsItem, 40, "bulk-later", is_published=True, published_at=now() + days(45))
    many(NewsItem, 900, "bulk-live", is_published=True, published_at=now() - days(1))
    long_ago = {"is_published": True, "published_at": now() - days(99)}
    many(NewsItem, 650, "bulk-report", kind=Kind.REPORT, summary="", **long_ago)
    many(NewsItem, 1200, "bulk-members", is_members_only=True, **long_ago)
    many(Municipality, 400, "bulk-town", is_published=True, country="CA")
    Municipality.objects.filter(slug__startswith="bulk-town").update(updated_at=now() - days(400))
    LogEntry.objects.log_actions(
        staff_client.session["_auth_user_id"],
        list(NewsItem.objects.filter(is_published=False).order_by("-updated_at", "pk")[:300]),
        CHANGE,
        change_message="Bulk edit.",
    )

    again, response = index_queries(staff_client)
    assert again == few
    assert "2,304 in all" in section_text(response, "drafts")
    assert "702 in all" in section_text(response, "scheduled")
    assert "901 in all" in section_text(response, "live")
    assert "402 in all" in section_text(response, "stale")
    assert "652 in all" in section_text(response, "reports")
    assert "1,201 in all" in section_text(response, "members")
    assert "1 in all" in section_text(response, "overdue")
    for key in ["drafts", "scheduled", "live", "stale", "reports", "members"]:
        assert len(titles(response, key)) == 10, key
        assert "the first 10 below" in section_text(response, key), key
    assert len(titles(response, "changes")) == 15
    assert "News items: show all 2,002" in links(response, "drafts")
    # Every bulk news item is in English only: counted, and the first ten listed, per language.
    untranslated = NewsItem.objects.filter(title_fr__isnull=True).count()
    assert untranslated > 5000
    for lang in ["fr", "km"]:
        assert f"News items: show all {untranslated:,}" in links(response, f"translation-{lang}")
        assert len(titles(response, f"translation-{lang}")) == 10
    # The drafts last changed in the log show who changed them.
    assert "by boss" in section_text(response, "drafts")


def test_an_editor_s_dashboard_costs_a_fixed_number_of_queries_too(django_user_model, content):
    editor = member_of(django_user_model, "Editors")
    few, _response = index_queries(editor)
    many(NewsItem, 500, "bulk-draft", is_published=False)
    many(ProgramPage, 500, "bulk-page", is_published=True, published_at=now() - days(1))
    again, response = index_queries(editor)
    assert again == few
    assert "504 in all" in section_text(response, "drafts")
