"""Accounts through HTTP, as people use them: sign up, confirm, log in, recover, manage,
download, delete. Emails are read from Django's test outbox."""

import json
import re

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from partners.models import Country

from .helpers import PASSWORD, make_member, make_municipality, signup, visible_text

NEW_PASSWORD = "Monsoon-rain-on-tin-77"


def link_in(message, pattern):
    return re.search(rf"https?://[^/\s]+({pattern}[^\s]*)", message.body).group(1)


def login(client, email="ana@example.org", password=PASSWORD):
    return client.post("/en/accounts/login/", {"login": email, "password": password})


def logged_in(client):
    return "_auth_user_id" in client.session


def test_signup_with_profile_sends_one_confirmation_email(client, db):
    municipality = make_municipality("County of Example", region="Alberta")
    response = signup(client, organisation="County staff", municipality=municipality.pk)
    assert response.status_code == 302
    user = get_user_model().objects.get(email="ana@example.org")
    assert (user.first_name, user.last_name, user.organisation) == ("Ana", "Sok", "County staff")
    assert user.municipality == municipality
    assert user.password.startswith("argon2")
    assert not logged_in(client)
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ana@example.org"]
    assert "/en/accounts/confirm-email/" in mail.outbox[0].body
    page = visible_text(client.get(response["Location"]))
    assert "Verify Your Email Address" in page or "confirm" in page.lower()


def test_the_home_page_link_leads_to_the_signup_form(client, demo):
    html = client.get("/en/").content.decode()
    assert '<a href="/en/accounts/signup/">Create one now</a>' in html
    page = client.get("/en/accounts/signup/")
    text = visible_text(page)
    for label in ["Email", "First name", "Last name", "Organisation", "Partner municipality"]:
        assert label in text
    assert "Skip to main content" in text  # the site's own layout
    assert "Username" not in text


def test_confirmation_link_confirms_and_logs_in(client, db):
    signup(client)
    path = link_in(mail.outbox[0], "/en/accounts/confirm-email/")
    page = client.get(path)
    assert page.status_code == 200 and "ana@example.org" in visible_text(page)
    response = client.post(path)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="ana@example.org").verified
    assert logged_in(client)
    assert "Logged in as Ana" in visible_text(client.get("/en/"))


def test_no_login_before_the_email_is_confirmed_and_the_email_can_be_sent_again(client, db):
    signup(client)
    mail.outbox.clear()
    response = login(client)
    assert not logged_in(client)
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert mail.outbox == []  # at most one confirmation email per three minutes
    cache.clear()  # three minutes later
    login(client)
    assert not logged_in(client)
    assert len(mail.outbox) == 1  # the confirmation email, asked for again by logging in


def test_a_used_or_tampered_confirmation_link_gets_a_clear_page(client, db):
    signup(client)
    path = link_in(mail.outbox[0], "/en/accounts/confirm-email/")
    client.post(path)
    client.post("/en/accounts/logout/")
    used = client.get(path)
    assert used.status_code == 200
    assert "This email confirmation link expired or is invalid." in visible_text(used)
    assert client.post(path).status_code == 404  # confirming again: nothing to confirm
    tampered = client.get(path[:-3] + "xx/")
    assert tampered.status_code == 200
    text = visible_text(tampered)
    assert "expired or is invalid" in text and "issue a new email confirmation request" in text
    assert "Skip to main content" in text


def test_an_expired_confirmation_link_gets_a_clear_page(client, db, settings):
    signup(client)
    address = EmailAddress.objects.get(email="ana@example.org")
    key = EmailConfirmationHMAC(address).key
    settings.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = -1
    response = client.get(reverse("account_confirm_email", args=[key]))
    assert "expired or is invalid" in visible_text(response)
    assert not EmailAddress.objects.get(pk=address.pk).verified


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"password2": "Something-else-entirely-9"}, "You must type the same password each time"),
        ({"password": "password"}, "This password is too common."),
        ({"password": "12345678923"}, "This password is entirely numeric."),
        ({"first_name": ""}, "This field is required."),
        ({"municipality": "99999"}, "Select a valid choice."),
    ],
    ids=["malformed email", "mismatch", "common", "numeric", "no name", "unknown municipality"],
)
def test_bad_signups_come_back_with_a_message_and_create_nobody(client, db, change, message):
    response = signup(client, **change)
    assert response.status_code == 200
    assert message in visible_text(response).replace("&#x27;", "'")
    assert get_user_model().objects.count() == 0
    assert mail.outbox == []


