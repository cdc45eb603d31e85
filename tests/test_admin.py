"""Staff at work in the Django admin: real requests through the test client, a real database.

Every form is posted the way a browser would post it, and what staff or readers then see is
checked on the admin page or the public page.
"""

import datetime
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from library.models import Image as LibraryImage
from news.models import Article, Kind, NewsItem
from pages.models import ProgramPage, SiteSettings
from partners.models import Country, Municipality, Partnership

from .helpers import (
    HOSTILE_HTML,
    PDF_BYTES,
    add_news_via_admin,
    add_pairing_row,
    admin_form_data,
    assert_form_shown_again_with,
    change_url,
    form_errors,
    image_bytes,
    make_document,
    make_library_image,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    markup,
    news_post,
    today,
    visible_text,
)

# Adding and changing a news item ----------------------------------------------------------------


def test_a_news_item_added_in_the_admin_appears_on_the_home_page_and_the_news_page(
    staff_client, demo
):
    assert "Page Updated: 18 May 2016" in visible_text(Client().get("/en/"))

    item = add_news_via_admin(staff_client)

    assert item.is_published
    assert item.body == "<p>The market opens every Saturday.</p>"
    for url in ["/en/", "/en/news/"]:
        response = Client().get(url)
        assert "Council opens a farmers' market" in visible_text(response)
        assert f'href="{item.get_absolute_url()}"' in markup(response)
    detail = visible_text(Client().get(item.get_absolute_url()))
    assert "Kang Meas District opened a weekly market for local farmers." in detail
    assert "The market opens every Saturday." in detail


def test_changing_a_news_item_title_in_the_admin_updates_the_home_page_and_its_date(
    staff_client, demo
):
    item = add_news_via_admin(staff_client)
    long_ago = timezone.now() - datetime.timedelta(days=400)
    NewsItem.objects.filter(pk=item.pk).update(updated_at=long_ago, published_at=long_ago)
    page = visible_text(Client().get("/en/"))
    assert f"Page Updated: {today()}" not in page

    form = staff_client.get(change_url(item))
    assert form.status_code == 200
    data = admin_form_data(form)
    data["title_en"] = "Farmers' market draws a crowd"
    # A live item's changes are its draft until published: "Publish changes" does both.
    data["_publish_draft"] = "Publish changes"
    response = staff_client.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)

    page = visible_text(Client().get("/en/"))
    assert "Farmers' market draws a crowd" in page
    assert "Council opens a farmers' market" not in page
    assert f"Page Updated: {today()}" in page
    item.refresh_from_db()
    assert item.slug == "council-opens-a-farmers-market"  # the address did not move


def test_an_unpublished_news_item_added_in_the_admin_stays_off_the_public_site(staff_client, db):
    data = news_post()
    del data["is_published"]
    response = staff_client.post(reverse("admin:news_newsitem_add"), data)
    assert response.status_code == 302, form_errors(response)

    assert "Council opens a farmers' market" not in visible_text(Client().get("/en/"))
    assert "Council opens a farmers' market" not in visible_text(Client().get("/en/news/"))
    assert Client().get("/en/news/council-opens-a-farmers-market/").status_code == 404


def test_a_press_feature_with_an_article_link_can_be_added_through_the_articles_inline(
    staff_client, db
):
    item = add_news_via_admin(
        staff_client,
        kind=Kind.PRESS,
        **{
            "articles-TOTAL_FORMS": "1",
            "articles-0-title_en": "Markets that work",
            "articles-0-publication": "Economics Today",
            "articles-0-url": "https://example.org/markets",
            "articles-0-note_en": "",
            "articles-0-order": "1",
        },
    )

    article = item.articles.get()
    assert article.title == "Markets that work"
    response = Client().get(item.get_absolute_url())
    page = visible_text(response)
    assert "The articles" in page
    assert 'href="https://example.org/markets"' in markup(response)
    assert "Economics Today" in page


