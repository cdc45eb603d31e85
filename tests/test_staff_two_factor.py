"""With staff two-factor required, a staff session that has not completed two-factor (an
authenticator app set up for the account, and a code from it used in this session) has no staff
powers anywhere: no drafts, scheduled previews, private documents or review tools, through the
public addresses as well as the admin. The same people with a code get them all back."""

import datetime
import html
import re
import time
from urllib.parse import unquote

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from news.models import Kind
from reviews.models import ReviewLink

from .helpers import PASSWORD, make_news, make_page, pdf_url

SECRET_WORD = "Quokkaberry"


@pytest.fixture(autouse=True)
def require_2fa(settings):
    settings.MPED_STAFF_REQUIRE_2FA = True
    # Codes from the next 30-second step are accepted too, so that one test can use two codes
    # (allauth accepts each code once).
    settings.MFA_TOTP_TOLERANCE = 1


def make_staff(role, confirmed=True):
    """A staff member in a group ("Editors", "Publishers") or a superuser. Logging in needs a
    confirmed address (which makes anyone a member); without one, only staff powers would."""
    email = f"{role.lower()}@example.org"
    user = get_user_model().objects.create_user(
        username=role.lower(),
        email=email,
        password=PASSWORD,
        is_staff=True,
        is_superuser=role == "superuser",
    )
    if role != "superuser":
        user.groups.add(Group.objects.get(name=role))
    EmailAddress.objects.create(user=user, email=email, verified=confirmed, primary=True)
    return user


def login(client, user, next_url=None):
    path = "/en/accounts/login/" + (f"?next={next_url}" if next_url else "")
    return client.post(path, {"login": user.email, "password": PASSWORD})


def code(secret, step=0):
    """The authenticator app's code, `step` 30-second steps from now (allauth's own TOTP)."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30 + step))


def set_up_totp(user):
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def login_with_code(client, user, secret):
    response = login(client, user)
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": code(secret)})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.fixture
def content(db):
    return {
        "draft": make_news(
            "Draft report on market halls",
            kind=Kind.REPORT,
            published=False,
            body=f"<p>{SECRET_WORD} budget lines.</p>",
        ),
        "scheduled": make_page(
            "Scheduled program page", published_at=timezone.now() + datetime.timedelta(days=3)
        ),
        "members": make_news(
            "Members briefing",
            kind=Kind.REPORT,
            is_members_only=True,
            body="<p>Wallabyseed findings for members.</p>",
        ),
        "members_draft": make_news(
            "Members draft", kind=Kind.REPORT, published=False, is_members_only=True
        ),
    }


def search_titles(client, query):
    return [hit.title for hit in client.get("/en/search/", {"q": query}).context["hits"]]


def assert_no_staff_powers(client, content, member=True):
    """What staff without their powers see: no draft or scheduled item, nor its documents; the
    members-only ones only if their own address is confirmed, like anyone's."""
    assert client.get(content["draft"].get_absolute_url()).status_code == 404
    assert client.get(content["scheduled"].get_absolute_url()).status_code == 404
    assert client.get(pdf_url(content["draft"])).status_code == 404
    assert client.get(pdf_url(content["members_draft"])).status_code == 404
    assert search_titles(client, SECRET_WORD) == []
    members_pdf = client.get(pdf_url(content["members"]))
    members_page = client.get(content["members"].get_absolute_url()).content.decode()
    if member:
        assert members_pdf.status_code == 200
        assert "Wallabyseed" in members_page
        assert search_titles(client, "wallabyseed") == ["Members briefing"]
    else:
        assert members_pdf.status_code == 403
        assert b"%PDF" not in members_pdf.content
        assert "Wallabyseed" not in members_page
        assert search_titles(client, "wallabyseed") == []


def assert_staff_powers(client, content):
    draft = client.get(content["draft"].get_absolute_url())
    assert draft.status_code == 200
    assert SECRET_WORD in draft.content.decode()
    assert client.get(content["scheduled"].get_absolute_url()).status_code == 200
    assert client.get(pdf_url(content["draft"])).status_code == 200
    assert client.get(pdf_url(content["members_draft"])).status_code == 200
    assert client.get(pdf_url(content["members"])).status_code == 200
    assert "Wallabyseed" in client.get(content["members"].get_absolute_url()).content.decode()
    assert search_titles(client, "wallabyseed") == ["Members briefing"]
    # Search shows published items only, to staff as to anyone.
    assert search_titles(client, SECRET_WORD) == []


@pytest.mark.parametrize("role", ["Editors", "superuser"])
def test_a_password_alone_gives_staff_no_powers_and_a_code_gives_them_back(client, content, role):
    staff = make_staff(role)
    assert login(client, staff)["Location"] == "/en/accounts/"
    assert_no_staff_powers(client, content)
    # The header still shows the way to the admin, which asks for an authenticator app.
    assert f'href="{reverse("admin:index")}"' in client.get("/en/accounts/").content.decode()
    assert client.get(reverse("admin:index"))["Location"] == reverse("mfa_activate_totp")
    staff.refresh_from_db()
    assert staff.is_staff

    secret = set_up_totp(staff)
    client.post(reverse("account_logout"))
    login_with_code(client, staff, secret)
    assert_staff_powers(client, content)
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("role", ["Publishers", "superuser"])
def test_review_link_tools_need_two_factor(client, content, role):
    staff = make_staff(role)
    draft = content["draft"]
    tools = reverse("admin:reviews_reviewlink_item", args=["newsitem", draft.pk])
    login(client, staff)
    assert client.get(tools)["Location"] == reverse("mfa_activate_totp")
    refused = client.post(tools, {"days": "7", "note": "For the council"})
    assert refused.status_code == 302
    assert not ReviewLink.objects.exists()

    secret = set_up_totp(staff)
    client.post(reverse("account_logout"))
    login_with_code(client, staff, secret)
    assert client.get(tools).status_code == 200
    assert client.post(tools, {"days": "7", "note": "For the council"}).status_code == 302
    assert ReviewLink.objects.get().note == "For the council"


