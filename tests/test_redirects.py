"""Old addresses keep working: renaming a live item leaves a permanent redirect (chains collapse
to one hop, renaming back makes no loop); staff add redirects by hand, and loops and bad
addresses are refused; a 404 log shows the missing addresses asked for most."""

import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from pages.models import SiteSettings
from redirects.models import MissingPage, Redirect

from .helpers import (
    admin_form_data,
    change_url,
    make_municipality,
    make_news,
    make_page,
    visible_text,
)

LANGUAGES = ["en", "fr", "km"]
ADD_URL = "/admin/redirects/redirect/add/"
LOG_URL = "/admin/redirects/missingpage/"


def url_in(obj, language):
    with translation.override(language):
        return obj.get_absolute_url()


def rename(obj, slug):
    obj.slug = slug
    obj.save()
    return obj


def add_redirect(client, old_path, new_path, **extra):
    data = {"old_path": old_path, "new_path": new_path, "is_permanent": "on", "note": ""}
    data.update(extra)
    return client.post(ADD_URL, data)


# Renaming keeps the old address --------------------------------------------------------------

MAKERS = {
    "news item": lambda: make_news("Market opens", slug="market-opens"),
    "program page": lambda: make_page("LED framework", slug="led-framework"),
    "municipality": lambda: make_municipality("Town of Example", slug="town-of-example"),
}


@pytest.mark.parametrize("kind", MAKERS)
def test_renaming_a_live_item_leaves_a_permanent_redirect_in_each_language(db, kind):
    item = MAKERS[kind]()
    old = {language: url_in(item, language) for language in LANGUAGES}
    rename(item, "a-new-address")
    for language in LANGUAGES:
        new = url_in(item, language)
        assert new != old[language] and new.startswith(f"/{language}/")
        response = Client().get(old[language])
        assert response.status_code == 301
        assert response["Location"] == new
        assert Client().get(new).status_code == 200
    redirect = Redirect.objects.get()
    assert redirect.is_automatic and redirect.is_permanent
    # Stored once, without a language.
    assert redirect.old_path == old["en"].removeprefix("/en")
    assert redirect.hits == 3 and redirect.last_used is not None


def test_a_program_page_renamed_in_the_admin_keeps_its_old_link(staff_client, db):
    page = make_page("About the league", slug="about-the-league")
    old_url = page.get_absolute_url()
    data = admin_form_data(staff_client.get(change_url(page)))
    data["slug"] = "the-league"
    data["_publish_draft"] = "Publish changes"  # a live page: saved and published
    response = staff_client.post(change_url(page), data)
    assert response.status_code == 302
    response = Client().get(old_url, follow=True)
    assert response.redirect_chain == [("/en/program/the-league/", 301)]
    assert "About the league" in visible_text(response)
    listing = staff_client.get("/admin/redirects/redirect/")
    assert "/program/about-the-league/" in visible_text(listing)
    assert "/program/the-league/" in visible_text(listing)


def test_renaming_a_draft_leaves_no_redirect(db):
    item = make_news("Not out yet", slug="not-out-yet", published=False)
    rename(item, "still-not-out")
    assert not Redirect.objects.exists()
    item.is_published = True
    item.save()
    assert Client().get("/en/news/not-out-yet/").status_code == 404
    assert Client().get("/en/news/still-not-out/").status_code == 200


def test_a_chain_of_renames_collapses_to_one_hop(db):
    item = make_news("Alpha", slug="a")
    rename(item, "b")
    rename(item, "c")
    response = Client().get("/fr/news/a/")
    assert response.status_code == 301
    assert response["Location"] == "/fr/news/c/"
    assert dict(Redirect.objects.values_list("old_path", "new_path")) == {
        "/news/a/": "/news/c/",
        "/news/b/": "/news/c/",
    }


def test_renaming_back_drops_the_redirect_so_that_no_loop_forms(db):
    item = make_news("Alpha", slug="a")
    rename(item, "c")
    rename(item, "a")
    assert Client().get("/en/news/a/").status_code == 200
    response = Client().get("/en/news/c/")
    assert response.status_code == 301 and response["Location"] == "/en/news/a/"
    assert list(Redirect.objects.values_list("old_path", "new_path")) == [("/news/c/", "/news/a/")]


def test_a_new_item_at_a_redirected_address_replaces_the_redirect(db):
    moved = make_news("Alpha", slug="a")
    rename(moved, "b")
    make_news("Another alpha", slug="a")
    assert not Redirect.objects.filter(old_path="/news/a/").exists()
    assert "Another alpha" in visible_text(Client().get("/en/news/a/"))


