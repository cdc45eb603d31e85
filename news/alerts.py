"""Alert emails to members when a report or press feature is published.

Publishing (editorial.workflow's publish(), whichever path publishes) only queues a task
(`queue_alerts`, through the `published` signal); the worker (`manage.py db_worker`) sends the
emails, so a slow or failing mail server never slows or breaks the admin."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from accounts.models import supported_language
from core.mail import site_name
from core.translated import language_name, translated

from .models import AlertDelivery, Kind, NewsItem

# The kinds of news members can be alerted about, and the User field that subscribes them.
ALERT_FLAGS = {Kind.REPORT: "alerts_reports", Kind.PRESS: "alerts_press"}
ALERT_LABELS = {
    "alerts_reports": gettext_lazy("new reports"),
    "alerts_press": gettext_lazy("new press features"),
}
UNSUBSCRIBE_SALT = "mped.alerts.unsubscribe"
# An alert's unsubscribe link works this long (people act on old emails); then a page says so.
UNSUBSCRIBE_MAX_AGE = datetime.timedelta(days=730)
RETRY_DELAY = datetime.timedelta(minutes=5)


def unsubscribe_token(user, flag):
    return signing.dumps({"u": user.pk, "f": flag}, salt=UNSUBSCRIBE_SALT, compress=True)


def read_unsubscribe_token(token):
    """The (user id, flag) a token stands for; BadSignature if it was tampered with,
    SignatureExpired (a BadSignature) when it is too old."""
    data = signing.loads(token, salt=UNSUBSCRIBE_SALT, max_age=UNSUBSCRIBE_MAX_AGE)
    if not isinstance(data, dict) or data.get("f") not in ALERT_FLAGS.values():
        raise signing.BadSignature("unknown alert")
    return data["u"], data["f"]


def queue_alerts(item):
    """Queue the alerts for a published report or press feature, once per item. An item
    published for a later time is sent at that time."""
    if item.kind not in ALERT_FLAGS or not item.is_published or item.alerts_queued_at:
        return False
    now = timezone.now()
    # Claim the item in one UPDATE so two saves at once cannot queue it twice.
    claimed = NewsItem.objects.filter(pk=item.pk, alerts_queued_at__isnull=True).update(
        alerts_queued_at=now
    )
    if not claimed:
        return False
    item.alerts_queued_at = now
    run_after = item.published_at if item.published_at > now else None
    transaction.on_commit(lambda: send_news_alerts.using(run_after=run_after).enqueue(item.pk))
    return True


def alerts_on_publish(sender, item, **kwargs):
    """Receiver of core.publishing's `published` for news items (NewsConfig.ready()): every path
    that publishes through editorial.workflow queues the alerts; the note is for the admin."""
    if queue_alerts(item):
        return _("Alert emails to subscribed members are queued.")
    return None


def alert_email(item, user, flag):
    # Each member's alert is in their own language (User.language): subject, text, the
    # item's title and summary (English where it has no translation) and the links.
    with translation.override(supported_language(user.language)):
        site_url = settings.MPED_SITE_URL
        unsubscribe_url = site_url + reverse(
            "alerts:unsubscribe", args=[unsubscribe_token(user, flag)]
        )
        # As on the site: a summary not yet translated is the English one, marked as such
        # (lang="en" in the HTML part, a note in both).
        summary = translated(item, "summary")
        context = {
            "item": item,
            "summary": summary,
            "summary_language": language_name(summary.lang) if summary.missing else "",
            "site_name": site_name(),
            "home_url": site_url + reverse("home"),
            "user": user,
            "item_url": site_url + item.get_absolute_url(),
            "unsubscribe_url": unsubscribe_url,
            "preferences_url": site_url + reverse("accounts:alerts"),
        }
        message = EmailMultiAlternatives(
            subject=_("[MPED] New %(kind)s: %(title)s")
            % {"kind": item.get_kind_display().lower(), "title": item.title},
            body=render_to_string("news/email/alert.txt", context),
            to=[user.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        )
        message.attach_alternative(render_to_string("news/email/alert.html", context), "text/html")
        return message


@task()
def send_news_alerts(item_id):
    """Email each subscribed member once about a news item. Safe to run again: members
    already emailed are skipped, so a restarted worker sends nobody a second copy."""
    item = NewsItem.objects.filter(pk=item_id).first()
    if item is None:
        return {"sent": 0, "failed": 0, "skipped": "deleted"}
    if not item.is_published:
        # Unpublished before its time: publishing it again queues the alerts again.
        NewsItem.objects.filter(pk=item.pk).update(alerts_queued_at=None)
        return {"sent": 0, "failed": 0, "skipped": "not published"}
    if item.published_at > timezone.now():
        send_news_alerts.using(run_after=item.published_at).enqueue(item.pk)
        return {"sent": 0, "failed": 0, "skipped": "scheduled"}
    flag = ALERT_FLAGS.get(item.kind)
    if flag is None:
        return {"sent": 0, "failed": 0, "skipped": "kind has no alerts"}

    if item.publishing_problem():
        # Emptied after it was scheduled (its articles removed): no empty alert.
        return {"sent": 0, "failed": 0, "skipped": "nothing to announce"}
    users = get_user_model().objects.alert_recipients(flag)
    already_sent = set(
        AlertDelivery.objects.filter(news_item=item, sent_at__isnull=False).values_list(
            "user_id", flat=True
        )
    )
    sent = failed = 0
    retry = False
    for user in users:
        if user.pk in already_sent:
            continue
        delivery, _created = AlertDelivery.objects.get_or_create(news_item=item, user=user)
        if delivery.attempts >= settings.MPED_ALERT_MAX_ATTEMPTS:
            failed += 1
            continue
        delivery.attempts += 1
        try:
            alert_email(item, user, flag).send()
        except Exception as error:  # Any mail failure is recorded and retried
            delivery.last_error = f"{type(error).__name__}: {error}"[:2000]
            delivery.save(update_fields=["attempts", "last_error"])
            failed += 1
            retry = retry or delivery.attempts < settings.MPED_ALERT_MAX_ATTEMPTS
            continue
        delivery.sent_at = timezone.now()
        delivery.last_error = ""
        delivery.save(update_fields=["attempts", "last_error", "sent_at"])
        sent += 1
    if retry:
        send_news_alerts.using(run_after=timezone.now() + RETRY_DELAY).enqueue(item.pk)
    return {"sent": sent, "failed": failed}