@pytest.mark.parametrize("role", ["Editors", "superuser"])
def test_staff_without_a_confirmed_address_are_not_members_without_two_factor(
    client, content, role
):
    """Staff count as members only with their powers (an account made with createsuperuser has
    no confirmed address; here the session is opened directly)."""
    staff = make_staff(role, confirmed=False)
    client.force_login(staff)
    assert_no_staff_powers(client, content, member=False)
    secret = set_up_totp(staff)
    response = client.post(f"{reverse('mfa_reauthenticate')}", {"code": code(secret)})
    assert response.status_code == 302
    assert_staff_powers(client, content)


def test_a_session_that_skipped_the_code_gets_no_powers_though_the_account_has_an_app(
    client, content
):
    """A session opened before the app was set up (here in another browser), or without the
    login page's code step, has no code on record: staff are asked for one."""
    staff = make_staff("superuser")
    login(client, staff)
    other = Client()
    other.force_login(staff)
    secret = set_up_totp(staff)
    assert_no_staff_powers(client, content)
    assert_no_staff_powers(other, content)

    session = other
    admin = session.get(reverse("admin:news_newsitem_changelist"), follow=True)
    reauthenticate = reverse("mfa_reauthenticate")
    next_url = reverse("admin:news_newsitem_changelist")
    assert unquote(admin.redirect_chain[0][0]) == f"{reauthenticate}?next={next_url}"
    assert "Type a code from your authenticator app to open the staff admin." in html.unescape(
        admin.content.decode()
    )
    wrong = f"{(int(code(secret)) + 1) % 1_000_000:06d}"
    assert session.post(f"{reauthenticate}?next={next_url}", {"code": wrong}).status_code == 200
    assert_no_staff_powers(session, content)
    response = session.post(f"{reauthenticate}?next={next_url}", {"code": code(secret)})
    assert response["Location"] == next_url
    assert session.get(next_url).status_code == 200
    assert_staff_powers(session, content)
    # The first browser still has no code on record.
    assert_no_staff_powers(client, content)


def test_setting_up_the_app_through_the_pages_completes_two_factor(client, content):
    staff = make_staff("Editors")
    login(client, staff)
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    page = client.post(page.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    secret = re.search(r'value="([A-Z2-7]{32})"', page.content.decode()).group(1)
    assert_no_staff_powers(client, content)
    response = client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
    assert response["Location"] == reverse("mfa_view_recovery_codes")
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert_staff_powers(client, content)
    assert client.get(reverse("admin:index")).status_code == 200

    # The next login asks for a code; the password alone leads nowhere.
    client.post(reverse("account_logout"))
    assert login(client, staff)["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    assert client.get(content["draft"].get_absolute_url()).status_code == 404
    client.post(reverse("mfa_authenticate"), {"code": code(secret, step=1)})
    assert_staff_powers(client, content)


def test_a_recovery_code_completes_two_factor(client, content):
    staff = make_staff("superuser")
    login(client, staff)
    page = client.get(reverse("mfa_activate_totp"), follow=True)
    page = client.post(page.redirect_chain[-1][0], {"password": PASSWORD}, follow=True)
    secret = re.search(r'value="([A-Z2-7]{32})"', page.content.decode()).group(1)
    client.post(reverse("mfa_activate_totp"), {"code": code(secret)})
    codes = client.get(reverse("mfa_view_recovery_codes")).content.decode()
    recovery = re.search(r'<textarea[^>]*id="recovery_codes"[^>]*>\s*(\w+)', codes).group(1)
    client.post(reverse("account_logout"))
    login(client, staff)
    client.post(reverse("mfa_authenticate"), {"code": recovery})
    assert_staff_powers(client, content)


def test_members_who_are_not_staff_are_not_affected(client, content):
    member = get_user_model().objects.create_user("member", "member@example.org", PASSWORD)
    EmailAddress.objects.create(user=member, email=member.email, verified=True, primary=True)
    login(client, member)
    assert client.get(pdf_url(content["members"])).status_code == 200
    assert client.get(content["draft"].get_absolute_url()).status_code == 404


@pytest.mark.parametrize("role", ["Editors", "superuser"])
def test_without_the_setting_a_password_gives_staff_their_powers_as_before(
    client, content, settings, role
):
    settings.MPED_STAFF_REQUIRE_2FA = False
    login(client, make_staff(role))
    assert_staff_powers(client, content)
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_session_without_the_code_cannot_turn_the_app_off(client, content):
    """Else a password holder with a session older than the app could swap it for their own."""
    staff = make_staff("superuser")
    login(client, staff)
    secret = set_up_totp(staff)
    page = client.get(reverse("mfa_deactivate_totp"), follow=True)
    assert "/reauthenticate/" in page.redirect_chain[-1][0]
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    refused = client.post(reverse("mfa_deactivate_totp"))
    assert "You cannot deactivate two-factor authentication." in html.unescape(
        refused.content.decode()
    )
    assert Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
    assert_no_staff_powers(client, content)

    # With a code (or a recovery code, for a lost phone) the same session may.
    client.post(reverse("mfa_reauthenticate"), {"code": code(secret)})
    assert client.post(reverse("mfa_deactivate_totp"))["Location"] == reverse("mfa_index")
    assert not Authenticator.objects.filter(user=staff, type=Authenticator.Type.TOTP).exists()