def test_an_article_with_neither_an_address_nor_a_copy_is_refused(staff_client, db):
    response = staff_client.post(
        reverse("admin:news_newsitem_add"),
        news_post(
            kind=Kind.PRESS,
            **{
                "articles-TOTAL_FORMS": "1",
                "articles-0-title_en": "An article nobody can find",
                "articles-0-publication": "",
                "articles-0-url": "",
                "articles-0-note_en": "",
                "articles-0-order": "0",
            },
        ),
    )

    assert_form_shown_again_with(response, "Give the article's address or choose a copy of it.")
    assert not NewsItem.objects.exists()
    assert not Article.objects.exists()


def test_the_news_item_change_page_has_a_view_on_site_link_to_the_public_item(staff_client, db):
    item = make_news("Market day")
    response = staff_client.get(change_url(item))
    content_type = ContentType.objects.get_for_model(NewsItem)
    view_on_site = reverse("admin:view_on_site", args=[content_type.pk, item.pk])
    assert f'href="{view_on_site}"' in markup(response)
    assert "View on site" in visible_text(response)

    response = staff_client.get(view_on_site)
    assert response.status_code == 302
    assert response["Location"].endswith("/en/news/market-day/")


# Uploads ----------------------------------------------------------------------------------------


def report_post(document, **fields):
    """The add form of a report offering `document` (chosen from the library)."""
    return news_post(
        kind=Kind.REPORT,
        **{
            "documents-TOTAL_FORMS": "1",
            "documents-0-document": str(document.pk),
            "documents-0-role": "report",
            "documents-0-order": "0",
        },
        **fields,
    )


def test_a_report_document_chosen_in_the_admin_is_offered_on_the_public_page_with_its_size(
    staff_client, db
):
    document = make_document("Farmers' market report")
    response = staff_client.post(reverse("admin:news_newsitem_add"), report_post(document))
    assert response.status_code == 302, form_errors(response)
    item = NewsItem.objects.get()

    assert [link.document for link in item.documents.all()] == [document]
    assert document.size == len(PDF_BYTES)
    response = Client().get(item.get_absolute_url())
    page = visible_text(response)
    assert "Report: Farmers' market report (English)" in page
    assert "(PDF, 1 page, 1 KB)" in page
    assert f'href="{document.get_absolute_url()}"' in markup(response)
    assert "(PDF, 1 page, 1 KB)" in visible_text(Client().get("/en/news/"))


def test_a_report_without_a_document_is_refused(staff_client, db):
    response = staff_client.post(reverse("admin:news_newsitem_add"), news_post(kind=Kind.REPORT))

    assert_form_shown_again_with(response, "A report needs at least one document")
    assert not NewsItem.objects.exists()


@pytest.mark.parametrize("value", ["not a number", "0", "123456789", "1e3"])
def test_a_document_that_does_not_exist_is_refused_when_adding_a_report(staff_client, db, value):
    data = report_post(make_document())
    data["documents-0-document"] = value
    response = staff_client.post(reverse("admin:news_newsitem_add"), data)

    assert response.status_code == 200
    assert "Please correct the error" in visible_text(response)
    assert not NewsItem.objects.exists()


def test_an_image_chosen_from_the_library_is_shown_with_its_description(staff_client, db):
    image = make_library_image(
        image_bytes((1600, 1200)), alt_en="Stalls of vegetables at the new market"
    )
    item = add_news_via_admin(staff_client, image=str(image.pk))

    page = markup(Client().get(item.get_absolute_url()))
    # The header's renditions (library/renditions.py, tests/test_library_renditions.py).
    assert re.search(r'<img src="/media/library/renditions/[^"]+\.webp"', page)
    assert 'alt="Stalls of vegetables at the new market"' in page
    assert 'width="1200" height="675"' in page  # 16:9, the default rendition's size
    assert image.file.url not in page  # never the uploaded original


