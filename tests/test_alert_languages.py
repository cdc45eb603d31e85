"""Each member's alert email is in the language they chose (User.language, set at sign-up
from the language they signed up in, changed on their profile page): subject, text, the
item's title where it has one in that language, and links to that language's pages."""

import json
import re

from django.core import mail
from django.utils import translation

from accounts.models import User
from news.models import NewsItem

from .helpers import PASSWORD, make_member, publish_in_admin, run_worker


def message_to(email):
    (message,) = [message for message in mail.outbox if message.to == [email]]
    return message


def html_of(message):
    (html, mimetype) = message.alternatives[0]
    assert mimetype == "text/html"
    return html


def links_in(text):
    return re.findall(r"https?://[^/\s\"<>]+(/[^\s\"<>]*)", text)


def test_each_member_gets_the_alert_in_their_own_language(staff_client, transactional_db):
    make_member("fr@example.org", alerts_reports=True, language="fr")
    make_member("en@example.org", alerts_reports=True, language="en")
    item = publish_in_admin(staff_client, "Women in local politics")
    NewsItem.objects.filter(pk=item.pk).update(
        title_fr="Les femmes en politique locale", summary_fr="Résumé en français."
    )
    run_worker()
    assert len(mail.outbox) == 2

    french = message_to("fr@example.org")
    assert (
        french.subject
        == "[MPED] Nouvelle publication (rapport)\xa0: Les femmes en politique locale"
    )
    assert "Les femmes en politique locale" in french.body
    assert "Résumé en français." in french.body
    assert "Women in local politics" not in french.body
    assert "Bonjour" in french.body
    french_links = links_in(french.body)
    assert french_links and all(link.startswith("/fr/") for link in french_links)
    assert any("/fr/accounts/alerts/unsubscribe/" in link for link in french_links)
    french_html = html_of(french)
    assert '<html lang="fr">' in french_html
    assert "Les femmes en politique locale" in french_html
    assert all(link.startswith("/fr/") for link in links_in(french_html))
    assert french.extra_headers["List-Unsubscribe"].split("/", 3)[3].startswith("fr/")

    english = message_to("en@example.org")
    assert english.subject == "[MPED] New report: Women in local politics"
    assert "Summary of Women in local politics." in english.body
    assert "Les femmes" not in english.body
    english_links = links_in(english.body)
    assert english_links and all(link.startswith("/en/") for link in english_links)
    assert '<html lang="en">' in html_of(english)


def test_an_item_without_a_khmer_title_is_sent_to_khmer_members_in_english(
    staff_client, transactional_db
):
    make_member("km@example.org", alerts_reports=True, language="km")
    publish_in_admin(staff_client, "Budget report")
    run_worker()
    khmer = message_to("km@example.org")
    assert "Budget report" in khmer.subject
    assert "Budget report" in khmer.body
    assert "Summary of Budget report." in khmer.body
    with translation.override("km"):
        read_it = translation.gettext("Read it here:")
    assert read_it != "Read it here:" and read_it in khmer.body
    links = links_in(khmer.body)
    assert links and all(link.startswith("/km/") for link in links)
    assert '<html lang="km">' in html_of(khmer)


def test_signing_up_in_french_stores_french(client, db):
    response = client.post(
        "/fr/accounts/signup/",
        {
            "email": "ana@example.org",
            "first_name": "Ana",
            "last_name": "Sok",
            "organisation": "",
            "municipality": "",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="ana@example.org").language == "fr"


def test_signing_up_in_english_stores_english(client, db):
    client.post(
        "/en/accounts/signup/",
        {
            "email": "bo@example.org",
            "first_name": "Bo",
            "password1": PASSWORD,
            "password2": PASSWORD,
        },
    )
    assert User.objects.get(email="bo@example.org").language == "en"


def profile_data(**change):
    return {"first_name": "Ana", "last_name": "Sok", "organisation": "FCM", **change}


def test_members_choose_their_email_language_on_the_profile_page(client, db):
    member = make_member("ana@example.org", first_name="Ana", organisation="FCM")
    client.force_login(member)
    page = client.get("/en/accounts/profile/").content.decode()
    label = re.search(r'<label\s+for="id_language"[^>]*>\s*([^<]+)', page)
    assert label and label.group(1).strip() == "Language for emails"
    assert '<select name="language"' in page and '<option value="fr">Français</option>' in page

    response = client.post("/en/accounts/profile/", profile_data(language="km"))
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.language == "km"


def test_a_bad_language_is_refused_and_nothing_is_saved(client, db):
    member = make_member("ana@example.org", first_name="Ana", organisation="FCM", language="fr")
    client.force_login(member)
    response = client.post(
        "/en/accounts/profile/", profile_data(language="de", organisation="Changed")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["language"] == [
        "Select a valid choice. de is not one of the available choices."
    ]
    assert "Select a valid choice. de is not one of the available choices." in (
        response.content.decode()
    )
    member.refresh_from_db()
    assert (member.language, member.organisation) == ("fr", "FCM")


def test_the_data_download_includes_the_email_language(client, db):
    member = make_member("ana@example.org", first_name="Ana", language="km")
    client.force_login(member)
    data = json.loads(client.get("/en/accounts/data/").content)
    assert data["profile"]["language"] == "km"
