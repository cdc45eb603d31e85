"""Staff invitations (accounts/invitations.py, accounts/admin.py): an administrator names a new
staff member and their role in the admin; the person gets an email in their language with a
link to set their own password, which confirms their address and logs them in with their role.
Nobody types a password for someone else."""

import datetime
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts import invitations

from .helpers import PASSWORD, form_errors, make_member, restore_roles, run_worker

User = get_user_model()
NEW_PASSWORD = "Mekong-river-at-noon-77"
ADD = "/admin/accounts/user/add/"


@pytest.fixture
def roles(transactional_db):
    # Committed for real, as in production: the email is queued once the invitation commits,
    # and the worker runs it. A transactional test's flush empties the roles: made again.
    restore_roles()


@pytest.fixture
def admin_client(roles):
    boss = User.objects.create_superuser(
        "boss", "boss@example.org", "pw-Long-enough-1", first_name="Sophea", last_name="Chan"
    )
    client = Client()
    client.force_login(boss)
    client.user = boss
    return client


def errors(response):
    """The form's error messages, all fields together."""
    return [message for messages in form_errors(response).values() for message in messages]


def invite(client, **fields):
    data = {
        "first_name": "Dara",
        "last_name": "Keo",
        "email": "dara@example.org",
        "role": "editor",
        "language": "en",
        "_save": "Send the invitation",
    }
    data.update(fields)
    return client.post(ADD, data)


def invitation_link(message):
    (link,) = re.findall(r"https?://\S+/accounts/invitation/\S+/", message.body)
    return link


def path_of(link):
    """The link's path (emails carry MPED_SITE_URL's address; the test client wants a path)."""
    return "/" + link.split("://", 1)[1].split("/", 1)[1]


def delivered():
    """Run the task worker and return the invitation emails it sent."""
    run_worker()
    return [m for m in mail.outbox if "/accounts/invitation/" in m.body]


def accept(client, link, password=NEW_PASSWORD, again=None):
    return client.post(
        path_of(link), {"new_password1": password, "new_password2": again or password}
    )


# The add page is an invitation ----------------------------------------------------------------


def test_the_add_page_asks_for_name_email_role_and_language_and_no_password(admin_client):
    response = admin_client.get(ADD)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Invite a staff member" in page
    for name in ("first_name", "last_name", "email", "role", "language"):
        assert f'name="{name}"' in page
    assert "password" not in re.findall(r'name="([^"]+)"', page)
    assert not [n for n in re.findall(r'name="([^"]+)"', page) if "password" in n]
    assert "Send the invitation" in page
    # A superuser may make another administrator.
    assert '<option value="administrator">Administrator</option>' in page


def test_inviting_an_editor_creates_the_account_and_queues_one_email_in_their_language(
    admin_client,
):
    response = invite(admin_client, email="Dara@Example.org", language="fr")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_changelist")
    user = User.objects.get(email="dara@example.org")
    assert user.is_staff and not user.is_superuser and user.is_active
    assert not user.has_usable_password()
    assert [g.name for g in user.groups.all()] == ["Editors"]
    assert user.invited_by == admin_client.user
    assert user.language == "fr"
    assert invitations.status(user) == invitations.Status.PENDING
    assert list(EmailAddress.objects.filter(user=user).values_list("email", "verified")) == [
        ("dara@example.org", False)
    ]
    shown = admin_client.get(response["Location"]).content.decode()
    assert "Invitation sent to Dara Keo (dara@example.org)." in shown

    # Queued, not sent in the request: the worker sends it.
    assert not mail.outbox
    (message,) = delivered()
    assert message.to == ["dara@example.org"]
    assert "[MPED]" in message.subject
    # In French, naming who invited them, the role and what it lets them do, and the expiry.
    assert "Sophea Chan" in message.body
    assert "/fr/accounts/invitation/" in message.body
    assert "Bonjour" in message.body or "Dara Keo" in message.body
    html_body, mime = message.alternatives[0]
    assert mime == "text/html"
    assert invitation_link(message) in html_body
    assert "Dara Keo" in html_body


def test_the_english_email_says_who_invited_the_role_what_it_does_and_when_it_expires(
    admin_client,
):
    invite(admin_client, role="publisher")
    (message,) = delivered()
    body = message.body
    assert "Hello Dara Keo," in body
    assert "Sophea Chan has invited you" in body
    assert "as: Publisher." in body
    assert "publish, schedule and unpublish" in body
    user = User.objects.get(email="dara@example.org")
    assert [g.name for g in user.groups.all()] == ["Publishers"]
    expires = timezone.localtime(invitations.expires_at(user))
    assert str(expires.year) in body and "until" in body
    assert "/en/accounts/invitation/" in body