def test_a_taken_email_cannot_sign_up_again_and_nothing_is_lost(client, db):
    member = make_member("ana@example.org")
    response = signup(client, email="ANA@example.org")
    # allauth does not reveal that the address is registered: it "sends" a confirmation
    # and, instead, emails the owner that someone tried to sign up.
    assert get_user_model().objects.count() == 1
    assert get_user_model().objects.get().pk == member.pk
    assert response.status_code in (200, 302)
    assert get_user_model().objects.get().check_password(PASSWORD)


def test_wrong_password_gets_the_form_again_with_a_message(client, db):
    make_member("ana@example.org")
    response = login(client, password="Not-the-password-1")
    assert response.status_code == 200
    assert "The email address and/or password you specified are not correct." in visible_text(
        response
    )
    assert not logged_in(client)


def test_log_in_and_out_and_the_header_shows_who(client, db):
    make_member("ana@example.org", first_name="Ana")
    response = login(client, email="Ana@Example.org")
    assert response.status_code == 302 and logged_in(client)
    assert "Logged in as Ana" in visible_text(client.get("/en/"))
    client.post("/en/accounts/logout/")
    assert not logged_in(client)
    assert "Logged in as" not in visible_text(client.get("/en/"))


def test_repeated_failed_logins_are_rate_limited_with_a_clear_message(client, db):
    make_member("ana@example.org")
    for _attempt in range(5):
        login(client, password="Wrong-password-0")
    response = login(client, password=PASSWORD)
    assert response.status_code in (200, 429)
    assert "Too many failed login attempts" in visible_text(response)
    assert not logged_in(client)


def test_repeated_reset_requests_are_rate_limited(client, db):
    make_member("ana@example.org")
    statuses = [
        client.post("/en/accounts/password/reset/", {"email": "ana@example.org"}).status_code
        for _ in range(5)
    ]
    assert statuses == [302] * 5
    limited = client.post("/en/accounts/password/reset/", {"email": "ana@example.org"})
    assert limited.status_code == 429
    assert "Too many attempts" in visible_text(limited)
    assert len(mail.outbox) == 5


def test_repeated_signups_are_rate_limited_with_a_429(client, db, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "signup": "3/m/ip"}
    for n in range(3):
        signup(client, email=f"person{n}@example.org")
        client.post("/en/accounts/logout/")
    response = signup(client, email="person9@example.org")
    assert response.status_code == 429
    assert "Too many attempts" in visible_text(response)
    assert not get_user_model().objects.filter(email="person9@example.org").exists()


def test_password_reset_says_the_same_for_known_and_unknown_addresses(client, db):
    make_member("ana@example.org")
    known = client.post("/en/accounts/password/reset/", {"email": "ana@example.org"}, follow=True)
    unknown = client.post("/en/accounts/password/reset/", {"email": "who@example.org"}, follow=True)

    def without_addresses(response):
        text = visible_text(response)
        return text.replace("who@example.org", "").replace("ana@example.org", "")

    assert without_addresses(known) == without_addresses(unknown)
    assert [m.to for m in mail.outbox if "password/reset/key" in m.body] == [["ana@example.org"]]