def library_image_post(client, **fields):
    add_url = reverse("admin:library_image_add")
    data = admin_form_data(client.get(add_url))
    data.update(title="Market", **fields)
    return client.post(add_url, data)


def test_a_file_that_is_not_an_image_is_refused_by_the_library(staff_client, db):
    response = library_image_post(
        staff_client,
        file=SimpleUploadedFile("photo.png", b"not an image", content_type="image/png"),
        alt_en="A photo",
    )

    assert_form_shown_again_with(response)
    assert "file" in response.context["adminform"].form.errors
    assert "Upload a valid image" in visible_text(response)
    assert not LibraryImage.objects.exists()


def test_an_image_without_a_description_is_refused_by_the_library(staff_client, db):
    """The alt text is the image's (in English at least), wherever it is shown: the item's form
    no longer asks for it."""
    response = library_image_post(
        staff_client,
        file=SimpleUploadedFile("market.png", image_bytes(), content_type="image/png"),
        alt_en="  ",
    )

    assert_form_shown_again_with(response)
    assert "alt_en" in response.context["adminform"].form.errors
    assert not LibraryImage.objects.exists()


# Hostile HTML -----------------------------------------------------------------------------------


def assert_no_hostile_html(markup):
    # Structured data is a JSON block the browser never runs; its text has no "<" left in it.
    for data in re.findall(r'<script type="application/ld\+json">(.*?)</script>', markup, re.S):
        assert "<" not in data
    markup = re.sub(r'<script type="application/ld\+json">.*?</script>', "", markup, flags=re.S)
    for danger in ["<script", "alert(1)", "onerror", "javascript:", "style=", "<iframe"]:
        assert danger not in markup, danger


def test_hostile_html_in_a_news_body_is_stripped_on_save_and_on_the_public_page(staff_client, db):
    item = add_news_via_admin(staff_client, body_en=HOSTILE_HTML)

    assert_no_hostile_html(item.body)
    assert "<p>Safe words.</p>" in item.body
    assert ">x</a>" in item.body  # the link text stays, without its javascript: address
    page = Client().get(item.get_absolute_url()).content.decode()
    assert "Safe words." in page
    assert "Styled" in page
    assert_no_hostile_html(page)


def test_hostile_html_in_a_program_page_is_stripped_on_save_and_on_the_public_page(
    staff_client, db
):
    data = admin_form_data(staff_client.get(reverse("admin:pages_programpage_add")))
    data.update(
        title_en="Markets",
        slug="markets",
        body_en=HOSTILE_HTML,
        closing_en=HOSTILE_HTML,
        is_published="on",
    )
    response = staff_client.post(reverse("admin:pages_programpage_add"), data)
    assert response.status_code == 302, form_errors(response)

    page_obj = ProgramPage.objects.get(slug="markets")
    assert_no_hostile_html(page_obj.body)
    assert_no_hostile_html(page_obj.closing)
    page = Client().get("/en/program/markets/").content.decode()
    assert "Safe words." in page
    assert_no_hostile_html(page)


def test_hostile_html_in_a_municipality_description_is_stripped(staff_client, db):
    data = admin_form_data(staff_client.get(reverse("admin:partners_municipality_add")))
    data.update(
        name="Town of Example",
        slug="town-of-example",
        country=Country.CANADA,
        description_en=HOSTILE_HTML,
        is_published="on",
    )
    response = staff_client.post(reverse("admin:partners_municipality_add"), data)
    assert response.status_code == 302, form_errors(response)

    municipality = Municipality.objects.get(slug="town-of-example")
    assert_no_hostile_html(municipality.description)
    page = Client().get("/en/partners/town-of-example/").content.decode()
    assert "Safe words." in page
    assert_no_hostile_html(page)


# Site settings ----------------------------------------------------------------------------------


