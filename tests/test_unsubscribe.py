"""The unsubscribe link in alert emails (RFC 8058): opening it, as mail scanners and link
previews do, changes nothing; the page offers the choice with buttons (CSRF-protected) and an
undo, and says which alerts stay on. A mail client's one-click POST needs no CSRF token. No
login: the signed token in the link authorises."""

import re
import time

from django.core import signing
from django.test import Client
from django.urls import reverse

from news.alerts import UNSUBSCRIBE_SALT, unsubscribe_token

from .helpers import make_member, visible_text


def link(member, flag="alerts_reports"):
    return reverse("alerts:unsubscribe", args=[unsubscribe_token(member, flag)])


def both():
    return make_member("both@example.org", alerts_reports=True, alerts_press=True)


def flags(member):
    member.refresh_from_db()
    return member.alerts_reports, member.alerts_press


def press_button(client, url, action, page=None):
    """What a browser posts from the page: the form's CSRF token and the button's value."""
    html = (page or client.get(url)).content.decode()
    forms = re.findall(r"<form method=\"post\">(.*?)</form>", html, re.S)
    (form,) = [form for form in forms if f'value="{action}"' in form]
    data = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form))
    data["restore"] = re.findall(r'name="restore" value="([^"]*)"', form)
    data["action"] = action
    return client.post(url, data)


def test_a_mail_scanner_opening_the_link_changes_nothing(db):
    member = both()
    scanner = Client()
    for _ in range(3):
        response = scanner.get(link(member))
        assert response.status_code == 200
    assert scanner.head(link(member)).status_code == 200
    assert flags(member) == (True, True)
    page = visible_text(response)
    assert "You get emails about: new reports, new press features." in page
    assert "Stop emails about new reports" in page and "Stop all alerts" in page


def test_the_one_click_post_of_a_mail_client_unsubscribes_without_a_csrf_token(db):
    member = both()
    mail_client = Client(enforce_csrf_checks=True)
    response = mail_client.post(link(member), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert flags(member) == (False, True)


def test_the_page_button_stops_that_kind_and_says_what_stays_on(db):
    member = both()
    reader = Client(enforce_csrf_checks=True)
    response = press_button(reader, link(member), "stop")
    assert response.status_code == 200
    page = visible_text(response)
    assert "we will no longer email you about new reports" in page
    assert "You still get: new press features." in page
    assert flags(member) == (False, True)


def test_undo_subscribes_again(db):
    member = both()
    reader = Client(enforce_csrf_checks=True)
    stopped = press_button(reader, link(member), "stop_all")
    assert flags(member) == (False, False)
    assert "You get no email alerts from us." in visible_text(stopped)
    response = press_button(reader, link(member), "undo", page=stopped)
    assert response.status_code == 200
    assert flags(member) == (True, True)
    assert "we will email you again about new reports, new press features" in visible_text(response)


def test_the_page_offers_to_subscribe_again_later(db):
    member = make_member("press@example.org", alerts_press=True)
    reader = Client(enforce_csrf_checks=True)
    url = link(member, "alerts_reports")  # an old email's link, reports already stopped
    page = visible_text(reader.get(url))
    assert "You get emails about: new press features." in page
    press_button(reader, url, "undo")
    assert flags(member) == (True, True)


def test_a_form_post_without_its_csrf_token_is_refused_and_changes_nothing(db):
    member = both()
    response = Client(enforce_csrf_checks=True).post(link(member), {"action": "stop_all"})
    assert response.status_code == 403
    assert flags(member) == (True, True)


def test_an_unknown_button_is_a_400(db):
    member = both()
    assert Client().post(link(member), {"action": "subscribe_everyone"}).status_code == 400
    assert flags(member) == (True, True)


def test_tampered_and_expired_links_are_a_clear_400(db):
    member = both()
    token = unsubscribe_token(member, "alerts_reports")

    class LongAgo(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 3 * 365 * 24 * 3600)

    expired = LongAgo(salt=UNSUBSCRIBE_SALT).sign_object(
        {"u": member.pk, "f": "alerts_reports"}, compress=True
    )
    client = Client()
    for bad in [token[:-2] + "xx", "nonsense"]:
        for response in [
            client.get(reverse("alerts:unsubscribe", args=[bad])),
            client.post(
                reverse("alerts:unsubscribe", args=[bad]), {"List-Unsubscribe": "One-Click"}
            ),
        ]:
            assert response.status_code == 400
            assert "This link does not work" in visible_text(response)
    response = client.get(reverse("alerts:unsubscribe", args=[expired]))
    assert response.status_code == 400
    assert "This link has expired" in visible_text(response)
    response = client.post(
        reverse("alerts:unsubscribe", args=[expired]), {"List-Unsubscribe": "One-Click"}
    )
    assert response.status_code == 400
    assert flags(member) == (True, True)
