"""The media library in the admin, through the test client: images uploaded, described, tagged,
found (search, tag filter, pages that never count the library), their focal point, where they
are used and the warning before deleting one in use; the rule that an image live pages show is
a publisher's to change; the choosers (their pages, the upload in place, the field in a news
item's form); and bad input everywhere a 4xx or a form error, never a 500."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from library.choosers import PAGE_SIZE, ImageChooserWidget
from library.models import Document, Image, Tag
from news.models import NewsItem

from .helpers import (
    admin_form_data,
    image_bytes,
    make_municipality,
    make_news,
    pdf_upload,
    visible_text,
)
from .helpers import (
    change_url as item_change_url,
)

CHOOSER = "admin:library_image_chooser"
DOCUMENT_CHOOSER = "admin:library_document_chooser"


def make_image(title="Rice harvest in Kampot", size=(60, 40), **extra):
    extra.setdefault("alt_en", f"{title}, photographed.")
    image = Image(title=title, **extra)
    image.file.save(
        f"{title.lower().replace(' ', '-')}.png",
        SimpleUploadedFile("x.png", image_bytes(size)),
        save=False,
    )
    image.save()
    return image


def image_post(**fields):
    data = {
        "file": SimpleUploadedFile("market.png", image_bytes((90, 60)), content_type="image/png"),
        "title": "Farmers' market in Kep",
        "alt_en": "Stalls of vegetables under umbrellas.",
        "alt_fr": "",
        "alt_km": "",
        "credit": "Photo: FCM, CC BY 4.0",
        "focal_x": "30",
        "focal_y": "70",
    }
    data.update(fields)
    return data


def change_url(image):
    return reverse("admin:library_image_change", args=[image.pk])


# Uploading and describing -------------------------------------------------------------------


def test_staff_upload_an_image_with_its_description_and_focal_point(editor):
    response = editor.get(reverse("admin:library_image_add"))
    page = response.content.decode()
    # Every language's description is asked for; the focal point waits for the file.
    for name in ("alt_en", "alt_fr", "alt_km", "focal_x", "focal_y", "tags", "credit"):
        assert f'name="{name}"' in page
    assert "Once the image is saved, click on it here" in visible_text(response)
    assert 'data-focal-point data-x="50" data-y="50"' in page

    response = editor.post(reverse("admin:library_image_add"), image_post())
    assert response.status_code == 302, response.context["adminform"].form.errors
    image = Image.objects.get()
    assert (image.title, image.alt_en, image.credit) == (
        "Farmers' market in Kep",
        "Stalls of vegetables under umbrellas.",
        "Photo: FCM, CC BY 4.0",
    )
    assert (image.focal_x, image.focal_y, image.width, image.height) == (30, 70, 90, 60)
    assert image.uploaded_by == editor.user


def test_the_english_description_is_required(editor):
    response = editor.post(reverse("admin:library_image_add"), image_post(alt_en=""))
    assert response.status_code == 200
    assert "alt_en" in response.context["adminform"].form.errors
    assert not Image.objects.exists()


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("notes.png", b"not an image at all", "image/png"), "image"),
        (SimpleUploadedFile("report.png", b"%PDF-1.4 hello", "image/png"), "image"),
        (
            SimpleUploadedFile("logo.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
            "image",
        ),
    ],
)
def test_a_file_that_is_not_an_image_is_refused_with_a_message(editor, upload, message):
    response = editor.post(reverse("admin:library_image_add"), image_post(file=upload))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert message in " ".join(errors["file"]).lower()
    assert not Image.objects.exists()


@pytest.mark.parametrize("value", ["101", "-1", "abc", "50.5", "1e3", "\x00"])
def test_a_focal_point_outside_0_to_100_is_a_form_error(editor, value):
    image = make_image()
    data = admin_form_data(editor.get(change_url(image)))
    data.pop("file", None)
    data["focal_x"] = value
    response = editor.post(change_url(image), data)
    assert response.status_code == 200
    assert "focal_x" in response.context["adminform"].form.errors
    image.refresh_from_db()
    assert image.focal_x == 50


def test_the_focal_point_is_set_in_the_form_and_shown_on_the_image(editor):
    image = make_image(size=(120, 80))
    response = editor.get(change_url(image))
    page = response.content.decode()
    assert 'data-focal-point data-x="50" data-y="50"' in page
    assert 'class="focal-point-image"' in page
    assert "Focal point: 50% across, 50% down" in page
    for crop in ("News card (3:2)", "Top of a page (16:9)", "Shared link (1200 × 630)"):
        assert crop in page
    assert "library/focal-point.js" in page

    data = admin_form_data(response)
    data.pop("file", None)
    data.update(focal_x="20", focal_y="85")
    response = editor.post(change_url(image), data)
    assert response.status_code == 302
    image.refresh_from_db()
    assert (image.focal_x, image.focal_y) == (20, 85)
    assert 'data-x="20" data-y="85"' in editor.get(change_url(image)).content.decode()


# The list ----------------------------------------------------------------------------------


def test_the_list_shows_thumbnails_titles_tags_sizes_and_uses(editor):
    harvest = make_image("Rice harvest", size=(60, 40))
    market = make_image("Night market", size=(80, 50))
    market.tags.add(Tag.objects.create(name="Markets"), Tag.objects.create(name="Kep"))
    make_news("Harvest festival", image=harvest)
    make_news("Harvest report", image=harvest)
    make_municipality("Town of Kampot", image=harvest)

    response = editor.get(reverse("admin:library_image_changelist"))
    rows = {
        visible_text(row): row
        for row in response.content.decode().split("<tr")[2:]  # after the header row
    }
    harvest_row = next(text for text in rows if "Rice harvest" in text)
    market_row = next(text for text in rows if "Night market" in text)
    assert "60 × 40 px" in harvest_row
    assert "3 items" in harvest_row
    assert "Kep, Markets" in market_row
    assert "not used" in market_row
    assert response.content.decode().count('class="library-thumb"') == 2


def test_the_list_searches_titles_and_descriptions_and_filters_by_tag(editor):
    tag = Tag.objects.create(name="Water")
    well = make_image("Village well", alt_en="Children at a pump.")
    well.tags.add(tag)
    make_image("Council meeting", alt_en="The council of Kep.")
    url = reverse("admin:library_image_changelist")

    def titles(**query):
        response = editor.get(url, query)
        assert response.status_code == 200
        return sorted(image.title for image in response.context["cl"].result_list)

    assert titles(q="well") == ["Village well"]
    assert titles(q="pump") == ["Village well"]
    assert titles(q="council of kep") == ["Council meeting"]
    assert titles(tags__id__exact=tag.pk) == ["Village well"]
    assert titles(used="no") == ["Council meeting", "Village well"]


def test_the_list_asks_the_same_number_of_queries_whatever_the_page_shows(editor):
    url = reverse("admin:library_image_changelist")
    tag = Tag.objects.create(name="People")
    for number in range(3):
        make_image(f"Photo {number}").tags.add(tag)
    editor.get(url)  # sessions, content types: once
    with CaptureQueriesContext(connection) as few:
        editor.get(url)
    for number in range(3, 15):
        image = make_image(f"Photo {number}")
        image.tags.add(tag)
        make_news(f"Story {number}", image=image)
    with CaptureQueriesContext(connection) as many:
        response = editor.get(url)
    assert len(response.context["cl"].result_list) == 15
    assert len(many) == len(few)
    # No count of the whole library beside the filtered one.
    assert response.context["cl"].show_full_result_count is False


# Where used, deleting -----------------------------------------------------------------------


def test_the_image_page_lists_where_it_is_used_with_links(editor):
    image = make_image()
    story = make_news("Harvest festival", image=image)
    draft = make_news("Harvest plans", image=image, published=False)
    town = make_municipality("Town of Kampot", image=image)
    response = editor.get(change_url(image))
    page = response.content.decode()
    section = page[page.index("Where this image is used") :]
    for item in (story, draft, town):
        admin_url = reverse(
            f"admin:{item._meta.app_label}_{item._meta.model_name}_change", args=[item.pk]
        )
        assert f'href="{admin_url}"' in section
    text = visible_text(section)
    assert "Harvest festival (news item, live)" in text
    assert "Harvest plans (news item, not live)" in text
    assert "Town of Kampot (municipality, live)" in text

    unused = make_image("Unused")
    assert "Nothing uses this image yet." in visible_text(editor.get(change_url(unused)))


def test_deleting_an_image_in_use_names_the_places_that_will_show_none(publisher):
    image = make_image()
    story = make_news("Harvest festival", image=image)
    town = make_municipality("Town of Kampot", image=image)
    url = reverse("admin:library_image_delete", args=[image.pk])
    response = publisher.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    warning = visible_text(page[page.index('id="library-delete-warning"') :])
    assert "This image is used in 2 places." in warning
    assert "they will show no image" in warning
    assert "Harvest festival" in warning and "Town of Kampot" in warning
    assert reverse("admin:news_newsitem_change", args=[story.pk]) in page
    # The renditions the library makes are not listed to staff.
    assert "Rendition" not in visible_text(page)

    response = publisher.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.exists()
    story.refresh_from_db()
    town.refresh_from_db()
    assert story.image is None and town.image is None


def test_deleting_several_images_warns_about_those_in_use(publisher):
    used = make_image("Used photo")
    unused = make_image("Unused photo")
    story = make_news("Harvest festival", image=used)
    url = reverse("admin:library_image_changelist")
    selection = {"action": "delete_selected", "_selected_action": [used.pk, unused.pk]}
    response = publisher.post(url, selection)
    assert response.status_code == 200
    page = response.content.decode()
    warning = visible_text(page[page.index('id="library-delete-warning"') :])
    assert "1 of these images is in use." in warning
    assert "Used photo" in warning and "Harvest festival" in warning
    assert reverse("admin:news_newsitem_change", args=[story.pk]) in page

    response = publisher.post(url, {**selection, "post": "yes"})
    assert response.status_code == 302
    assert not Image.objects.exists()
    story.refresh_from_db()
    assert story.image is None


def test_editors_cannot_delete_images(editor):
    image = make_image()
    assert editor.get(reverse("admin:library_image_delete", args=[image.pk])).status_code == 403
    response = editor.post(
        reverse("admin:library_image_changelist"),
        {"action": "delete_selected", "_selected_action": [image.pk], "post": "yes"},
    )
    assert Image.objects.filter(pk=image.pk).exists()
    assert response.status_code in {200, 302}


# Images that live pages show ----------------------------------------------------------------


def test_an_editor_sees_an_image_live_pages_show_read_only(editor):
    image = make_image()
    make_news("Harvest festival", image=image)
    response = editor.get(change_url(image))
    assert response.status_code == 200
    assert "only a publisher can change it" in visible_text(response)
    assert "Harvest festival (news item, live)" in visible_text(response)
    assert 'name="focal_x"' not in response.content.decode()
    # The marker is drawn, but cannot be moved.
    assert 'data-x="50"' in response.content.decode()

    data = image_post()
    data.pop("file")
    response = editor.post(change_url(image), data)
    assert response.status_code == 403
    image.refresh_from_db()
    assert image.focal_x == 50


def test_an_editor_changes_an_image_only_drafts_use(editor):
    image = make_image()
    make_news("Harvest plans", image=image, published=False)
    response = editor.get(change_url(image))
    assert "only a publisher" not in visible_text(response)
    data = admin_form_data(response)
    data.pop("file", None)
    data["focal_x"] = "10"
    assert editor.post(change_url(image), data).status_code == 302
    image.refresh_from_db()
    assert image.focal_x == 10


def test_a_publisher_changes_an_image_live_pages_show(publisher):
    image = make_image()
    make_news("Harvest festival", image=image)
    response = publisher.get(change_url(image))
    assert "only a publisher" not in visible_text(response)
    data = admin_form_data(response)
    data.pop("file", None)
    data["focal_x"] = "90"
    assert publisher.post(change_url(image), data).status_code == 302
    image.refresh_from_db()
    assert image.focal_x == 90


# The chooser's pages ------------------------------------------------------------------------


def test_the_chooser_is_for_staff_who_may_see_images(client, django_user_model, editor):
    url = reverse(CHOOSER)
    response = client.get(url)
    assert response.status_code == 302 and "login" in response["Location"]
    member = django_user_model.objects.create_user("m", "m@example.org", "x")
    client.force_login(member)
    assert client.get(url).status_code == 302
    nobody = django_user_model.objects.create_user("s", "s@example.org", "x", is_staff=True)
    client.force_login(nobody)
    assert client.get(url).status_code == 403
    assert client.get(reverse(DOCUMENT_CHOOSER)).status_code == 403
    assert editor.get(url).status_code == 200


def test_the_chooser_shows_thumbnails_with_numbers_and_finds_by_title_and_tag(editor):
    tag = Tag.objects.create(name="Water")
    well = make_image("Village well")
    well.tags.add(tag)
    meeting = make_image("Council meeting")
    response = editor.get(reverse(CHOOSER))
    text = visible_text(response)
    assert f"Village well No. {well.pk}" in text
    assert f"Council meeting No. {meeting.pk}" in text
    assert "type its number" in text or "type its number in the form" in text.lower()
    # No "Choose" buttons without the dialog: the number is what staff copy.
    assert "data-chooser-choose" not in response.content.decode()

    found = editor.get(reverse(CHOOSER), {"q": "  WELL "})
    assert [item["id"] for item in found.context["items"]] == [well.pk]
    tagged = editor.get(reverse(CHOOSER), {"tag": tag.pk})
    assert [item["id"] for item in tagged.context["items"]] == [well.pk]
    nothing = editor.get(reverse(CHOOSER), {"q": "elephant"})
    assert "No image matches." in visible_text(nothing)


def test_the_chooser_pages_without_counting_the_library(editor):
    images = [make_image(f"Photo {number}", size=(8, 6)) for number in range(PAGE_SIZE + 3)]
    newest_first = [image.pk for image in reversed(images)]
    with CaptureQueriesContext(connection) as queries:
        first = editor.get(reverse(CHOOSER))
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert [item["id"] for item in first.context["items"]] == newest_first[:PAGE_SIZE]
    assert first.context["next_url"].endswith("?page=2")
    assert first.context["previous_url"] == ""
    second = editor.get(first.context["next_url"])
    assert [item["id"] for item in second.context["items"]] == newest_first[PAGE_SIZE:]
    assert second.context["next_url"] == ""
    assert second.context["previous_url"] == reverse(CHOOSER)
    # The queries of a page do not grow with what it shows.
    with CaptureQueriesContext(connection) as fewer:
        editor.get(second.context["next_url"] or reverse(CHOOSER) + "?page=2")
    assert len(fewer) == len(queries)


@pytest.mark.parametrize(
    "query",
    [
        {"page": "abc"},
        {"page": "0"},
        {"page": "-3"},
        {"page": "99999999999999999999"},
        {"tag": "999999"},
        {"tag": "abc"},
        {"q": "x" * 10_000},
        {"q": "well\x00"},
    ],
)
def test_bad_chooser_query_strings_are_a_400_that_says_why(editor, query):
    make_image("Village well")
    for name in (CHOOSER, DOCUMENT_CHOOSER):
        response = editor.get(reverse(name), query)
        assert response.status_code == 400
        assert response.context["items"] == []
        assert 'id="chooser-filter-errors"' in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "0", "99999999999999999999", "1\x00", "-1", ""])
def test_a_bad_uploaded_number_in_the_chooser_address_is_ignored(editor, value):
    make_image("Village well")
    response = editor.get(reverse(CHOOSER), {"uploaded": value})
    assert response.status_code == 200
    assert response.context["uploaded"] is None
    assert "Village well" in visible_text(response)


def test_the_dialog_gets_the_content_alone_with_choose_buttons(editor):
    image = make_image("Village well")
    response = editor.get(reverse(CHOOSER), headers={"X-Library-Chooser": "1"})
    page = response.content.decode()
    assert "<html" not in page
    assert f'data-chooser-choose data-id="{image.pk}" data-title="Village well"' in page


def test_library_numbers_are_written_plainly_for_typing_into_the_field(editor):
    # The site groups thousands in numbers it shows (USE_THOUSAND_SEPARATOR): a library
    # number must not become "12,345", which the form's number field would refuse.
    image = make_image("Village well", id=12345)
    dialog = editor.get(reverse(CHOOSER), headers={"X-Library-Chooser": "1"}).content.decode()
    assert f'data-chooser-choose data-id="{image.pk}"' in dialog
    page = visible_text(editor.get(reverse(CHOOSER)))
    assert "No. 12345" in page and "12,345" not in page
    item = make_news("With a numbered image", image=image)
    form = visible_text(editor.get(item_change_url(item)))
    assert "No. 12345" in form and "12,345" not in form


def test_uploading_in_the_chooser_chooses_the_new_image(editor):
    response = editor.post(
        reverse(CHOOSER),
        {
            "file": SimpleUploadedFile("well.png", image_bytes((30, 20)), "image/png"),
            "title": "New well",
            "alt_en": "A new well in Kep.",
            "credit": "",
        },
        headers={"X-Library-Chooser": "1"},
    )
    assert response.status_code == 200
    chosen = json.loads(response.content)
    image = Image.objects.get()
    assert chosen["id"] == image.pk and chosen["title"] == "New well"
    assert chosen["thumbnail"]
    assert image.uploaded_by == editor.user and image.alt_en == "A new well in Kep."


def test_uploading_in_the_library_tab_says_the_new_number(editor):
    response = editor.post(
        reverse(CHOOSER),
        {
            "file": SimpleUploadedFile("well.png", image_bytes((30, 20)), "image/png"),
            "title": "New well",
            "alt_en": "A new well in Kep.",
        },
    )
    image = Image.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse(CHOOSER)}?uploaded={image.pk}"
    text = visible_text(editor.get(response["Location"]))
    assert f"Uploaded “New well”: its number is {image.pk}." in text


@pytest.mark.parametrize(
    "fields, field",
    [
        ({"file": SimpleUploadedFile("a.png", b"garbage", "image/png")}, "file"),
        ({"alt_en": ""}, "alt_en"),
        ({"title": ""}, "title"),
        ({"title": "x" * 300}, "title"),
    ],
)
def test_a_bad_upload_in_the_chooser_is_a_400_with_the_form_errors(editor, fields, field):
    data = {
        "file": SimpleUploadedFile("well.png", image_bytes((30, 20)), "image/png"),
        "title": "New well",
        "alt_en": "A new well.",
    }
    data.update(fields)
    response = editor.post(reverse(CHOOSER), data, headers={"X-Library-Chooser": "1"})
    assert response.status_code == 400
    assert field in response.context["upload_form"].errors
    assert '<details class="library-chooser-upload" open>' in response.content.decode()
    assert not Image.objects.exists()


def test_staff_who_may_not_add_images_get_no_upload_form(client, django_user_model):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("v", "v@example.org", "x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_image"))
    client.force_login(viewer)
    response = client.get(reverse(CHOOSER))
    assert response.status_code == 200 and response.context["upload_form"] is None
    upload = {"file": SimpleUploadedFile("w.png", image_bytes(), "image/png"), "title": "W"}
    assert client.post(reverse(CHOOSER), upload).status_code == 403


def test_the_document_chooser_lists_documents_and_uploads_one(editor):
    document = Document(title_en="Annual report 2016", language="fr")
    document.file.save("annual.pdf", pdf_upload(), save=False)
    document.save()
    response = editor.get(reverse(DOCUMENT_CHOOSER))
    assert response.status_code == 200
    text = visible_text(response)
    assert f"{document.pk} Annual report 2016 PDF, Français, 193 bytes" in text

    response = editor.post(
        reverse(DOCUMENT_CHOOSER),
        {"file": pdf_upload(name="summary.pdf"), "title_en": "Summary", "language": "en"},
        headers={"X-Library-Chooser": "1"},
    )
    assert response.status_code == 200, response.content
    chosen = json.loads(response.content)
    summary = Document.objects.get(pk=chosen["id"])
    assert summary.title_en == "Summary" and summary.uploaded_by == editor.user
    assert "PDF" in chosen["details"]

    response = editor.post(
        reverse(DOCUMENT_CHOOSER),
        {
            "file": SimpleUploadedFile("fake.pdf", b"not a pdf", "application/pdf"),
            "title_en": "Fake",
            "language": "en",
        },
        headers={"X-Library-Chooser": "1"},
    )
    assert response.status_code == 400
    assert "file" in response.context["upload_form"].errors
    assert not Document.objects.filter(title_en="Fake").exists()


# The chooser in a content form ---------------------------------------------------------------


@pytest.mark.django_db
def test_the_widget_shows_the_chosen_image_its_number_and_a_link_to_the_library():
    image = make_image("Village well", size=(30, 20))
    markup = ImageChooserWidget().render("image", image.pk, attrs={"id": "id_image"})
    assert 'type="number"' in markup and f'value="{image.pk}"' in markup
    assert "Village well" in markup and f"No. {image.pk}, 30 × 20 px" in markup
    assert 'class="library-chooser-thumb"' in markup
    assert f'href="{reverse(CHOOSER)}" target="_blank"' in markup
    assert "Open the library" in markup
    empty = ImageChooserWidget().render("image", None, attrs={"id": "id_image"})
    assert "No image chosen." in empty
    # A number that is no image (typed by hand) shows none, and the form says why.
    assert "No image chosen." in ImageChooserWidget().render("image", "99999")
    assert "No image chosen." in ImageChooserWidget().render("image", "abc")


def test_a_news_item_chooses_its_image_by_number(publisher):
    image = make_image("Village well")
    story = make_news("Harvest festival", published=False)
    url = reverse("admin:news_newsitem_change", args=[story.pk])
    response = publisher.get(url)
    page = response.content.decode()
    assert 'data-library-chooser data-kind="image"' in page
    assert "library/chooser.js" in page
    # No select of every image in the library.
    assert '<select name="image"' not in page

    data = admin_form_data(response)
    for value in ("abc", "999999", "-1"):
        data["image"] = value
        response = publisher.post(url, data)
        assert response.status_code == 200
        assert "image" in response.context["adminform"].form.errors
    data["image"] = str(image.pk)
    response = publisher.post(url, data)
    assert response.status_code == 302
    assert NewsItem.objects.get(pk=story.pk).image == image
    page = publisher.get(url).content.decode()
    assert f'value="{image.pk}"' in page and "Village well" in page


def test_the_tags_list_counts_images_and_documents(editor):
    markets = Tag.objects.create(name="Markets")
    Tag.objects.create(name="Unused tag")
    for title in ("Night market", "Fish market"):
        make_image(title).tags.add(markets)
    document = Document(title_en="Market study", language="en")
    document.file.save("study.pdf", pdf_upload(), save=False)
    document.save()
    document.tags.add(markets)
    response = editor.get(reverse("admin:library_tag_changelist"))
    rows = {
        tag.name: (tag.image_total, tag.document_total)
        for tag in response.context["cl"].result_list
    }
    assert rows == {"Markets": (2, 1), "Unused tag": (0, 0)}
    assert "Markets21 Unused tag00" in visible_text(response)
    # Found by name, for the image form's tag field (autocomplete).
    assert (
        editor.get(reverse("admin:library_tag_changelist"), {"q": "mark"})
        .context["cl"]
        .result_count
        == 1
    )