def test_site_settings_changed_in_the_admin_show_on_the_home_page(staff_client, demo):
    # The home page's own texts are its blocks' (tests/test_home_blocks.py); the hero is the
    # site settings'.
    url = reverse("admin:pages_sitesettings_change", args=[1])
    data = admin_form_data(staff_client.get(url))
    data.update(site_name_en="Partners in Development", tagline_en="Towns helping towns.")
    data["_publish_draft"] = "Publish changes"  # the settings' changes are a draft until then
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)

    home = Client().get("/en/")
    assert "<h1>Partners in Development</h1>" in markup(home)
    assert '<p class="lead">Towns helping towns.</p>' in markup(home)
    assert f"Page Updated: {today()}" in visible_text(home)


def test_site_settings_cannot_be_deleted_or_added_a_second_time(staff_client, demo):
    assert staff_client.get(reverse("admin:pages_sitesettings_add")).status_code == 403
    assert staff_client.post(reverse("admin:pages_sitesettings_add"), {}).status_code == 403
    delete_url = reverse("admin:pages_sitesettings_delete", args=[1])
    assert staff_client.get(delete_url).status_code == 403
    assert staff_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert SiteSettings.objects.count() == 1

    changelist = staff_client.get(reverse("admin:pages_sitesettings_changelist"))
    assert reverse("admin:pages_sitesettings_add") not in markup(changelist)
    assert "Delete selected" not in visible_text(changelist)
    change_page = markup(staff_client.get(reverse("admin:pages_sitesettings_change", args=[1])))
    assert delete_url not in change_page


def test_bad_site_settings_are_refused_and_the_old_ones_kept(staff_client, demo):
    url = reverse("admin:pages_sitesettings_change", args=[1])
    data = admin_form_data(staff_client.get(url))
    data.update(site_name_en="", short_name_en="x" * 31)
    response = staff_client.post(url, data)

    assert_form_shown_again_with(
        response, "This field is required.", "Ensure this value has at most 30 characters"
    )
    site = SiteSettings.load()
    assert site.site_name == "Municipal Partners for Economic Development"
    assert site.short_name == "MPED"


# Municipalities and partnerships ----------------------------------------------------------------


def test_a_canadian_municipality_page_has_the_partnership_inline(staff_client, demo):
    newell = Municipality.objects.get(slug="county-of-newell")
    response = staff_client.get(change_url(newell))

    assert response.status_code == 200
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["partnerships_as_canadian"]
    assert 'name="partnerships_as_canadian-TOTAL_FORMS"' in markup(response)
    assert "Partners in Cambodia" in visible_text(response)


def test_a_cambodian_local_government_page_has_the_other_partnership_inline(staff_client, demo):
    kang_meas = Municipality.objects.get(slug="kang-meas-district")
    response = staff_client.get(change_url(kang_meas))

    assert response.status_code == 200
    prefixes = [inline.formset.prefix for inline in response.context["inline_admin_formsets"]]
    assert prefixes == ["partnerships_as_cambodian"]


def test_a_partnership_added_through_the_municipality_inline_is_saved_and_published(
    staff_client, demo
):
    beaumont = Municipality.objects.get(slug="town-of-beaumont")
    sample_c = Municipality.objects.get(slug="sample-cambodian-local-government-c")
    data = admin_form_data(staff_client.get(change_url(beaumont)))
    add_pairing_row(
        data,
        "partnerships_as_canadian",
        cambodian=sample_c.pk,
        since="2014",
        focus_en="Tourism",
        is_published="on",
    )
    response = staff_client.post(change_url(beaumont), data)
    assert response.status_code == 302, form_errors(response)

    pairing = Partnership.objects.get(canadian=beaumont, cambodian=sample_c)
    assert pairing.since == 2014
    assert pairing.focus == "Tourism"
    assert beaumont.partnerships_as_canadian.count() == 2  # the demo pairing is still there
    page = visible_text(Client().get("/en/partners/town-of-beaumont/"))
    assert "Sample Cambodian local government C" in page
    assert "Tourism" in page