def test_password_reset_link_sets_a_new_password_once(client, db):
    make_member("ana@example.org")
    client.post("/en/accounts/password/reset/", {"email": "ana@example.org"})
    path = link_in(mail.outbox[-1], "/en/accounts/password/reset/key/")
    form_page = client.get(path, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    response = client.post(action, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert login(client, password=NEW_PASSWORD).status_code == 302 and logged_in(client)
    client.post("/en/accounts/logout/")
    reused = client.get(path, follow=True)
    assert "Bad Token" in visible_text(reused) or "invalid" in visible_text(reused).lower()
    assert login(client, password=PASSWORD).status_code == 200  # the old password is gone


def test_members_change_password_add_an_email_and_edit_their_profile(client, db):
    member = make_member("ana@example.org")
    client.force_login(member)
    response = client.post(
        "/en/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.check_password(NEW_PASSWORD)

    wrong = client.post(
        "/en/accounts/password/change/",
        {"oldpassword": "nope", "password1": PASSWORD, "password2": PASSWORD},
    )
    assert wrong.status_code == 200 and "Please type your current password." in visible_text(wrong)

    mail.outbox.clear()
    client.post("/en/accounts/email/", {"email": "ana@work.example.org", "action_add": ""})
    added = EmailAddress.objects.get(email="ana@work.example.org")
    assert not added.verified and not added.primary
    assert mail.outbox[0].to == ["ana@work.example.org"]
    # An unconfirmed address cannot become the primary one.
    client.post("/en/accounts/email/", {"email": "ana@work.example.org", "action_primary": ""})
    assert EmailAddress.objects.get(email="ana@example.org").primary

    municipality = make_municipality("Kang Example", country=Country.CAMBODIA)
    response = client.post(
        "/en/accounts/profile/",
        {
            "first_name": "Ana",
            "last_name": "Sok-Lim",
            "organisation": "NLC/S",
            "municipality": municipality.pk,
            "language": "en",
        },
    )
    assert response.status_code == 302
    overview = visible_text(client.get("/en/accounts/"))
    assert "Sok-Lim" in overview and "NLC/S" in overview and "Kang Example" in overview


def test_a_bad_profile_edit_keeps_what_was_saved(client, db):
    member = make_member("ana@example.org", first_name="Ana", organisation="FCM")
    client.force_login(member)
    response = client.post("/en/accounts/profile/", {"first_name": "", "organisation": "x" * 300})
    assert response.status_code == 400
    assert "This field is required." in visible_text(response)
    member.refresh_from_db()
    assert (member.first_name, member.organisation) == ("Ana", "FCM")


def test_account_pages_need_a_login(client, db):
    for url in [
        "/en/accounts/",
        "/en/accounts/profile/",
        "/en/accounts/alerts/",
        "/en/accounts/data/",
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/en/accounts/login/")


def test_data_download_has_profile_emails_and_subscriptions(client, db):
    member = make_member("ana@example.org", first_name="Ana", alerts_reports=True)
    EmailAddress.objects.create(user=member, email="ana@work.example.org", verified=False)
    client.force_login(member)
    response = client.get("/en/accounts/data/")
    assert response["Content-Type"] == "application/json"
    assert "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["profile"]["first_name"] == "Ana"
    assert {e["email"] for e in data["email_addresses"]} == {
        "ana@example.org",
        "ana@work.example.org",
    }
    assert data["subscriptions"] == {"new_reports": True, "new_press_features": False}


def test_deleting_the_account_needs_the_password_then_removes_everything(client, db):
    member = make_member("ana@example.org")
    client.force_login(member)
    wrong = client.post("/en/accounts/delete/", {"password": "not mine"})
    assert wrong.status_code == 200
    assert "That is not your password." in visible_text(wrong)
    assert get_user_model().objects.filter(pk=member.pk).exists()

    response = client.post("/en/accounts/delete/", {"password": PASSWORD}, follow=True)
    assert "Your account and your personal data have been deleted." in visible_text(response)
    assert not get_user_model().objects.filter(pk=member.pk).exists()
    assert not EmailAddress.objects.filter(email="ana@example.org").exists()
    assert not logged_in(client)
    assert login(client).status_code == 200 and not logged_in(client)


def test_staff_find_members_by_name_email_organisation_and_filter_them(staff_client, db):
    confirmed = make_member("ana@example.org", first_name="Ana", organisation="Kang Meas office")
    unconfirmed = make_member("bo@example.org", first_name="Bo", alerts_press=True)
    EmailAddress.objects.filter(user=unconfirmed).update(verified=False)
    url = reverse("admin:accounts_user_changelist")

    def emails(query):
        response = staff_client.get(url + query)
        assert response.status_code == 200
        return {user.email for user in response.context["cl"].result_list}

    assert emails("?q=Kang+Meas") == {"ana@example.org"}
    assert emails("?q=bo%40example") == {"bo@example.org"}
    assert emails("?q=ana%40example.org") == {"ana@example.org"}
    assert "ana@example.org" in emails("?confirmed=yes")
    assert "bo@example.org" not in emails("?confirmed=yes")
    assert emails("?confirmed=no") == {"bo@example.org", "boss@example.org"}  # staff: none
    assert emails("?subscribed=press") == {"bo@example.org"}
    assert emails("?subscribed=any") == {"bo@example.org"}
    assert confirmed.email in emails("?subscribed=none")
    page = visible_text(staff_client.get(url))
    assert "Kang Meas office" in page and "email confirmed" in page.lower()
