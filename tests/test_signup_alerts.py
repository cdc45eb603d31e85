"""Sign-up offers the alert emails, off by default, with one line on what is sent and how to
stop it; the choice is saved on the account."""

from accounts.models import User

from .helpers import signup, visible_text


def test_the_sign_up_form_offers_alerts_off_by_default(client, db):
    response = client.get("/en/accounts/signup/")
    page = visible_text(response)
    assert "Email me when a report is published" in page
    assert "Email me when a press feature is published" in page
    assert "Each email has a link to stop them" in page
    html = response.content.decode()
    assert (
        'name="alerts_reports"' in html
        and "checked" not in html.split('name="alerts_reports"')[1].split(">")[0]
    )


def test_sign_up_without_alerts_subscribes_to_nothing(client, db):
    signup(client)
    user = User.objects.get(email="ana@example.org")
    assert (user.alerts_reports, user.alerts_press) == (False, False)


def test_sign_up_with_alerts_saves_the_choice(client, db):
    signup(client, alerts_reports="on", alerts_press="on")
    user = User.objects.get(email="ana@example.org")
    assert (user.alerts_reports, user.alerts_press) == (True, True)
