"""Publishing goes one way (editorial.workflow): whichever path publishes an item (the admin's
form, list editing, an inline row, a bulk action, the CSV import, the shell, a time set for
later), its history says who did what, and a report's alert emails are queued once. Unpublishing
is in the history too; loading data (what a restore does) queues no alerts.

The tests about alerts commit for real (transactional_db): the worker, like the real one, runs
the tasks queued once the publishing transaction committed."""

import datetime

import pytest
from django import forms
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django_tasks_db.models import DBTaskResult
from reversion.models import Version

from core.publishing import Status, published, unpublished
from editorial.workflow import publish, unpublish
from news.models import Kind, NewsItem
from partners.models import Country, Municipality, Partnership

from .helpers import (
    admin_form_data,
    change_url,
    confirm,
    make_member,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    preview,
    publish_in_admin,
    run_worker,
    visible_text,
)

ALERTS_QUEUED = "Alert emails to subscribed members are queued."
NEWS_LIST = "/admin/news/newsitem/"


@pytest.fixture
def subscriber(db):
    make_member("press@example.org", alerts_press=True)
    return make_member("reports@example.org", alerts_reports=True)


@pytest.fixture
def publisher(django_user_model, db):
    return django_user_model.objects.create_user("sokha", "sokha@example.org", "x", is_staff=True)


@pytest.fixture
def announced():
    """What the published and unpublished signals told the apps: (signal, model, pk, by)."""
    heard = []

    def on_published(sender, item, by, **kwargs):
        heard.append(("published", sender, item.pk, by))

    def on_unpublished(sender, item, by, **kwargs):
        heard.append(("unpublished", sender, item.pk, by))

    published.connect(on_published, dispatch_uid="test_workflow")
    unpublished.connect(on_unpublished, dispatch_uid="test_workflow")
    yield heard
    published.disconnect(dispatch_uid="test_workflow")
    unpublished.disconnect(dispatch_uid="test_workflow")


def latest_revision(obj):
    return Version.objects.get_for_object(obj).order_by("-pk").first().revision


def alert_tasks():
    return DBTaskResult.objects.filter(task_path__endswith="send_news_alerts")


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def changelist_data(response):
    """What a change list with list editing posts back if staff change nothing."""
    formset = response.context["cl"].formset
    data = {"_save": "Save"}
    management = formset.management_form
    for name in management.fields:
        data[management.add_prefix(name)] = management[name].value()
    for form in formset.forms:
        for name, field in form.fields.items():
            value = form[name].value()
            if isinstance(field, forms.BooleanField):
                if value:
                    data[form.add_prefix(name)] = "on"
            else:
                data[form.add_prefix(name)] = "" if value is None else value
    return data, formset


# The paths ---------------------------------------------------------------------------------------


def test_publishing_in_the_admin_form_is_in_the_history_and_alerts_once(
    staff_client, subscriber, transactional_db
):
    publisher = staff_client
    item = publish_in_admin(publisher, "Rice markets report")
    assert ALERTS_QUEUED in visible_text(publisher.get(NEWS_LIST))
    revision = latest_revision(item)
    assert revision.user.username == "boss"
    # The report's document is an inline row of the form: its addition is named too.
    assert revision.comment == "Published. Added. Added document “Report: Rice markets report”."

    # A change to it is a draft until published ("Publish changes"): published again, it
    # is in the history, but its alerts are not queued a second time.
    data = admin_form_data(publisher.get(change_url(item)))
    data["title_en"] = "Rice markets report, revised"
    data["_publish_draft"] = "Publish changes"
    assert publisher.post(change_url(item), data).status_code == 302
    assert latest_revision(item).comment.startswith("Published. Changed Title [en]")
    assert ALERTS_QUEUED not in visible_text(publisher.get(NEWS_LIST))

    assert alert_tasks().count() == 1
    run_worker()
    assert recipients() == ["reports@example.org"]


def test_publishing_from_the_list_is_in_the_history_and_alerts_once(
    staff_client, subscriber, transactional_db
):
    publisher = staff_client
    draft = make_news("Water report", kind=Kind.REPORT, published=False)
    action = {"action": "publish_now", "_selected_action": [draft.pk]}
    page = visible_text(publisher.post(NEWS_LIST, action, follow=True))
    assert "1 item published." in page and ALERTS_QUEUED in page
    assert Client().get(draft.get_absolute_url()).status_code == 200
    revision = latest_revision(draft)
    assert revision.user.username == "boss"
    assert revision.comment == "Published from the list."

    # Published already: nothing to do, nothing queued again.
    page = visible_text(publisher.post(NEWS_LIST, action, follow=True))
    assert "0 items published." in page and ALERTS_QUEUED not in page
    assert alert_tasks().count() == 1
    run_worker()
    assert recipients() == ["reports@example.org"]

    publisher.post(NEWS_LIST, {"action": "unpublish", "_selected_action": [draft.pk]})
    assert Client().get(draft.get_absolute_url()).status_code == 404
    assert latest_revision(draft).comment == "Unpublished from the list."


def test_publishing_a_municipality_by_list_editing_is_in_the_history(staff_client, db, announced):
    draft = make_municipality("Town of Smithers", published=False)
    url = reverse("admin:partners_municipality_changelist")
    data, formset = changelist_data(staff_client.get(url))
    (row,) = [form for form in formset.forms if form.instance.pk == draft.pk]
    data[row.add_prefix("is_published")] = "on"
    assert staff_client.post(url, data).status_code == 302
    draft.refresh_from_db()
    assert draft.is_published
    assert Client().get(draft.get_absolute_url()).status_code == 200
    revision = latest_revision(draft)
    assert revision.user.username == "boss"
    assert revision.comment == "Published. Changed Published."
    assert announced == [("published", Municipality, draft.pk, revision.user)]