def test_the_query_string_is_passed_on(db):
    rename(make_news("Alpha", slug="a"), "b")
    response = Client().get("/km/news/a/?utm_source=newsletter&page=2")
    assert response["Location"] == "/km/news/b/?utm_source=newsletter&page=2"


def test_an_old_link_without_a_language_goes_straight_to_the_readers_language(db):
    rename(make_news("Alpha", slug="a"), "b")
    response = Client().get("/news/a/", headers={"accept-language": "fr"})
    # One hop; temporary, because another reader's language leads elsewhere.
    assert response.status_code == 302
    assert response["Location"] == "/fr/news/b/"
    assert "Accept-Language" in response["Vary"]
    assert not MissingPage.objects.exists()


def test_a_cached_page_of_the_old_address_is_not_served_after_a_rename(db, settings):
    assert settings.MPED_PAGE_CACHE_SECONDS > 0
    SiteSettings.load()  # made by the first page otherwise, which starts a new cache version
    item = make_news("Alpha", slug="a")
    Client().get("/en/news/a/")
    assert Client().get("/en/news/a/")["X-Cache"] == "hit"
    rename(item, "b")
    response = Client().get("/en/news/a/")
    assert response.status_code == 301 and response["Location"] == "/en/news/b/"
    assert Client().get("/en/news/b/").status_code == 200


# Redirects added by hand ----------------------------------------------------------------------


def test_staff_redirect_an_old_site_address_to_a_program_page(staff_client, db):
    make_page("LED framework", slug="led-framework")
    response = add_redirect(staff_client, "/mped/led.html", "/program/led-framework/")
    assert response.status_code == 302
    redirect = Redirect.objects.get()
    assert not redirect.is_automatic and redirect.created_by.username == "boss"
    response = Client().get("/mped/led.html", headers={"accept-language": "km"}, follow=True)
    assert response.redirect_chain == [("/km/program/led-framework/", 302)]
    assert response.status_code == 200


def test_a_redirect_from_one_language_to_a_neutral_path_keeps_that_language(staff_client, db):
    make_page("LED framework", slug="led-framework")
    assert (
        add_redirect(staff_client, "/fr/program/old/", "/program/led-framework/").status_code == 302
    )
    response = Client().get("/fr/program/old/")
    assert response.status_code == 301 and response["Location"] == "/fr/program/led-framework/"
    assert Client().get("/en/program/old/").status_code == 404


def test_a_temporary_redirect_to_another_site(staff_client, db):
    target = "https://www.fcm.ca/en/programs/mped?from=site"
    response = add_redirect(staff_client, "/fcm/", target, is_permanent="")
    assert response.status_code == 302
    response = Client().get("/en/fcm/?utm_source=x")
    assert response.status_code == 302
    assert response["Location"] == target + "&utm_source=x"


def test_a_redirect_to_an_address_that_redirects_leads_straight_to_the_end(staff_client, db):
    Redirect.objects.create(old_path="/b/", new_path="/c/")
    response = staff_client.post(
        ADD_URL, {"old_path": "/a/", "new_path": "/b/", "is_permanent": "on"}, follow=True
    )
    assert "/b/ already redirects, so this redirect leads straight to where it ends: /c/." in (
        visible_text(response)
    )
    assert Redirect.objects.get(old_path="/a/").new_path == "/c/"


def test_a_redirect_to_an_old_address_updates_the_redirects_that_led_there(staff_client, db):
    Redirect.objects.create(old_path="/a/", new_path="/en/b/")
    assert add_redirect(staff_client, "/b/", "/c/").status_code == 302
    # /en/b/ now redirects itself: /a/ leads straight to /en/c/.
    assert Redirect.objects.get(old_path="/a/").new_path == "/en/c/"


@pytest.mark.parametrize(
    ("existing", "old_path", "new_path", "chain"),
    [
        ([], "/a/", "/a/", "/a/ → /a/"),
        ([], "/en/a/", "/a/", "/en/a/ → /en/a/"),
        ([("/b/", "/a/")], "/a/", "/b/", "/a/ → /b/ → /a/"),
        ([("/c/", "/a/"), ("/b/", "/c/")], "/a/", "/b/", "/a/ → /b/ → /c/ → /a/"),
        ([("/fr/b/", "/a/")], "/a/", "/b/", "/fr/a/ → /fr/b/ → /fr/a/"),
        ([("/b/", "/en/a/")], "/en/a/", "/b/", "/en/a/ → /en/b/ → /en/a/"),
    ],
)
def test_a_redirect_that_would_make_a_loop_is_refused(
    staff_client, db, existing, old_path, new_path, chain
):
    for source, target in existing:
        Redirect.objects.create(old_path=source, new_path=target)
    before = list(Redirect.objects.values_list("old_path", "new_path"))
    response = add_redirect(staff_client, old_path, new_path)
    assert response.status_code == 400
    assert f"This would make a loop: {chain}." in visible_text(response)
    assert list(Redirect.objects.values_list("old_path", "new_path")) == before