def test_an_invited_editor_sets_a_password_from_the_email_and_logs_in_with_their_role(
    admin_client,
):
    invite(admin_client)
    (message,) = delivered()
    link = invitation_link(message)
    invitee = Client()

    page = invitee.get(path_of(link))
    assert page.status_code == 200
    assert "Set your password" in page.content.decode()
    assert "dara@example.org" in page.content.decode()
    assert "Editor" in page.content.decode()

    response = accept(invitee, link)
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:index")
    user = User.objects.get(email="dara@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert invitations.status(user) == invitations.Status.ACCEPTED
    assert EmailAddress.objects.get(user=user).verified
    assert EmailAddress.objects.get(user=user).primary
    assert int(invitee.session["_auth_user_id"]) == user.pk

    # In the admin with an editor's rights: news yes, users no, publishing no.
    assert invitee.get(reverse("admin:index")).status_code == 200
    assert invitee.get(reverse("admin:news_newsitem_add")).status_code == 200
    assert invitee.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert not user.has_perm("news.publish_newsitem")
    assert user.has_perm("news.add_newsitem")

    # The link is spent; the password works on the ordinary login page later.
    used = Client().get(path_of(link))
    assert used.status_code == 400
    assert "This invitation has been used" in used.content.decode()
    later = Client()
    response = later.post(
        "/en/accounts/login/", {"login": "dara@example.org", "password": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert int(later.session["_auth_user_id"]) == user.pk
    # Accepted, in the admin's list.
    listing = admin_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "Accepted" in listing


def test_with_two_factor_required_the_new_staff_member_sets_it_up_before_any_staff_power(
    admin_client, settings
):
    invite(admin_client)
    (message,) = delivered()
    settings.MPED_STAFF_REQUIRE_2FA = True
    invitee = Client()
    response = accept(invitee, invitation_link(message))
    assert response["Location"] == reverse("admin:index")
    response = invitee.get(reverse("admin:index"))
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")
    assert invitee.get(reverse("admin:news_newsitem_add")).status_code == 302


# Bad input on the invite form -------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"email": "not-an-address"}, "Enter a valid email address."),
        ({"email": ""}, "This field is required."),
        ({"first_name": ""}, "This field is required."),
        ({"role": ""}, "This field is required."),
        ({"role": "owner"}, "Choose one of the roles in the list."),
        ({"language": "de"}, "Select a valid choice."),
    ],
)
def test_a_bad_invitation_is_shown_again_with_its_error_and_nothing_is_made(
    admin_client, fields, message
):
    response = invite(admin_client, **fields)
    assert response.status_code == 200
    assert any(message in error for error in errors(response)), errors(response)
    assert not User.objects.filter(email="dara@example.org").exists()
    run_worker()
    assert not mail.outbox


def test_an_email_already_used_by_an_account_is_refused_whatever_its_case(admin_client):
    make_member("dara@example.org")
    response = invite(admin_client, email="DARA@example.ORG")
    assert response.status_code == 200
    (error,) = errors(response)
    assert "An account already uses dara@example.org" in error
    assert User.objects.filter(email__iexact="dara@example.org").count() == 1
    run_worker()
    assert not mail.outbox


def test_an_address_another_account_added_is_refused_too(admin_client):
    member = make_member("ana@example.org")
    EmailAddress.objects.create(user=member, email="second@example.org", verified=True)
    response = invite(admin_client, email="Second@example.org")
    assert "An account already uses second@example.org" in " ".join(errors(response))


def test_who_is_not_a_superuser_may_not_invite_nor_make_an_administrator(
    roles, editor, publisher, client
):
    member = make_member("member@example.org")
    client.force_login(member)
    # A member, an editor and a publisher: no user admin at all.
    for someone in (editor, publisher):
        assert someone.get(ADD).status_code == 403
        assert invite(someone).status_code == 403
    response = client.get(ADD)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not User.objects.filter(email="dara@example.org").exists()


def test_staff_with_the_user_permissions_but_not_superuser_cannot_choose_administrator(roles):
    from django.contrib.auth.models import Permission

    manager = User.objects.create_user("hr", "hr@example.org", "x", is_staff=True)
    manager.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="accounts", codename__in=["add_user", "change_user"]
        )
    )
    client = Client()
    client.force_login(manager)
    page = client.get(ADD).content.decode()
    assert 'value="administrator"' not in page
    response = invite(client, role="administrator")
    assert response.status_code == 200
    assert "Choose one of the roles in the list." in " ".join(errors(response))
    assert invite(client, role="publisher").status_code == 302
    assert not User.objects.get(email="dara@example.org").is_superuser