def test_a_pairing_published_under_its_municipality_is_in_the_history(staff_client, db, announced):
    canadian = make_municipality("City of Chilliwack")
    cambodian = make_municipality("Kang Meas District", country=Country.CAMBODIA)
    pairing = make_partnership(canadian, cambodian, is_published=False)
    response = staff_client.get(change_url(canadian))
    data = admin_form_data(response)
    prefix = response.context["inline_admin_formsets"][0].formset.prefix
    data[f"{prefix}-0-is_published"] = "on"
    assert staff_client.post(change_url(canadian), data).status_code == 302
    pairing.refresh_from_db()
    assert pairing.is_published
    # The municipality itself is unchanged (no draft of it): the pairing's own revision.
    revision = latest_revision(pairing)
    assert revision.comment.startswith("Published. Changed")
    assert announced == [("published", Partnership, pairing.pk, revision.user)]


IMPORT_HEADER = (
    "slug,name,country,province,latitude,longitude,website,summary,is_sample,is_published\r\n"
)
SMITHERS = "town-of-smithers,Town of Smithers,CA,British Columbia,54.78,-127.17,,A town.,false"


def test_a_publisher_importing_a_published_municipality_publishes_it_with_its_history(
    role_client, announced
):
    publisher = role_client("Publishers")
    leaving = make_municipality("Town of Leaving", slug="town-of-leaving", region="Ontario")
    content = (
        IMPORT_HEADER
        + f"{SMITHERS},true\r\n"
        + "town-of-leaving,Town of Leaving,CA,Ontario,,,,,false,false\r\n"
    )
    response = preview(publisher, content)
    assert response.status_code == 200, visible_text(response)
    assert announced == []  # the preview publishes nothing
    assert confirm(publisher, response).status_code == 302

    smithers = Municipality.objects.get(slug="town-of-smithers")
    assert smithers.is_published
    assert Client().get(smithers.get_absolute_url()).status_code == 200
    leaving.refresh_from_db()
    assert not leaving.is_published
    revision = latest_revision(smithers)
    assert revision == latest_revision(leaving)  # one import, one history entry
    assert revision.user == publisher.user
    assert revision.comment == "Imported from municipalities.csv. Published. Unpublished."
    assert announced == [
        ("published", Municipality, smithers.pk, publisher.user),
        ("unpublished", Municipality, leaving.pk, publisher.user),
    ]


def test_publishing_in_the_shell_is_in_the_history_and_alerts_once(
    publisher, subscriber, transactional_db
):
    item = make_news("Annual report", kind=Kind.REPORT, published=False)
    outcome = publish(item, by=publisher, comment="Approved by the board.")
    assert outcome.action == "published" and outcome.notes == [ALERTS_QUEUED]
    item.refresh_from_db()
    assert item.status == Status.PUBLISHED
    assert Client().get(item.get_absolute_url()).status_code == 200
    revision = latest_revision(item)
    assert revision.user == publisher
    assert revision.comment == "Published. Approved by the board."

    # Published again (as when a live item's changes are published): the alerts went once.
    assert publish(item, by=publisher).notes == []
    assert alert_tasks().count() == 1
    run_worker()
    assert recipients() == ["reports@example.org"]


def test_an_item_published_for_later_is_scheduled_and_announced_at_its_time(
    publisher, subscriber, transactional_db
):
    item = make_news("Budget report", kind=Kind.REPORT, published=False)
    later = timezone.now() + datetime.timedelta(hours=2)
    outcome = publish(item, by=publisher, at=later)
    assert outcome.action == "scheduled"
    item.refresh_from_db()
    assert item.status == Status.SCHEDULED and item.published_at == later
    assert Client().get(item.get_absolute_url()).status_code == 404
    when = date_format(timezone.localtime(later), "SHORT_DATETIME_FORMAT")
    assert latest_revision(item).comment == f"Scheduled for {when}."
    assert alert_tasks().get().run_after == later
    run_worker()
    assert mail.outbox == []

    # The time comes (the worker runs the task then).
    NewsItem.objects.filter(pk=item.pk).update(published_at=timezone.now())
    DBTaskResult.objects.update(run_after=timezone.now())
    run_worker()
    assert recipients() == ["reports@example.org"]
    assert alert_tasks().count() == 1


def test_only_items_with_a_publication_time_can_be_scheduled(publisher):
    draft = make_municipality("Town of Draft", published=False)
    with pytest.raises(ValueError, match="has no publication time"):
        publish(draft, by=publisher, at=timezone.now() + datetime.timedelta(days=1))
    draft.refresh_from_db()
    assert not draft.is_published


def test_unpublishing_in_the_shell_is_in_the_history(publisher, announced):
    page = make_page("Old section")
    outcome = unpublish(page, by=publisher, comment="Out of date.")
    assert outcome.action == "unpublished"
    assert Client().get(page.get_absolute_url()).status_code == 404
    revision = latest_revision(page)
    assert revision.user == publisher and revision.comment == "Unpublished. Out of date."
    assert announced == [("unpublished", type(page), page.pk, publisher)]


def test_loading_a_published_report_from_a_backup_queues_no_alerts(
    subscriber, transactional_db, tmp_path
):
    make_news("Report from the old server", kind=Kind.REPORT)
    fixture = tmp_path / "news.json"
    call_command("dumpdata", "news.newsitem", output=str(fixture), verbosity=0)
    NewsItem.objects.all().delete()
    # What `manage.py restore` does: loaddata, whose saves are raw (no publish()).
    call_command("loaddata", str(fixture), verbosity=0)
    restored = NewsItem.objects.get()
    assert restored.is_live and restored.alerts_queued_at is None
    assert not alert_tasks().exists()
    run_worker()
    assert mail.outbox == []