@pytest.mark.parametrize(
    ("old_path", "new_path", "message"),
    [
        ("news/old/", "/news/new/", "Write a path beginning with /"),
        ("https://example.org/old/", "/news/new/", "Write a path beginning with /"),
        ("//example.org/old/", "/news/new/", "Write a path beginning with /"),
        ("/old page/", "/news/new/", "cannot contain spaces"),
        ("/old/", "/new page/", "cannot contain spaces"),
        ("/old/?id=3", "/news/new/", "Leave out the query string"),
        ("/" + "a" * 600, "/news/new/", "at most 500 characters"),
        ("/admin/news/", "/news/new/", "Addresses of the staff admin cannot be redirected."),
        ("/old/", "javascript:alert(1)", "a full address beginning with https://"),
        ("/old/", "data:text/html,hello", "a full address beginning with https://"),
        ("/old/", "//evil.example/", "a full address beginning with https://"),
        ("/old/", "/\\evil.example/", "cannot contain spaces, line breaks or backslashes"),
        ("/old/", "ftp://example.org/", "a full address beginning with https://"),
        ("/old/", "https://", "a full address beginning with https://"),
        ("/old/", "", "This field is required."),
    ],
)
def test_bad_addresses_are_refused_with_a_clear_message(
    staff_client, db, old_path, new_path, message
):
    Redirect.objects.create(old_path="/kept/", new_path="/news/")
    response = add_redirect(staff_client, old_path, new_path)
    assert response.status_code == 400
    assert message in visible_text(response)
    assert list(Redirect.objects.values_list("old_path", flat=True)) == ["/kept/"]


@pytest.mark.parametrize("old_path", ["/news/live-story/", "/fr/news/live-story/", "/en/news/"])
def test_a_redirect_from_a_live_page_is_refused(staff_client, db, old_path):
    make_news("Live story", slug="live-story")
    response = add_redirect(staff_client, old_path, "/program/")
    assert response.status_code == 400
    assert "is a live page, so a redirect from it would never be used" in visible_text(response)
    assert not Redirect.objects.exists()


def test_a_redirect_from_a_draft_address_is_allowed(staff_client, db):
    make_news("Draft story", slug="draft-story", published=False)
    assert add_redirect(staff_client, "/news/draft-story/", "/news/").status_code == 302


def test_editing_a_redirect_with_a_bad_target_keeps_the_saved_one(staff_client, db):
    redirect = Redirect.objects.create(old_path="/old/", new_path="/news/")
    url = reverse("admin:redirects_redirect_change", args=[redirect.pk])
    response = staff_client.post(url, {"old_path": "/old/", "new_path": "javascript:x"})
    assert response.status_code == 400
    redirect.refresh_from_db()
    assert redirect.new_path == "/news/"


def test_a_bad_stored_target_gives_a_404_not_a_server_error(db):
    Redirect.objects.create(old_path="/old/", new_path="/news/")
    Redirect.objects.filter(old_path="/old/").update(new_path="javascript:alert(1)")
    assert Client().get("/en/old/").status_code == 404


# The 404 log ---------------------------------------------------------------------------------


def test_the_404_log_lists_the_most_requested_missing_addresses_first(staff_client, db):
    for _time in range(3):
        Client().get(
            "/en/program/old-led/?session=secret", headers={"referer": "https://a.example/p?t=1"}
        )
    Client().get("/fr/nothing-here/")
    response = staff_client.get(LOG_URL)
    page = visible_text(response)
    assert page.index("/en/program/old-led/") < page.index("/fr/nothing-here/")
    entry = MissingPage.objects.get(path="/en/program/old-led/")
    assert entry.hits == 3
    assert entry.last_referrer == "https://a.example/p"
    assert "secret" not in page


def test_admin_static_media_private_pages_and_language_redirects_are_not_logged(staff_client, db):
    make_news("Alpha", slug="alpha")
    assert staff_client.get("/admin/no-such-page/").status_code == 404
    Client().get("/static/css/no-such-file.css")
    Client().get("/media/no-such-file.png")
    assert Client().get("/news/alpha/").status_code == 302  # to /en/news/alpha/
    Client().post("/en/no-such-form/")
    # Private pages' addresses may hold tokens or members' file names.
    assert Client().get("/en/news/documents/news/reports/2016/secret.pdf").status_code == 404
    assert not MissingPage.objects.exists()