def test_a_superuser_may_invite_an_administrator(admin_client):
    invite(admin_client, role="administrator")
    user = User.objects.get(email="dara@example.org")
    assert user.is_superuser and user.is_staff and not user.groups.exists()
    (message,) = delivered()
    assert "Administrator" in message.body


# Bad links and bad passwords --------------------------------------------------------------------


@pytest.fixture
def invited(admin_client):
    invite(admin_client)
    (message,) = delivered()
    return User.objects.get(email="dara@example.org"), invitation_link(message)


@pytest.mark.parametrize(
    "path",
    [
        "/en/accounts/invitation/MTIzNDU2/abc-123/",
        "/en/accounts/invitation/!!!/abc-123/",
        "/en/accounts/invitation/bm90LWEtbnVtYmVy/x/",
        "/en/accounts/invitation/OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5/abc-123/",
    ],
)
def test_a_made_up_link_is_a_404_that_says_what_to_do(db, client, path):
    response = client.get(path)
    assert response.status_code == 404
    page = response.content.decode()
    assert "This invitation link does not work" in page
    assert "ask the person who invited you" in page


def test_a_forged_token_for_a_real_invitation_is_a_404_and_sets_nothing(client, invited):
    user, link = invited
    forged = link.rstrip("/")[:-3] + "abc/"
    assert client.get(path_of(forged)).status_code == 404
    assert accept(client, forged).status_code == 404
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert "_auth_user_id" not in client.session


def test_an_expired_link_says_so_and_whom_to_ask(client, invited, settings):
    user, link = invited
    # The sending time is signed (changing it makes the link a bad one): shorten the lifetime.
    settings.MPED_INVITATION_DAYS = 0
    response = client.get(path_of(link))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This invitation has expired" in page
    assert "Ask Sophea Chan, who invited you, to send you a new invitation." in page
    assert accept(client, link).status_code == 400
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert invitations.status(user) == invitations.Status.EXPIRED


def test_an_invitation_is_valid_until_its_last_day(client, invited, settings):
    user, link = invited
    settings.MPED_INVITATION_DAYS = 7
    now = timezone.now()
    assert invitations.tokens.check(user, link.split("/")[-2]) == invitations.Check.VALID
    assert (
        invitations.tokens.check(
            user, link.split("/")[-2], now=now + datetime.timedelta(days=6, hours=23)
        )
        == invitations.Check.VALID
    )
    assert (
        invitations.tokens.check(user, link.split("/")[-2], now=now + datetime.timedelta(days=7))
        == invitations.Check.EXPIRED
    )


@pytest.mark.parametrize(
    "password, again, message",
    [
        (NEW_PASSWORD, NEW_PASSWORD + "x", "The two password fields didn’t match."),
        ("short", "short", "This password is too short."),
        ("password123", "password123", "This password is too common."),
        ("", "", "This field is required."),
    ],
)
def test_mismatched_or_weak_passwords_are_refused_with_a_400(
    client, invited, password, again, message
):
    user, link = invited
    response = accept(client, link, password=password, again=again)
    assert response.status_code == 400
    assert message in response.content.decode()
    user.refresh_from_db()
    assert not user.has_usable_password()
    assert invitations.status(user) == invitations.Status.PENDING
    # The link still works for a better try.
    assert accept(client, link).status_code == 302


def test_a_resent_invitation_replaces_the_last_link(admin_client, invited):
    user, old_link = invited
    mail.outbox.clear()
    url = reverse("admin:accounts_user_send", args=[user.pk, "invitation"])
    page = admin_client.get(url)
    assert page.status_code == 200
    assert "The link in the last invitation stops working." in page.content.decode()
    response = admin_client.post(url)
    assert response.status_code == 302
    (message,) = delivered()
    new_link = invitation_link(message)
    assert new_link != old_link
    assert Client().get(path_of(old_link)).status_code == 404
    assert accept(Client(), new_link).status_code == 302


def test_the_posted_form_is_rate_limited(client, invited, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        **settings.ACCOUNT_RATE_LIMITS,
        "reset_password_from_key": "3/m/ip",
    }
    user, link = invited
    answers = [accept(client, link, again="nope").status_code for _ in range(4)]
    assert answers == [400, 400, 400, 429]


# No password typed for someone else -------------------------------------------------------------


