"""Roles that hold: Editors prepare drafts, Publishers decide what is public, in every path of
the admin (forms, list editing, inlines, bulk actions, the CSV import, the history's restore
and recover) for municipalities, partnerships, program pages, news items and site settings."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from editorial.drafts import draft_for
from news.models import NewsItem
from pages.models import ProgramPage, SiteSettings
from partners.models import Country, Municipality, Partnership

from .helpers import (
    CONFIRM_URL,
    add_pairing_row,
    admin_form_data,
    change_url,
    confirm,
    form_errors,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    preview,
    visible_text,
)

ADD_URL = reverse("admin:partners_municipality_add")
LIST_URL = reverse("admin:partners_municipality_changelist")


def is_public(obj):
    return Client().get(obj.get_absolute_url()).status_code == 200


def add_municipality(client, **fields):
    data = admin_form_data(client.get(ADD_URL))
    data.update(name="Town of Smithers", slug="town-of-smithers", country=Country.CANADA)
    data.update(fields)
    return client.post(ADD_URL, data)


def list_edit(client, url, rows):
    """The change list's Save button, for `rows`: {obj: {field: value}} (a ticked box is
    "on", an unticked one is left out, as a browser sends them)."""
    data = {
        "form-TOTAL_FORMS": str(len(rows)),
        "form-INITIAL_FORMS": str(len(rows)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for index, (obj, fields) in enumerate(rows.items()):
        data[f"form-{index}-id"] = str(obj.pk)
        for name, value in fields.items():
            if value is not None:
                data[f"form-{index}-{name}"] = value
    return client.post(url, data)


def revision_url(obj, version):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_revision", args=[obj.pk, version.pk])


def restore(client, obj, version):
    """Open the history's "revert" page of `version` and press Save, as staff do."""
    url = revision_url(obj, version)
    page = client.get(url)
    if page.status_code != 200:
        return page
    return client.post(url, admin_form_data(page))


# The roles --------------------------------------------------------------------------------------


def test_publishers_publish_partners_and_site_settings_and_editors_do_not(db):
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    publish = {"publish_municipality", "publish_partnership", "publish_sitesettings"}
    assert publish <= codenames("Publishers")
    assert not publish & codenames("Editors")
    assert {"add_municipality", "change_municipality", "add_partnership", "view_sitesettings"} <= (
        codenames("Editors")
    )


# Municipalities: the form -----------------------------------------------------------------------


def test_an_editor_adds_a_draft_municipality_even_when_posting_publish_by_hand(editor):
    form = editor.get(ADD_URL)
    assert 'name="is_published"' not in form.content.decode()
    response = add_municipality(editor, is_published="on")
    assert response.status_code == 302, form_errors(response)
    town = Municipality.objects.get(slug="town-of-smithers")
    assert not town.is_published
    assert not is_public(town)


def test_an_editor_edits_a_draft_municipality_but_not_a_published_one(editor):
    draft = make_municipality("Town of Draft", published=False)
    data = admin_form_data(editor.get(change_url(draft)))
    data.update(summary_en="Ready for review.", is_published="on")
    assert editor.post(change_url(draft), data).status_code == 302
    draft.refresh_from_db()
    assert draft.summary == "Ready for review." and not draft.is_published

    # A published one: its changes are its draft (issue 16), readers still see the row.
    live = make_municipality("City of Live")
    page = editor.get(change_url(live))
    assert page.status_code == 200 and 'name="summary_en"' in page.content.decode()
    data = admin_form_data(page)
    posted = editor.post(change_url(live), {**data, "name": "Hijacked", "is_published": ""})
    assert posted.status_code == 302, form_errors(posted)
    live.refresh_from_db()
    assert live.name == "City of Live" and live.is_published
    assert "Hijacked" not in visible_text(Client().get(live.get_absolute_url()))
    assert draft_for(live).data["fields"]["name"] == "Hijacked"


def test_a_publisher_publishes_a_municipality_from_the_form(publisher):
    response = add_municipality(publisher, is_published="on")
    assert response.status_code == 302, form_errors(response)
    assert is_public(Municipality.objects.get(slug="town-of-smithers"))


# Municipalities: the change list ----------------------------------------------------------------