def test_a_canadian_municipality_is_refused_as_the_cambodian_side_of_a_partnership(
    staff_client, demo
):
    beaumont = Municipality.objects.get(slug="town-of-beaumont")
    chilliwack = Municipality.objects.get(slug="city-of-chilliwack")
    count = Partnership.objects.count()
    data = admin_form_data(staff_client.get(change_url(beaumont)))
    add_pairing_row(
        data, "partnerships_as_canadian", cambodian=chilliwack.pk, since="", focus_en=""
    )
    response = staff_client.post(change_url(beaumont), data)

    assert_form_shown_again_with(response, "Select a valid choice.")
    assert Partnership.objects.count() == count
    assert not Partnership.objects.filter(cambodian=chilliwack).exists()


def test_a_partnership_admin_form_refuses_municipalities_from_the_wrong_country(staff_client, demo):
    newell = Municipality.objects.get(slug="county-of-newell")
    kang_meas = Municipality.objects.get(slug="kang-meas-district")
    count = Partnership.objects.count()
    response = staff_client.post(
        reverse("admin:partners_partnership_add"),
        {"canadian": kang_meas.pk, "cambodian": newell.pk, "since": "", "focus_en": ""},
    )

    assert_form_shown_again_with(response, "Select a valid choice.")
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"canadian", "cambodian"}
    assert Partnership.objects.count() == count


def test_the_same_pairing_cannot_be_added_twice(staff_client, demo):
    newell = Municipality.objects.get(slug="county-of-newell")
    kang_meas = Municipality.objects.get(slug="kang-meas-district")
    count = Partnership.objects.count()

    response = staff_client.post(
        reverse("admin:partners_partnership_add"),
        {"canadian": newell.pk, "cambodian": kang_meas.pk, "since": "", "focus_en": ""},
    )
    assert_form_shown_again_with(response, "already exists")

    data = admin_form_data(staff_client.get(change_url(newell)))
    add_pairing_row(data, "partnerships_as_canadian", cambodian=kang_meas.pk, since="", focus_en="")
    response = staff_client.post(change_url(newell), data)
    assert_form_shown_again_with(response, "Please correct the duplicate data for cambodian.")
    assert Partnership.objects.count() == count


# The Editors group ------------------------------------------------------------------------------


@pytest.fixture
def editor_client(db, django_user_model):
    editor = django_user_model.objects.create_user(
        "editor", "editor@example.org", "pw-Long-enough-1", is_staff=True
    )
    editor.groups.add(Group.objects.get(name="Editors"))
    client = Client()
    client.force_login(editor)
    return client


def test_the_editors_group_is_made_by_a_migration_with_content_permissions(db):
    editors = Group.objects.get(name="Editors")
    codenames = set(editors.permissions.values_list("codename", flat=True))
    assert {"add_newsitem", "change_newsitem", "delete_newsitem", "view_newsitem"} <= codenames
    assert {"change_programpage", "change_sitesettings", "change_municipality"} <= codenames
    assert {"add_partnership", "add_article", "add_pagepoint"} <= codenames
    assert not codenames & {"add_user", "change_user", "view_user", "change_group"}


def test_an_editor_can_open_and_use_the_news_admin(editor_client):
    assert editor_client.get(reverse("admin:news_newsitem_changelist")).status_code == 200
    assert editor_client.get(reverse("admin:news_newsitem_add")).status_code == 200

    response = editor_client.post(reverse("admin:news_newsitem_add"), news_post())
    assert response.status_code == 302, form_errors(response)
    assert NewsItem.objects.filter(slug="council-opens-a-farmers-market").exists()


def test_an_editor_can_open_the_other_content_admins(editor_client):
    for name in [
        "pages_programpage",
        "pages_sitesettings",
        "partners_municipality",
        "partners_partnership",
    ]:
        assert editor_client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name


