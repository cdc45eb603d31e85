"""Behaviours that a deliberate bug once broke without any test noticing (issue 14).

Each test goes through HTTP with the test client against the real database and checks what a
reader or staff member sees: an expiring item leaving a cached page, a redirect to its own
address, BMP and TIFF images refused, "Page Updated" of a scheduled item and of an item whose
partner was edited, and who may download a press feature's article copy."""

import datetime
import io
import time

import pytest
from allauth.account.models import EmailAddress
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from library.models import Image as LibraryImage
from news.models import Article, Kind, NewsItem
from pages.models import SiteSettings
from partners.models import Municipality
from redirects.models import MissingPage, Redirect

from .helpers import (
    PDF_BYTES,
    admin_form_data,
    assert_form_shown_again_with,
    make_document,
    make_member,
    make_municipality,
    make_news,
    visible_text,
)


def local_date(moment):
    """A moment as "Page Updated:" writes it in English (18 May 2016, in the site's time zone)."""
    local = timezone.localtime(moment)
    return f"{local.day} {local:%B %Y}"


# 1. A cached page drops an item when its unpublish time passes ---------------------------------


def test_a_cached_page_stops_showing_an_item_once_its_unpublish_time_passes(db, settings):
    settings.MPED_PAGE_CACHE_SECONDS = 600
    SiteSettings.load()  # made by the first request otherwise, a save that empties the cache
    expires = timezone.now() + datetime.timedelta(seconds=4)
    item = make_news("Short-lived notice", kind=Kind.PRESS, unpublish_at=expires)
    pages = ["/en/", "/en/news/", item.get_absolute_url()]
    for url in pages:
        assert "Short-lived notice" in visible_text(Client().get(url)), url
        cached = Client().get(url)
        assert cached["X-Cache"] == "hit", url
        assert "Short-lived notice" in visible_text(cached), url

    # No save happens at expiry: only the clock moves.
    time.sleep(max(0, (expires - timezone.now()).total_seconds()) + 0.2)
    for url in pages[:2]:
        response = Client().get(url)
        assert response.status_code == 200
        assert "Short-lived notice" not in visible_text(response), url
    assert Client().get(item.get_absolute_url()).status_code == 404


# 2. A redirect whose target is its own address is not served -----------------------------------


@pytest.mark.parametrize(
    "old_path, new_path",
    [
        ("/en/old-report/", "/en/old-report/"),
        ("/en/old-report/", "/old-report/"),  # the neutral target gets the request's language
        ("/old-report/", "/old-report/"),
    ],
)
def test_a_redirect_to_its_own_address_answers_404_instead_of_a_loop(db, old_path, new_path):
    # Bad data, as an import could leave it (the admin refuses such a loop).
    Redirect.objects.create(old_path=old_path, new_path=new_path)
    for url in ["/en/old-report/", "/en/old-report/?page=2"]:
        response = Client().get(url)
        assert response.status_code == 404, response.get("Location")
        assert "Location" not in response
    assert Redirect.objects.get().hits == 0
    assert not MissingPage.objects.exists()


def test_a_redirect_to_another_language_of_the_same_path_still_works(db):
    Redirect.objects.create(old_path="/old-report/", new_path="/en/old-report/")
    response = Client().get("/fr/old-report/")
    assert response.status_code == 301
    assert response["Location"] == "/en/old-report/"


# 3. BMP and TIFF are refused as images ---------------------------------------------------------


def image_in(format):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (11, 79, 108)).save(buffer, format)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "format, name, content_type",
    [("BMP", "photo.bmp", "image/bmp"), ("TIFF", "photo.tif", "image/tiff")],
)
def test_bmp_and_tiff_images_are_refused_with_a_clear_message(
    staff_client, db, format, name, content_type
):
    content = image_in(format)
    with Image.open(io.BytesIO(content)) as opened:
        assert opened.format == format  # Pillow itself reads it: only our rule refuses it
    # Images are uploaded to the media library (items choose them there).
    add_url = "/admin/library/image/add/"
    response = staff_client.post(
        add_url,
        {
            **admin_form_data(staff_client.get(add_url)),
            "title": "Market",
            "alt_en": "A market",
            "file": SimpleUploadedFile(name, content, content_type=content_type),
        },
    )
    assert_form_shown_again_with(response, "Upload a JPEG, PNG, WebP or GIF image.")
    assert list(response.context["adminform"].form.errors) == ["file"]
    assert not LibraryImage.objects.exists()