def test_an_editor_cannot_publish_or_change_published_rows_by_list_editing(editor):
    draft = make_municipality("Town of Draft", published=False, order=5)
    live = make_municipality("City of Live", order=1)
    listing = editor.get(LIST_URL).content.decode()
    assert 'name="form-0-order"' in listing  # editors still order their drafts
    assert 'name="form-0-is_published"' not in listing
    assert 'name="form-1-is_published"' not in listing

    response = list_edit(
        editor, LIST_URL, {draft: {"order": "7", "is_published": "on"}, live: {"order": "9"}}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    live.refresh_from_db()
    assert draft.order == 7 and not draft.is_published
    assert live.order == 1
    assert not is_public(draft)


def test_a_publisher_publishes_by_list_editing(publisher):
    draft = make_municipality("Town of Draft", published=False, order=5)
    response = list_edit(publisher, LIST_URL, {draft: {"order": "5", "is_published": "on"}})
    assert response.status_code == 302
    assert is_public(draft)


def test_an_editor_cannot_publish_unpublish_or_delete_published_rows_in_bulk(editor):
    draft = make_municipality("Town of Draft", published=False)
    live = make_municipality("City of Live")
    listing = editor.get(LIST_URL).content.decode()
    assert 'value="publish_now"' not in listing and 'value="unpublish"' not in listing

    editor.post(LIST_URL, {"action": "publish_now", "_selected_action": [draft.pk]})
    editor.post(LIST_URL, {"action": "unpublish", "_selected_action": [live.pk]})
    deleted = editor.post(
        LIST_URL, {"action": "delete_selected", "_selected_action": [live.pk], "post": "yes"}
    )
    assert deleted.status_code == 403
    assert not is_public(draft)
    assert is_public(live)

    # A draft is the editor's to delete.
    editor.post(
        LIST_URL, {"action": "delete_selected", "_selected_action": [draft.pk], "post": "yes"}
    )
    assert not Municipality.objects.filter(pk=draft.pk).exists()


def test_a_publisher_publishes_and_unpublishes_in_bulk(publisher):
    draft = make_municipality("Town of Draft", published=False)
    live = make_municipality("City of Live")
    publisher.post(LIST_URL, {"action": "publish_now", "_selected_action": [draft.pk]})
    publisher.post(LIST_URL, {"action": "unpublish", "_selected_action": [live.pk]})
    assert is_public(draft)
    assert not is_public(live)
    # Each change is a version with who made it.
    assert Version.objects.get_for_object(draft).get().revision.user == publisher.user


# Municipalities: the CSV import -----------------------------------------------------------------

IMPORT_HEADER = "slug,name,country,province,latitude,longitude,website,summary,is_sample"


def test_an_editor_s_import_cannot_publish_or_change_a_published_municipality(editor):
    make_municipality("City of Live", summary_en="As published.")
    make_municipality("Town of Draft", published=False)
    content = (
        f"{IMPORT_HEADER},is_published\r\n"
        "town-of-smithers,Town of Smithers,CA,British Columbia,,,,New.,false,true\r\n"
        "town-of-draft,Town of Draft,CA,,,,,Now public?,false,true\r\n"
        "city-of-live,City of Live,CA,,,,,Changed behind the publisher's back.,false,true\r\n"
    )
    before = list(Municipality.objects.order_by("pk").values())
    response = preview(editor, content)
    assert response.status_code == 400
    page = visible_text(response)
    assert page.count("Only a publisher can publish a municipality") == 2
    assert "City of Live is published: only a publisher can change it." in page
    assert list(Municipality.objects.order_by("pk").values()) == before


def test_an_editor_imports_drafts_and_leaves_unchanged_published_rows_alone(editor):
    make_municipality("City of Live", summary_en="As published.")
    content = (
        f"{IMPORT_HEADER},is_published\r\n"
        "town-of-smithers,Town of Smithers,CA,British Columbia,,,,New.,false,false\r\n"
        "city-of-live,City of Live,CA,,,,,As published.,false,true\r\n"
    )
    response = preview(editor, content)
    assert response.status_code == 200, visible_text(response)
    assert confirm(editor, response).status_code == 302
    smithers = Municipality.objects.get(slug="town-of-smithers")
    assert not smithers.is_published


def test_an_editor_cannot_confirm_a_publisher_s_import(editor, publisher):
    content = (
        f"{IMPORT_HEADER},is_published\r\n"
        "town-of-smithers,Town of Smithers,CA,British Columbia,,,,New.,false,true\r\n"
    )
    previewed = preview(publisher, content)
    assert previewed.status_code == 200
    response = editor.post(CONFIRM_URL, previewed.context["confirm_form"].initial)
    assert response.status_code == 400
    assert "Nothing was imported" in visible_text(response)
    assert not Municipality.objects.exists()

    assert confirm(publisher, previewed).status_code == 302
    assert is_public(Municipality.objects.get(slug="town-of-smithers"))


# Municipalities: history --------------------------------------------------------------------------


@pytest.fixture
def unpublished_town(publisher):
    """A municipality a publisher published from the form and then unpublished: its first
    version is a published one."""
    assert add_municipality(publisher, is_published="on").status_code == 302
    town = Municipality.objects.get(slug="town-of-smithers")
    publisher.post(LIST_URL, {"action": "unpublish", "_selected_action": [town.pk]})
    town.refresh_from_db()
    assert not town.is_published
    return town


def test_an_editor_cannot_restore_a_published_version_of_a_municipality(editor, unpublished_town):
    published = Version.objects.get_for_object(unpublished_town).order_by("pk").first()
    response = restore(editor, unpublished_town, published)
    assert response.status_code == 302
    follow = editor.get(response["Location"])
    assert "Only a publisher can restore this version" in visible_text(follow)
    unpublished_town.refresh_from_db()
    assert not unpublished_town.is_published
    assert not is_public(unpublished_town)
    # Nor by posting the form without opening it first.
    data = admin_form_data(editor.get(change_url(unpublished_town)))
    editor.post(revision_url(unpublished_town, published), data)
    assert not is_public(unpublished_town)


def test_a_publisher_restores_a_published_version_of_a_municipality(publisher, unpublished_town):
    published = Version.objects.get_for_object(unpublished_town).order_by("pk").first()
    assert restore(publisher, unpublished_town, published).status_code == 302
    assert is_public(unpublished_town)


def delete_in_admin(client, obj):
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302


def recover(client, model):
    version = Version.objects.get_deleted(model).get()
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_recover", args=[version.pk])
    page = client.get(url)
    if page.status_code != 200:
        return page
    return client.post(url, admin_form_data(page))


def test_an_editor_cannot_recover_a_deleted_published_municipality(editor, publisher):
    assert add_municipality(publisher, is_published="on").status_code == 302
    delete_in_admin(publisher, Municipality.objects.get())
    response = recover(editor, Municipality)
    assert response.status_code == 302
    assert "Only a publisher can restore this version" in visible_text(
        editor.get(response["Location"])
    )
    assert not Municipality.objects.exists()

    assert recover(publisher, Municipality).status_code == 302
    assert is_public(Municipality.objects.get(slug="town-of-smithers"))


def test_an_editor_recovers_a_deleted_draft(editor):
    assert add_municipality(editor).status_code == 302
    delete_in_admin(editor, Municipality.objects.get())
    assert recover(editor, Municipality).status_code == 302
    assert not Municipality.objects.get(slug="town-of-smithers").is_published


# Partnerships -----------------------------------------------------------------------------------


@pytest.fixture
def towns(db):
    return {
        "canadian": make_municipality("Town of Draft", published=False),
        "cambodian": make_municipality("Kang Meas District", country=Country.CAMBODIA),
        "other": make_municipality("Sample Commune", country=Country.CAMBODIA),
    }


def test_a_new_partnership_is_a_draft():
    assert Partnership._meta.get_field("is_published").default is False


def test_an_editor_adds_only_draft_pairings_through_the_inline(editor, towns):
    town = towns["canadian"]
    page = editor.get(change_url(town))
    assert 'name="partnerships_as_canadian-0-is_published"' not in page.content.decode()
    data = admin_form_data(page)
    add_pairing_row(
        data,
        "partnerships_as_canadian",
        cambodian=towns["cambodian"].pk,
        since="2011",
        focus_en="Planning",
        is_published="on",
    )
    response = editor.post(change_url(town), data)
    assert response.status_code == 302, form_errors(response)
    pairing = Partnership.objects.get()
    assert pairing.focus == "Planning" and not pairing.is_published


def test_an_editor_cannot_change_or_delete_a_published_pairing_through_the_inline(editor, towns):
    town = towns["canadian"]
    pairing = make_partnership(town, towns["cambodian"], focus_en="Planning", is_published=True)
    data = admin_form_data(editor.get(change_url(town)))
    data.update(
        {
            "partnerships_as_canadian-0-focus_en": "Hijacked",
            "partnerships_as_canadian-0-cambodian": str(towns["other"].pk),
            "partnerships_as_canadian-0-DELETE": "on",
        }
    )
    response = editor.post(change_url(town), data)
    assert response.status_code == 302, form_errors(response)
    pairing.refresh_from_db()
    assert pairing.focus == "Planning" and pairing.cambodian == towns["cambodian"]
    assert pairing.is_published


def test_a_publisher_adds_a_public_pairing_through_the_inline(publisher, towns):
    canadian = make_municipality("City of Live")
    data = admin_form_data(publisher.get(change_url(canadian)))
    add_pairing_row(
        data, "partnerships_as_canadian", cambodian=towns["cambodian"].pk, is_published="on"
    )
    response = publisher.post(change_url(canadian), data)
    assert response.status_code == 302, form_errors(response)
    assert "Kang Meas District" in visible_text(Client().get(canadian.get_absolute_url()))


def test_the_partnership_admin_keeps_editors_to_drafts(editor, publisher, towns):
    url = reverse("admin:partners_partnership_add")
    fields = {"canadian": towns["canadian"].pk, "cambodian": towns["cambodian"].pk}
    response = editor.post(url, {**fields, "since": "", "focus_en": "", "is_published": "on"})
    assert response.status_code == 302, form_errors(response)
    pairing = Partnership.objects.get()
    assert not pairing.is_published

    pairings = reverse("admin:partners_partnership_changelist")
    editor.post(pairings, {"action": "publish_now", "_selected_action": [pairing.pk]})
    pairing.refresh_from_db()
    assert not pairing.is_published
    publisher.post(pairings, {"action": "publish_now", "_selected_action": [pairing.pk]})
    pairing.refresh_from_db()
    assert pairing.is_published
    # Changing a published pairing: a draft (issue 16), the pairing as it was.
    assert editor.post(change_url(pairing), {**fields, "focus_en": "x"}).status_code == 302
    pairing.refresh_from_db()
    assert pairing.focus == "" and pairing.is_published
    assert draft_for(pairing).data["fields"]["focus_en"] == "x"


def test_an_editor_cannot_restore_a_municipality_version_with_published_pairings(
    editor, publisher, towns
):
    town = towns["canadian"]
    data = admin_form_data(publisher.get(change_url(town)))
    add_pairing_row(
        data, "partnerships_as_canadian", cambodian=towns["cambodian"].pk, is_published="on"
    )
    assert publisher.post(change_url(town), data).status_code == 302
    pairing = Partnership.objects.get()
    assert pairing.is_published
    pairings = reverse("admin:partners_partnership_changelist")
    publisher.post(pairings, {"action": "unpublish", "_selected_action": [pairing.pk]})

    version = Version.objects.get_for_object(town).order_by("pk").first()
    restore(editor, town, version)
    pairing.refresh_from_db()
    assert not pairing.is_published


# News items and program pages: the history's restore ----------------------------------------------


def test_an_editor_cannot_restore_a_version_that_republishes_another_page(editor, publisher):
    draft = make_page("Draft section", published=False, order=1)
    live = make_page("Live section", order=2)
    pages = reverse("admin:pages_programpage_changelist")
    # One save of the list by a publisher: one revision with both pages in it.
    list_edit(publisher, pages, {draft: {"order": "3"}, live: {"order": "4"}})
    revision = Version.objects.get_for_object(draft).get().revision
    assert revision.version_set.count() == 2
    publisher.post(pages, {"action": "unpublish", "_selected_action": [live.pk]})
    assert not is_public(live)

    version = Version.objects.get_for_object(draft).order_by("pk").first()
    response = restore(editor, draft, version)
    assert response.status_code == 302
    assert "Only a publisher can restore this version" in visible_text(
        editor.get(response["Location"])
    )
    assert not is_public(live)
    assert not is_public(draft)

    assert restore(publisher, draft, version).status_code == 302
    assert is_public(live)


def test_an_editor_cannot_restore_a_published_version_of_a_news_item(editor, publisher):
    item = make_news("Market opens", published=False)
    news = reverse("admin:news_newsitem_changelist")
    publisher.post(news, {"action": "publish_now", "_selected_action": [item.pk]})
    publisher.post(news, {"action": "unpublish", "_selected_action": [item.pk]})
    published = Version.objects.get_for_object(item).order_by("pk").first()
    assert published.field_dict["is_published"]
    restore(editor, item, published)
    item.refresh_from_db()
    assert not item.is_published
    assert NewsItem.objects.count() == 1


def test_an_editor_cannot_change_a_published_page_by_list_editing(editor):
    live = make_page("Live section", order=2)
    pages = reverse("admin:pages_programpage_changelist")
    list_edit(editor, pages, {live: {"order": "9"}})
    live.refresh_from_db()
    assert live.order == 2
    assert ProgramPage.objects.count() == 1


# Site settings ------------------------------------------------------------------------------------


SITE_URL = reverse("admin:pages_sitesettings_change", args=[1])


def test_an_editor_prepares_a_site_settings_change_that_readers_do_not_see(editor):
    # The whole review of it: tests/test_sitesettings_drafts.py.
    SiteSettings.load()
    data = admin_form_data(editor.get(SITE_URL))
    data.update(site_name_en="Hijacked", _publish_draft="Publish changes")
    assert editor.post(SITE_URL, data).status_code == 302
    assert SiteSettings.load().site_name == "Municipal Partners for Economic Development"
    assert "Hijacked" not in visible_text(Client().get("/en/"))


def test_a_publisher_changes_the_site_settings(publisher):
    SiteSettings.load()
    data = admin_form_data(publisher.get(SITE_URL))
    data.update(site_name_en="Partners for Development", _publish_draft="Publish changes")
    response = publisher.post(SITE_URL, data)
    assert response.status_code == 302, form_errors(response)
    assert "Partners for Development" in visible_text(Client().get("/en/"))