def test_an_editor_cannot_see_users_or_groups(editor_client, django_user_model):
    assert editor_client.get("/admin/accounts/user/").status_code == 403
    assert editor_client.get(reverse("admin:accounts_user_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_changelist")).status_code == 403
    assert editor_client.get(reverse("admin:auth_group_add")).status_code == 403
    boss = django_user_model.objects.create_superuser("boss", "boss@example.org", "x-Long-pw-1")
    assert editor_client.get(change_url(boss)).status_code == 403

    index = visible_text(editor_client.get(reverse("admin:index")))
    assert "News items" in index
    assert "Users" not in index
    assert "Groups" not in index


def test_a_staff_user_outside_the_editors_group_sees_no_content(db, django_user_model):
    user = django_user_model.objects.create_user("nobody", "n@example.org", "x", is_staff=True)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("admin:news_newsitem_changelist")).status_code == 403


def test_a_visitor_who_is_not_logged_in_is_sent_to_the_admin_login(client, db):
    response = client.get(reverse("admin:news_newsitem_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


# Change lists -----------------------------------------------------------------------------------


CHANGELIST_QUERIES = [
    ("news_newsitem", {}),
    ("news_newsitem", {"q": "report"}),
    ("news_newsitem", {"q": "<script>'\"%_"}),
    ("news_newsitem", {"kind__exact": "report", "is_published__exact": "1"}),
    ("news_newsitem", {"published_at__year": "2016", "published_at__month": "5"}),
    ("news_newsitem", {"o": "-3.1"}),
    ("pages_programpage", {"q": "league"}),
    ("pages_programpage", {"is_published__exact": "1", "status": "draft"}),
    ("partners_municipality", {"q": "alberta"}),
    ("partners_municipality", {"country__exact": "CA", "region": "Alberta"}),
    ("partners_municipality", {"is_sample__exact": "1", "is_published__exact": "0"}),
    ("partners_partnership", {"q": "newell"}),
    ("partners_partnership", {"is_published__exact": "1", "is_sample__exact": "1"}),
    ("pages_sitesettings", {}),
    ("pages_sitesettings", {"q": "anything"}),
]


@pytest.mark.parametrize(("model", "query"), CHANGELIST_QUERIES)
def test_every_admin_changelist_loads_with_search_and_filters(staff_client, demo, model, query):
    response = staff_client.get(reverse(f"admin:{model}_changelist"), query)

    assert response.status_code == 200
    assert "cl" in response.context


def test_the_news_changelist_finds_items_by_search(staff_client, demo):
    page = visible_text(
        staff_client.get(reverse("admin:news_newsitem_changelist"), {"q": "spotlight"})
    )
    assert "Canada in the spotlight" in page
    assert "Encouraging women's participation" not in page


def test_the_partnership_changelist_filters_by_municipality(staff_client, demo):
    newell = Municipality.objects.get(slug="county-of-newell")
    response = staff_client.get(
        reverse("admin:partners_partnership_changelist"), {"canadian__id__exact": newell.pk}
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == list(
        Partnership.objects.filter(canadian=newell)
    )


@pytest.mark.parametrize(
    "model", ["news_newsitem", "pages_programpage", "partners_municipality", "partners_partnership"]
)
def test_an_unknown_changelist_filter_does_not_break_the_admin(staff_client, demo, model):
    response = staff_client.get(reverse(f"admin:{model}_changelist"), {"no_such_field": "1"})
    assert response.status_code == 302
    assert "e=1" in response["Location"]
    assert staff_client.get(response["Location"]).status_code == 200


def test_the_change_pages_of_unknown_objects_send_staff_back_with_a_message(staff_client, db):
    response = staff_client.get(reverse("admin:news_newsitem_change", args=[999999]), follow=True)
    assert response.status_code == 200
    assert "doesn’t exist" in visible_text(response)
    response = staff_client.get("/admin/news/newsitem/not-a-number/change/", follow=True)
    assert response.status_code == 200


# Bad input in each admin form -------------------------------------------------------------------


VALID_ADD_DATA = {
    "news_newsitem": lambda: news_post(),
    "pages_programpage": lambda: {"title_en": "Markets", "slug": "markets"},
    "partners_municipality": lambda: {
        "name": "Town of Example",
        "slug": "town-of-example",
        "country": Country.CANADA,
    },
}
MODELS = {
    "news_newsitem": NewsItem,
    "pages_programpage": ProgramPage,
    "partners_municipality": Municipality,
    "partners_partnership": Partnership,
}


def add_form_data(client, model, **fields):
    url = reverse(f"admin:{model}_add")
    data = admin_form_data(client.get(url))
    data.update(VALID_ADD_DATA[model]())
    data.update(fields)
    return url, data


@pytest.mark.parametrize("model", list(MODELS))
def test_an_empty_admin_add_form_comes_back_with_required_field_errors(staff_client, db, model):
    url = reverse(f"admin:{model}_add")
    data = admin_form_data(staff_client.get(url))
    response = staff_client.post(url, data)

    assert_form_shown_again_with(response, "This field is required.")
    assert not MODELS[model].objects.exists()


@pytest.mark.parametrize("model", list(VALID_ADD_DATA))
def test_a_bad_slug_comes_back_with_an_error(staff_client, db, model):
    url, data = add_form_data(staff_client, model, slug="bad slug!")
    response = staff_client.post(url, data)

    assert_form_shown_again_with(response, "Enter a valid “slug”")
    assert not MODELS[model].objects.exists()


@pytest.mark.parametrize("model", list(VALID_ADD_DATA))
def test_a_duplicate_slug_comes_back_with_an_error(staff_client, db, model):
    existing = {
        "news_newsitem": lambda: make_news("Taken", slug="taken"),
        "pages_programpage": lambda: make_page("Taken", slug="taken"),
        "partners_municipality": lambda: make_municipality("Taken", slug="taken"),
    }[model]()
    url, data = add_form_data(staff_client, model, slug="taken")
    response = staff_client.post(url, data)

    assert_form_shown_again_with(response, "with this Slug already exists.")
    assert list(MODELS[model].objects.all()) == [existing]


@pytest.mark.parametrize("model", list(VALID_ADD_DATA))
def test_a_valid_admin_add_form_saves(staff_client, db, model):
    url, data = add_form_data(staff_client, model)
    response = staff_client.post(url, data)

    assert response.status_code == 302, form_errors(response)
    assert MODELS[model].objects.count() == 1


def test_a_slug_changed_to_a_taken_one_is_refused_and_the_old_slug_kept(staff_client, db):
    make_news("Taken", slug="taken")
    item = make_news("Mine", slug="mine")
    data = admin_form_data(staff_client.get(change_url(item)))
    data["slug"] = "taken"
    response = staff_client.post(change_url(item), data)

    assert_form_shown_again_with(response, "News item with this Slug already exists.")
    item.refresh_from_db()
    assert item.slug == "mine"


def test_bad_news_item_values_come_back_with_errors(staff_client, db):
    response = staff_client.post(
        reverse("admin:news_newsitem_add"),
        news_post(
            kind="nonsense",
            title_en="x" * 251,
            published_at_0="31/31/2016",
            published_at_1="25:99",
            partners=["999999"],
        ),
    )

    assert_form_shown_again_with(response)
    errors = response.context["adminform"].form.errors
    assert {"kind", "title_en", "published_at", "partners"} <= set(errors)
    assert not NewsItem.objects.exists()


def test_a_news_item_with_a_damaged_articles_management_form_is_refused(staff_client, db):
    data = news_post()
    del data["articles-TOTAL_FORMS"]
    response = staff_client.post(reverse("admin:news_newsitem_add"), data)

    assert response.status_code == 200
    assert "ManagementForm data is missing or has been tampered with" in visible_text(response)
    assert not NewsItem.objects.exists()


def test_bad_program_page_figures_and_points_come_back_with_errors(staff_client, db):
    url, data = add_form_data(staff_client, "pages_programpage")
    data.update(
        {
            "figures-TOTAL_FORMS": "1",
            "figures-0-value": "-5",
            "figures-0-label_en": "",
            "figures-0-order": "1",
            "points-TOTAL_FORMS": "1",
            "points-0-text_en": "p" * 501,
            "points-0-order": "abc",
        }
    )
    response = staff_client.post(url, data)

    assert_form_shown_again_with(
        response,
        "Ensure this value is greater than or equal to 0.",
        "Ensure this value has at most 500 characters",
        "Enter a whole number.",
    )
    assert not ProgramPage.objects.exists()


def test_a_bad_municipality_country_and_website_come_back_with_errors(staff_client, db):
    url, data = add_form_data(
        staff_client, "partners_municipality", country="FR", website="not a website"
    )
    response = staff_client.post(url, data)

    assert_form_shown_again_with(response, "Select a valid choice.", "Enter a valid URL.")
    assert not Municipality.objects.exists()


def test_a_municipality_cannot_take_the_open_data_pages_address(staff_client, db):
    url, data = add_form_data(staff_client, "partners_municipality", slug="data", country="CA")
    response = staff_client.post(url, data)

    assert_form_shown_again_with(response, "taken by the partners' open data page")
    assert not Municipality.objects.exists()


def test_a_bad_partnership_year_comes_back_with_an_error(staff_client, db):
    canadian = make_municipality("Town of Example")
    cambodian = make_municipality("Sample commune", country=Country.CAMBODIA)
    response = staff_client.post(
        reverse("admin:partners_partnership_add"),
        {"canadian": canadian.pk, "cambodian": cambodian.pk, "since": "last year", "focus_en": ""},
    )

    assert_form_shown_again_with(response, "Enter a whole number.")
    assert not Partnership.objects.exists()


def test_changing_the_country_of_a_municipality_with_partners_is_refused_with_a_reason(
    staff_client, db
):
    canadian = make_municipality("Town of Example")
    cambodian = make_municipality("Sample commune", country=Country.CAMBODIA)
    make_partnership(canadian, cambodian)
    data = admin_form_data(staff_client.get(change_url(canadian)))
    data["country"] = Country.CAMBODIA
    response = staff_client.post(change_url(canadian), data)

    assert_form_shown_again_with(response, "This municipality has partners in the other country.")
    assert "country" in response.context["adminform"].form.errors
    canadian.refresh_from_db()
    assert canadian.country == Country.CANADA


def test_the_country_of_a_municipality_without_partners_can_be_changed(staff_client, db):
    municipality = make_municipality("Sample commune")
    data = admin_form_data(staff_client.get(change_url(municipality)))
    data["country"] = Country.CAMBODIA
    data["_publish_draft"] = "Publish changes"  # a live item: saved and published
    response = staff_client.post(change_url(municipality), data)

    assert response.status_code == 302, form_errors(response)
    municipality.refresh_from_db()
    assert municipality.country == Country.CAMBODIA


def test_an_item_whose_document_went_missing_from_disk_can_still_be_edited(staff_client, db):
    report = make_news("Lost file report", kind=Kind.REPORT)
    document = report.documents.get().document
    Path(document.file.path).unlink()
    url = reverse("admin:news_newsitem_change", args=[report.pk])
    data = admin_form_data(staff_client.get(url))
    data["title_en"] = "Lost file report, renamed"
    data["_publish_draft"] = "Publish changes"  # a live item: saved and published
    response = staff_client.post(url, data)
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.title == "Lost file report, renamed"
    assert [link.document for link in report.documents.all()] == [document]


def test_the_partnership_changelist_shows_years_without_a_thousands_separator(staff_client, demo):
    make_partnership(
        make_municipality("Town of Yearsley", region="Alberta"),
        make_municipality("Year Commune", country=Country.CAMBODIA),
        since=2011,
        focus="Planning",
    )
    page = visible_text(staff_client.get(reverse("admin:partners_partnership_changelist")))
    assert "2011" in page and "2,011" not in page
