"""Alert emails: publishing a report or press feature emails each subscribed member once,
from the task worker; every email can unsubscribe without a login.

These tests commit for real (transactional_db): the worker, like the real one, runs the
tasks the admin queued after its transaction committed."""

import datetime
import re

from django.contrib.auth.models import Group
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from news.alerts import send_news_alerts, unsubscribe_token
from news.models import AlertDelivery, Kind, NewsItem

from .helpers import (
    make_member,
    publish_in_admin,
    run_worker,
    visible_text,
)


def subscribers():
    return [
        make_member("reports@example.org", alerts_reports=True),
        make_member("press@example.org", alerts_press=True),
        make_member("both@example.org", alerts_reports=True, alerts_press=True),
        make_member("none@example.org"),
    ]


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_publishing_a_report_emails_each_report_subscriber_once(staff_client, transactional_db):
    subscribers()
    item = publish_in_admin(staff_client, "Women in local politics")
    assert mail.outbox == []  # the admin only queued the work
    run_worker()
    assert recipients() == ["both@example.org", "reports@example.org"]
    message = mail.outbox[0]
    assert "Women in local politics" in message.subject
    assert item.get_absolute_url() in message.body
    assert "/en/accounts/alerts/unsubscribe/" in message.body
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")

    # Saving again, or a restarted worker running the task again, sends nobody a second copy.
    item.save()
    run_worker()
    send_news_alerts.call(item.pk)
    assert len(mail.outbox) == 2
    assert AlertDelivery.objects.filter(sent_at__isnull=False).count() == 2


def test_press_features_go_to_press_subscribers_and_plain_news_to_nobody(
    staff_client, transactional_db
):
    subscribers()
    publish_in_admin(staff_client, "Canada in the news", kind=Kind.PRESS)
    publish_in_admin(staff_client, "Office closed", kind=Kind.NEWS)
    run_worker()
    assert recipients() == ["both@example.org", "press@example.org"]


def test_unconfirmed_and_inactive_subscribers_get_nothing(staff_client, transactional_db):
    unconfirmed = make_member("unconfirmed@example.org", alerts_reports=True)
    unconfirmed.emailaddress_set.update(verified=False)
    make_member("gone@example.org", alerts_reports=True, is_active=False)
    publish_in_admin(staff_client, "Quiet report")
    run_worker()
    assert mail.outbox == []


def test_a_scheduled_item_is_announced_at_its_time_not_before(staff_client, transactional_db):
    subscribers()
    later = timezone.now() + datetime.timedelta(hours=2)
    item = publish_in_admin(staff_client, "Tomorrow's report", when=later)
    run_worker()
    assert mail.outbox == []
    NewsItem.objects.filter(pk=item.pk).update(published_at=timezone.now())
    DBTaskResult.objects.update(run_after=timezone.now())
    run_worker()
    assert recipients() == ["both@example.org", "reports@example.org"]


def test_a_failing_mail_server_is_retried_and_visible_to_staff(
    staff_client, transactional_db, settings
):
    make_member("reports@example.org", alerts_reports=True)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    item = publish_in_admin(staff_client, "Report in a storm")
    assert staff_client.get(item.get_absolute_url()).status_code == 200  # admin unaffected
    run_worker()
    delivery = AlertDelivery.objects.get()
    assert delivery.sent_at is None and delivery.attempts == 1
    assert "ConnectionRefusedError" in delivery.last_error
    page = visible_text(staff_client.get(reverse("admin:news_alertdelivery_changelist")))
    assert "Report in a storm" in page and "failed" in page
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now()

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.update(run_after=timezone.now())
    run_worker()
    delivery.refresh_from_db()
    assert delivery.sent_at is not None and delivery.attempts == 2
    assert recipients() == ["reports@example.org"]


def test_the_unsubscribe_link_works_without_login_after_one_button(
    client, staff_client, transactional_db
):
    member = make_member("both@example.org", alerts_reports=True, alerts_press=True)
    publish_in_admin(staff_client, "First report")
    run_worker()
    path = re.search(r"https?://[^/\s]+(/en/accounts/alerts/unsubscribe/\S+)", mail.outbox[0].body)
    response = client.get(path.group(1))
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.alerts_reports  # opening the link changes nothing (tests/test_unsubscribe.py)
    response = client.post(path.group(1), {"action": "stop"})
    assert "You are unsubscribed" in visible_text(response)
    assert "new reports" in visible_text(response)
    member.refresh_from_db()
    assert not member.alerts_reports and member.alerts_press

    mail.outbox.clear()
    publish_in_admin(staff_client, "Second report")
    run_worker()
    assert mail.outbox == []


def test_one_click_unsubscribe_by_post_from_a_mail_client(client, db):
    member = make_member("press@example.org", alerts_press=True)
    url = reverse("alerts:unsubscribe", args=[unsubscribe_token(member, "alerts_press")])
    client.handler.enforce_csrf_checks = True
    assert client.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 200
    member.refresh_from_db()
    assert not member.alerts_press


def test_a_tampered_unsubscribe_link_is_refused_clearly(client, db):
    member = make_member("press@example.org", alerts_press=True)
    token = unsubscribe_token(member, "alerts_press")
    forged = signing.dumps({"u": member.pk, "f": "is_superuser"}, salt="other")
    for bad in [token[:-2] + "xx", "nonsense", forged, "x" * 5000]:
        response = client.get(reverse("alerts:unsubscribe", args=[bad]))
        assert response.status_code == 400
        assert "This link does not work" in visible_text(response)
    member.refresh_from_db()
    assert member.alerts_press


def test_members_choose_their_alerts(client, db):
    member = make_member("ana@example.org")
    client.force_login(member)
    page = visible_text(client.get("/en/accounts/alerts/"))
    assert "Email me new reports" in page and "Email me new press features" in page
    response = client.post("/en/accounts/alerts/", {"alerts_reports": "on"})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.alerts_reports and not member.alerts_press


def test_editors_can_see_alert_emails_but_not_change_them(client, db, django_user_model):

    editor = django_user_model.objects.create_user("ed", "ed@example.org", "x", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    assert client.get(reverse("admin:news_alertdelivery_changelist")).status_code == 200
    assert client.get(reverse("admin:accounts_user_changelist")).status_code == 403