# 4. "Page Updated" never shows a scheduled item's future publication time ----------------------


def test_page_updated_of_a_scheduled_item_is_its_last_edit_not_its_future_publication(
    staff_client, db
):
    last_edit = timezone.now() - datetime.timedelta(days=30)
    goes_live = timezone.now() + datetime.timedelta(days=2)
    item = make_news("Launch next week")
    NewsItem.objects.filter(pk=item.pk).update(published_at=goes_live, updated_at=last_edit)

    preview = visible_text(staff_client.get(item.get_absolute_url()))
    assert "Preview — not published" in preview
    assert f"Page Updated: {local_date(last_edit)}" in preview
    assert local_date(goes_live) not in preview.split("Page Updated:")[1]
    # The public pages do not show it, nor its date.
    for url in ["/en/", "/en/news/"]:
        page = visible_text(Client().get(url))
        assert "Launch next week" not in page
        assert f"Page Updated: {local_date(goes_live)}" not in page


# 5. A news item's "Page Updated" follows edits of the partners it names ------------------------


def test_page_updated_of_a_news_item_moves_when_a_partner_it_names_is_edited(client, db):
    long_ago = timezone.now() - datetime.timedelta(days=60)
    partner = make_municipality("County of Newell")
    item = make_news("Newell visits Kampot", days_ago=90)
    item.partners.add(partner)
    NewsItem.objects.filter(pk=item.pk).update(updated_at=long_ago)
    Municipality.objects.filter(pk=partner.pk).update(updated_at=long_ago)
    page = visible_text(client.get(item.get_absolute_url()))
    assert "County of Newell" in page
    assert f"Page Updated: {local_date(long_ago)}" in page

    partner.name = "County of Newell (Alberta)"
    partner.save()
    page = visible_text(client.get(item.get_absolute_url()))
    assert "County of Newell (Alberta)" in page
    assert f"Page Updated: {local_date(timezone.now())}" in page


# 6. A press feature's article copy: the same members-only rule as the feature ------------------


def press_feature_with_copy(**extra):
    item = make_news("Canada in the spotlight", kind=Kind.PRESS, **extra)
    copy = make_document("Economics Today on MPED", name="economics-today.pdf")
    Article.objects.create(news_item=item, title="Economics Today on MPED", document=copy)
    return item, copy.get_absolute_url()


def non_member_client():
    user = make_member("new@example.org")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client = Client()
    client.force_login(user)
    return client


def member_client():
    client = Client()
    client.force_login(make_member())
    return client


def test_a_members_only_press_features_article_copy_is_for_members(db):
    _item, url = press_feature_with_copy(is_members_only=True)
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].endswith(f"/accounts/login/?next={url}")

    refused = non_member_client().get(url)
    assert refused.status_code == 403
    assert "This document is for members with a confirmed email." in visible_text(refused)

    response = member_client().get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"


def test_a_public_press_features_article_copy_is_for_anyone(db):
    item, url = press_feature_with_copy()
    for client in [Client(), non_member_client(), member_client()]:
        response = client.get(url)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF_BYTES
    assert url in Client().get(item.get_absolute_url()).content.decode()


@pytest.mark.parametrize("members_only", [False, True])
def test_a_drafts_article_copy_is_404_for_readers_and_served_to_staff(
    staff_client, db, members_only
):
    _item, url = press_feature_with_copy(published=False, is_members_only=members_only)
    for client in [Client(), non_member_client(), member_client()]:
        assert client.get(url).status_code == 404
    response = staff_client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