def test_the_change_form_of_someone_else_offers_emails_not_a_password(admin_client, invited):
    user, _link = invited
    page = admin_client.get(reverse("admin:accounts_user_change", args=[user.pk]))
    text = page.content.decode()
    assert "Invitation pending" in text
    assert "Resend the invitation" in text
    assert "/password/" not in text
    member = make_member("ana@example.org")
    text = admin_client.get(
        reverse("admin:accounts_user_change", args=[member.pk])
    ).content.decode()
    assert "Send a password reset email" in text
    assert "Set by its owner" in text
    assert "/password/" not in text


def test_djangos_set_password_page_for_someone_else_sets_nothing(admin_client):
    member = make_member("ana@example.org")
    url = reverse("admin:auth_user_password_change", args=[member.pk])
    response = admin_client.post(
        url, {"password1": "Hijacked-pass-123", "password2": "Hijacked-pass-123"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:accounts_user_change", args=[member.pk])
    member.refresh_from_db()
    assert member.check_password(PASSWORD)
    # One's own: the account pages, which ask for the current password.
    own = admin_client.get(reverse("admin:auth_user_password_change", args=[admin_client.user.pk]))
    assert own["Location"] == "/en/accounts/password/change/"


def test_a_password_reset_email_goes_to_the_person_in_their_language(admin_client):
    member = make_member("ana@example.org", language="fr")
    url = reverse("admin:accounts_user_send", args=[member.pk, "reset"])
    assert admin_client.post(url).status_code == 302
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"]
    assert "/fr/accounts/password/reset/key/" in message.body
    member.refresh_from_db()
    assert member.check_password(PASSWORD)


def test_emails_that_do_not_fit_the_account_are_refused_with_a_400(admin_client, invited):
    user, _link = invited
    member = make_member("ana@example.org")
    # A reset for someone whose invitation waits, an invitation for someone with a password.
    for person, kind in ((user, "reset"), (member, "invitation")):
        url = reverse("admin:accounts_user_send", args=[person.pk, kind])
        assert admin_client.get(url).status_code == 400
        assert admin_client.post(url).status_code == 400
    assert (
        admin_client.get(reverse("admin:accounts_user_send", args=[member.pk, "sms"])).status_code
        == 404
    )
    assert (
        admin_client.get(reverse("admin:accounts_user_send", args=[999999, "reset"])).status_code
        == 404
    )
    mail.outbox.clear()
    run_worker()
    assert not mail.outbox


def test_the_list_actions_resend_invitations_and_send_resets_to_whom_they_fit(
    admin_client, invited
):
    user, _link = invited
    member = make_member("ana@example.org")
    mail.outbox.clear()
    changelist = reverse("admin:accounts_user_changelist")
    response = admin_client.post(
        changelist,
        {"action": "resend_invitations", "_selected_action": [user.pk, member.pk]},
        follow=True,
    )
    text = response.content.decode()
    assert "A new invitation was sent to 1 person." in text
    assert "1 skipped" in text
    assert len(delivered()) == 1
    mail.outbox.clear()
    response = admin_client.post(
        changelist,
        {"action": "send_password_resets", "_selected_action": [user.pk, member.pk]},
        follow=True,
    )
    assert "A password reset email was sent to 1 person." in response.content.decode()
    assert [m.to for m in mail.outbox] == [["ana@example.org"]]


def test_the_user_list_shows_and_filters_each_invitation_state_in_constant_queries(
    admin_client,
):
    now = timezone.now()
    for n, (sent_days_ago, accepted) in enumerate([(1, False), (10, False), (2, True)] * 4):
        User.objects.create_user(
            f"staff{n}",
            f"staff{n}@example.org",
            None,
            is_staff=True,
            invitation_sent_at=now - datetime.timedelta(days=sent_days_ago),
            invitation_accepted_at=now if accepted else None,
        )
    url = reverse("admin:accounts_user_changelist")
    response = admin_client.get(url)
    text = response.content.decode()
    for label in ("Pending", "Expired", "Accepted"):
        assert text.count(f'<td class="field-invitation">{label}</td>') == 4
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        admin_client.get(url)
    for n in range(12, 24):
        User.objects.create_user(f"staff{n}", f"staff{n}@example.org", None, invitation_sent_at=now)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(url)
    assert len(many) == len(few)
    for value, count in (("pending", 16), ("expired", 4), ("accepted", 4)):
        filtered = admin_client.get(url, {"invitation": value}).content.decode()
        cell = f'<td class="field-invitation">{value.capitalize()}</td>'
        assert filtered.count(cell) == count


def test_the_worker_skips_an_invitee_deleted_before_the_email_went(admin_client):
    invite(admin_client)
    User.objects.filter(email="dara@example.org").delete()
    run_worker()
    assert not mail.outbox
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