def test_a_missing_address_is_redirected_from_the_404_log(staff_client, db):
    make_page("LED framework", slug="led-framework")
    Client().get("/en/program/old-led/")
    log = staff_client.get(LOG_URL)
    link = re.search(r'href="([^"]+)">Redirect this address<', log.content.decode())
    assert html.unescape(link[1]) == ADD_URL + "?old_path=%2Fprogram%2Fold-led%2F"
    form = staff_client.get(html.unescape(link[1]))
    assert form.context["adminform"].form["old_path"].value() == "/program/old-led/"
    assert (
        add_redirect(staff_client, "/program/old-led/", "/program/led-framework/").status_code
        == 302
    )
    response = Client().get("/en/program/old-led/")
    assert response.status_code == 301 and response["Location"] == "/en/program/led-framework/"
    redirected = visible_text(staff_client.get(LOG_URL + "?redirected=yes"))
    assert "/en/program/old-led/" in redirected
    assert "Redirect this address" not in redirected
    assert "/en/program/old-led/" not in visible_text(staff_client.get(LOG_URL + "?redirected=no"))


def test_staff_clear_the_404_log(staff_client, db):
    Client().get("/en/gone/")
    entry = MissingPage.objects.get()
    response = staff_client.post(
        LOG_URL, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )
    assert response.status_code == 302
    assert not MissingPage.objects.exists()


def test_the_log_keeps_the_most_requested_addresses_when_bots_flood_it(db, settings):
    settings.MPED_NOT_FOUND_LOG_ROWS = 5
    for _time in range(4):
        Client().get("/en/wanted/")
    for number in range(60):
        Client().get(f"/en/bot-{number}/")
    assert MissingPage.objects.count() < 55
    assert MissingPage.objects.filter(path="/en/wanted/", hits=4).exists()


def test_a_404_costs_a_fixed_number_of_queries(db, uncached, django_assert_num_queries):
    for number in range(30):
        Redirect.objects.create(old_path=f"/old-{number}/", new_path="/news/")
        MissingPage.record(f"/en/missing-{number}/")
    Client().get("/en/first/")  # warms whatever a first request loads
    with CaptureQueriesContext(connection) as new_path:
        Client().get("/en/second/")
    with CaptureQueriesContext(connection) as known_path:
        Client().get("/en/second/")
    assert len(known_path) <= len(new_path) <= len(known_path) + 3
    redirect_lookups = [q for q in known_path if "redirects_redirect" in q["sql"]]
    assert len(redirect_lookups) == 1
    # The redirect's lookup and hit count, instead of the log's lookup and count.
    with django_assert_num_queries(len(known_path)):
        assert Client().get("/en/old-7/").status_code == 301


def test_the_404_log_lists_in_a_fixed_number_of_queries(
    staff_client, db, django_assert_num_queries
):
    Redirect.objects.create(old_path="/m-1/", new_path="/news/")
    for number in range(3):
        MissingPage.record(f"/en/m-{number}/")
    staff_client.get(LOG_URL)  # the session and user are loaded once
    with CaptureQueriesContext(connection) as few:
        staff_client.get(LOG_URL)
    for number in range(3, 40):
        MissingPage.record(f"/en/m-{number}/")
    with django_assert_num_queries(len(few)):
        staff_client.get(LOG_URL)


# Who may do what -----------------------------------------------------------------------------


def test_publishers_manage_redirects_and_editors_only_look(role_client):
    publisher = role_client("Publishers")
    editor = role_client("Editors")
    Client().get("/en/gone/")
    assert add_redirect(editor, "/a/", "/news/").status_code == 403
    assert "Redirect this address" not in visible_text(editor.get(LOG_URL))
    assert "/en/gone/" in visible_text(editor.get(LOG_URL))
    assert add_redirect(publisher, "/a/", "/news/").status_code == 302
    assert "Redirect this address" in visible_text(publisher.get(LOG_URL))
    assert Redirect.objects.filter(old_path="/a/").exists()


def test_saving_without_a_new_address_makes_no_redirect(db):
    items = [
        make_news("Alpha", slug="alpha"),
        make_page("Beta", slug="beta"),
        make_municipality("Gamma", slug="gamma"),
    ]
    for obj in items:
        obj.title = "Changed" if hasattr(obj, "title") else obj.name
        obj.save()
    assert not Redirect.objects.exists()


def test_the_browsers_favicon_request_gets_the_sites_icon_not_a_404(client, db):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith(".svg") and "favicon" in response["Location"]
    assert not MissingPage.objects.exists()
