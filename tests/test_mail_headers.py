"""Every email of the site names it ("Municipal Partners for Economic Development", the site
settings' name), comes from DEFAULT_FROM_EMAIL and has a Message-ID from the site's domain
(core.mail.SiteEmailBackend, the EMAIL_BACKEND; the test suite swaps in mail.outbox, so these
tests put it back in front of it). An alert's summary not yet translated is marked English."""

import re

import pytest
from django.core import mail
from django.utils import translation

from news.models import Kind, NewsItem

from .helpers import make_member, publish_in_admin, run_worker, signup, submit

SITE = "Municipal Partners for Economic Development"
SENDER = f"{SITE} <noreply@mped.example.org>"


@pytest.fixture(autouse=True)
def site_mail(settings):
    settings.EMAIL_BACKEND = "core.mail.SiteEmailBackend"
    settings.MPED_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MPED_SITE_URL = "https://mped.example.org"
    settings.DEFAULT_FROM_EMAIL = SENDER


def assert_from_the_site(message):
    assert message.from_email == SENDER
    assert re.fullmatch(r"<[^@>]+@mped\.example\.org>", message.message()["Message-ID"])
    assert SITE in message.body
    assert "127.0.0.1" not in message.body and "testserver" not in message.body


def test_sign_up_confirmation_and_password_reset_name_the_site(client, db):
    signup(client)
    make_member("old@example.org")
    client.post("/en/accounts/password/reset/", {"email": "old@example.org"})
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert_from_the_site(message)
    assert f"Hello from {SITE}!" in mail.outbox[0].body


def test_alerts_name_the_site(staff_client, transactional_db):
    make_member("both@example.org", alerts_reports=True, alerts_press=True)
    publish_in_admin(staff_client, "Women in local politics")
    publish_in_admin(staff_client, "Canada in the news", kind=Kind.PRESS)
    run_worker()
    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert_from_the_site(message)
        assert SITE in message.alternatives[0][0]


def test_staff_invitations_name_the_site(transactional_db, client, django_user_model):
    from .helpers import restore_roles

    restore_roles()
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw-Long-1x")
    client.force_login(boss)
    data = {
        "first_name": "Dara",
        "last_name": "Keo",
        "email": "dara@example.org",
        "role": "editor",
        "language": "en",
        "_save": "Send the invitation",
    }
    assert client.post("/admin/accounts/user/add/", data).status_code == 302
    run_worker()
    (message,) = mail.outbox
    assert_from_the_site(message)


def test_review_notifications_name_the_site(transactional_db, people):
    from .helpers import make_news

    item = make_news("Budget report", kind=Kind.REPORT, published=False)
    submit(people["editor"], item, "Please check.")
    run_worker()
    assert mail.outbox
    for message in mail.outbox:
        assert_from_the_site(message)


def test_a_french_alert_marks_an_untranslated_summary_as_english(staff_client, transactional_db):
    make_member("fr@example.org", alerts_reports=True, language="fr")
    item = publish_in_admin(staff_client, "Women in local politics")
    NewsItem.objects.filter(pk=item.pk).update(title_fr="Les femmes en politique locale")
    run_worker()
    (message,) = mail.outbox
    with translation.override("fr"):
        note = translation.gettext("Not yet translated")
    assert f"Summary of Women in local politics. ({note}: " in message.body
    html = message.alternatives[0][0]
    assert '<span class="untranslated" lang="en">Summary of Women in local politics.</span>' in html
    assert "Les femmes en politique locale" in message.body


def test_a_khmer_alert_marks_an_untranslated_summary_as_english(staff_client, transactional_db):
    make_member("km@example.org", alerts_reports=True, language="km")
    item = publish_in_admin(staff_client, "Women in local politics")
    NewsItem.objects.filter(pk=item.pk).update(title_km="ស្ត្រីក្នុងនយោបាយមូលដ្ឋាន")
    run_worker()
    (message,) = mail.outbox
    with translation.override("km"):
        note = translation.gettext("Not yet translated")
    assert note != "Not yet translated"  # said in Khmer
    assert f"Summary of Women in local politics. ({note}: " in message.body
    html = message.alternatives[0][0]
    assert '<span class="untranslated" lang="en">Summary of Women in local politics.</span>' in html
    assert "ស្ត្រីក្នុងនយោបាយមូលដ្ឋាន" in message.body
