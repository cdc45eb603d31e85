"""Preview before saving: the change form's Preview button posts the unsaved form, which is shown
in the public layout with the "Preview — not published" banner, in each language, and never
saved (editorial/preview.py)."""

import html
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.test import Client
from django.urls import NoReverseMatch, reverse
from reversion.models import Revision, Version

from core.cache import content_version
from news.models import Kind, NewsItem
from pages.models import PagePoint, ProgramPage, SiteSettings
from partners.models import Country

from .helpers import (
    PDF_BYTES,
    add_pairing_row,
    admin_form_data,
    change_url,
    image_bytes,
    make_document,
    make_library_image,
    make_member,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    news_post,
    visible_text,
)

BANNER = "Preview — not published"


def preview_url(obj=None, model=NewsItem):
    opts = (obj or model)._meta
    if obj is None:
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_preview_add")
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_preview", args=[obj.pk])


def form_of(client, obj):
    response = client.get(change_url(obj))
    assert response.status_code == 200
    return admin_form_data(response)


def frame_urls(toolbar):
    return [html.unescape(src) for src in re.findall(r'<iframe[^>]* src="([^"]+)"', toolbar)]


def preview(client, url, data):
    """Press Preview: the post, then the page the new tab is sent to, then its iframe's page."""
    posted = client.post(url, data)
    assert posted.status_code == 303, visible_text(posted)[:2000]
    toolbar = client.get(posted["Location"])
    assert toolbar.status_code == 200
    (frame,) = frame_urls(toolbar.content.decode())
    return posted, toolbar, client.get(frame)


def database_state():
    """Every row of every table (sessions, history and the page-cache's own tables included)."""
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in apps.get_models()
    }


def stored_files():
    roots = [Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT)]
    return sorted(str(path) for root in roots if root.exists() for path in root.rglob("*"))


class NothingSaved:
    """Records the database, the stored files and the page cache's content version, to check
    that a preview changed none of them."""

    def __init__(self):
        SiteSettings.load()  # made by the first page any reader opens
        self.rows = database_state()
        self.versions = Version.objects.count(), Revision.objects.count()
        self.files = stored_files()
        self.content_version = content_version()[0]

    def check(self):
        assert (Version.objects.count(), Revision.objects.count()) == self.versions
        assert stored_files() == self.files
        assert content_version()[0] == self.content_version, "the page cache was invalidated"
        assert database_state() == self.rows


def test_the_change_form_has_a_preview_button_that_posts_to_a_new_tab(publisher):
    item = make_news("Rice market opens")
    page = publisher.get(change_url(item)).content.decode()
    button = re.search(r'<input type="submit" value="Preview"[^>]*>', page).group(0)
    assert f'formaction="{preview_url(item)}"' in button
    assert 'formtarget="_blank"' in button
    add_page = publisher.get(reverse("admin:news_newsitem_add")).content.decode()
    assert f'formaction="{preview_url()}"' in add_page


def test_a_publisher_previews_unsaved_changes_to_a_live_item_and_readers_still_see_the_old(
    publisher, client
):
    item = make_news("Rice market opens", body="<p>The old body.</p>")
    before = NothingSaved()
    data = form_of(publisher, item)
    data.update(title_en="Rice market opens every Saturday", body_en="<p>The new body.</p>")

    posted, toolbar, frame = preview(publisher, preview_url(item), data)

    page = visible_text(frame)
    assert "Rice market opens every Saturday" in page
    assert "The new body." in page and "The old body." not in page
    assert BANNER in page and "Unsaved changes (Published)" in page
    assert 'name="robots" content="noindex"' in frame.content.decode()
    # The preview's own page: a toolbar of links, the public page in an iframe.
    assert BANNER in visible_text(toolbar)
    assert "Rice market opens every Saturday" in visible_text(toolbar)
    for response in (posted, toolbar, frame):
        assert {"private", "no-store"} <= set(response["Cache-Control"].split(", "))
        assert response["X-Robots-Tag"] == "noindex"
    # Only the iframe's page may be framed, and only by the site itself.
    assert frame["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in frame["Content-Security-Policy"]
    assert toolbar["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in toolbar["Content-Security-Policy"]

    public = visible_text(client.get(item.get_absolute_url()))
    assert "The old body." in public and "every Saturday" not in public
    before.check()


def test_an_editor_previews_a_draft_program_page_with_a_new_point(editor):
    page = make_page("Local economic development", published=False)
    PagePoint.objects.create(page=page, text="Plans made with the communes", order=1)
    before = NothingSaved()
    data = form_of(editor, page)
    data.update(title_en="Local economic development, step by step")
    data["body_en"] = "<p>How the communes plan.</p><script>alert(1)</script>"
    row = int(data["points-TOTAL_FORMS"])
    data.update(
        {
            "points-TOTAL_FORMS": row + 1,
            f"points-{row}-text_en": "Markets open every week",
            f"points-{row}-order": "2",
        }
    )

    _, _, frame = preview(editor, preview_url(page), data)

    text = visible_text(frame)
    assert "Local economic development, step by step" in text
    assert "How the communes plan." in text
    assert text.index("Plans made with the communes") < text.index("Markets open every week")
    assert "Unsaved changes (Draft)" in text
    # Rich text is cleaned as saving would clean it.
    assert "<script>" not in frame.content.decode()
    before.check()
    assert ProgramPage.objects.get().title == "Local economic development"


def test_a_new_item_is_previewed_from_the_add_form_without_being_saved(editor):
    partner = make_municipality("City of Chilliwack")
    draft_partner = make_municipality("Srae Ambel", Country.CAMBODIA, published=False)
    before = NothingSaved()
    data = news_post(title_en="A market for farmers", partners=[partner.pk, draft_partner.pk])
    data.pop("is_published")  # an editor's form has no publishing fields
    data.pop("published_at_0")
    data.pop("published_at_1")

    _, toolbar, frame = preview(editor, preview_url(), data)

    text = visible_text(frame)
    assert "A market for farmers" in text and "The market opens every Saturday." in text
    assert "City of Chilliwack" in text, "the partners chosen in the form"
    assert "Srae Ambel" not in text, "readers do not see unpublished partners"
    assert "Unsaved changes (Draft)" in text
    assert "/add/preview/" in toolbar.request["PATH_INFO"]
    before.check()
    assert not NewsItem.objects.exists()


def test_the_preview_shows_each_language(publisher):
    item = make_news("Budget report", title_fr="Rapport budgétaire")
    data = form_of(publisher, item)
    data.update(summary_fr="Un résumé en français.", body_fr="<p>Le texte en français.</p>")

    posted = publisher.post(preview_url(item), data)
    toolbar = publisher.get(posted["Location"])
    links = dict(re.findall(r'<a href="([^"]+)" lang="(en|fr|km)"', toolbar.content.decode()))
    french = publisher.get(html.unescape(next(url for url, code in links.items() if code == "fr")))
    assert french.status_code == 200
    (frame_url,) = frame_urls(french.content.decode())
    assert "lang=fr" in frame_url
    frame = publisher.get(frame_url)

    page = frame.content.decode()
    assert '<html lang="fr">' in page
    text = visible_text(frame)
    assert "Rapport budgétaire" in text and "Le texte en français." in text
    assert "Aperçu — non publié" in text  # the banner, in the page's language
    assert 'href="/fr/news/budget-report/"' in page  # the public page's own links, in French


def test_phone_and_side_by_side_widths_are_links_to_the_same_preview(publisher):
    item = make_news("Rice market opens")
    posted = publisher.post(preview_url(item), form_of(publisher, item))
    desktop = publisher.get(posted["Location"]).content.decode()
    phone_url = html.unescape(re.search(r'<a href="([^"]+width=phone[^"]*)"', desktop).group(1))
    phone = publisher.get(phone_url).content.decode()
    assert 'class="preview-frame preview-frame-phone"' in phone
    assert 'aria-current="true">Phone<' in phone
    both_url = html.unescape(re.search(r'<a href="([^"]+width=both[^"]*)"', phone).group(1))
    both = publisher.get(both_url).content.decode()
    assert "preview-frame-desktop" in both and "preview-frame-phone" in both


def test_a_chosen_library_image_and_document_show_and_nothing_is_stored(publisher, editor):
    item = make_news("Rice market opens")
    stall = make_library_image(image_bytes((1600, 900)), alt_en="A market stall")
    before = NothingSaved()
    data = form_of(publisher, item)
    data.update(image=str(stall.pk))  # chosen from the library: the preview shows it
    _, _, frame = preview(publisher, preview_url(item), data)
    page = frame.content.decode()
    assert re.search(r'<img src="/media/library/renditions/[^"]+" [^>]*alt="A market stall"', page)

    before.check()

    # A new report's document, chosen from the library: shown by the preview, nothing saved.
    document = make_document("Annual report 2026", PDF_BYTES, name="annual.pdf")
    before = NothingSaved()
    data = news_post(kind=Kind.REPORT, title_en="Annual report", slug="annual-report")
    for name in ("is_published", "published_at_0", "published_at_1"):
        data.pop(name)
    add_pairing_row(data, "documents", document=document.pk, role="report", order=0)
    _, _, frame = preview(editor, preview_url(), data)
    text = visible_text(frame)
    assert "Annual report" in text
    assert "Report: Annual report 2026 (English) (PDF, 1 page," in text
    before.check()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"title_en": ""}, "This field is required."),
        ({"published_at_0": "31/31/2025"}, "Enter a valid date."),
        (
            {"unpublish_at_0": "2000-01-01", "unpublish_at_1": "10:00:00"},
            "The unpublish time must come after the publication time.",
        ),
        ({"slug": "not a slug!"}, "Enter a valid “slug”"),
    ],
)
def test_invalid_data_shows_the_form_errors_and_nothing_is_saved(publisher, change, message):
    item = make_news("Rice market opens")
    before = NothingSaved()
    data = form_of(publisher, item)
    data.update(change)
    response = publisher.post(preview_url(item), data)
    assert response.status_code == 400
    text = visible_text(response)
    assert "cannot be previewed. Nothing was saved." in text
    assert message in text
    assert BANNER not in text or "The preview cannot be shown" in text
    before.check()


def test_a_bad_upload_is_named_with_its_field(publisher):
    item = make_news("Rice market opens")
    data = form_of(publisher, item)
    data.update(image="999999")  # no such library image
    response = publisher.post(preview_url(item), data)
    assert response.status_code == 400
    text = visible_text(response)
    assert "Image:" in text
    assert "Select a valid choice" in text
    assert stored_files() == []


def test_a_tampered_inline_is_an_error_not_a_crash(publisher):
    page = make_page("Capacity")
    data = form_of(publisher, page)
    del data["points-TOTAL_FORMS"]
    response = publisher.post(preview_url(page), data)
    assert response.status_code == 400
    assert "Points" in visible_text(response)


def test_only_staff_who_may_change_the_item_can_preview(client, django_user_model, publisher):
    item = make_news("Rice market opens")
    data = form_of(publisher, item)
    url = preview_url(item)

    response = client.post(url, data)  # not logged in
    assert response.status_code == 302 and "/login/" in response["Location"]
    member = Client()
    member.force_login(make_member())
    response = member.post(url, data)
    assert response.status_code == 302 and "/login/" in response["Location"]

    viewer = django_user_model.objects.create_user("viewer", "viewer@example.org", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_newsitem"))
    staff = Client()
    staff.force_login(viewer)
    assert staff.post(url, data).status_code == 403
    assert staff.post(preview_url(), news_post()).status_code == 403
    assert 'value="Preview"' not in staff.get(change_url(item)).content.decode()

    # The stored preview is its maker's alone.
    posted = publisher.post(url, data)
    assert staff.get(posted["Location"]).status_code == 404
    other_publisher = Client()
    other_publisher.force_login(
        django_user_model.objects.create_superuser("boss", "boss@example.org", "x")
    )
    assert other_publisher.get(posted["Location"]).status_code == 404


def test_an_unknown_or_expired_key_is_a_404(publisher):
    item = make_news("Rice market opens")
    posted = publisher.post(preview_url(item), form_of(publisher, item))
    url = posted["Location"].split("?")[0]
    assert publisher.get(url).status_code == 200
    assert publisher.get(url.replace("/preview/", "/preview/x") + "?frame=1").status_code == 404
    assert publisher.get(f"{preview_url(item)}not-a-key!/").status_code == 404
    assert publisher.get(f"{preview_url(item)}{'a' * 32}/").status_code == 404
    # Another item's address with this key.
    other = make_news("Another item")
    assert publisher.get(url.replace(f"/{item.pk}/", f"/{other.pk}/")).status_code == 404
    cache.clear()
    response = publisher.get(url)
    assert response.status_code == 404


def test_a_bad_language_or_width_falls_back_and_get_is_refused(publisher):
    item = make_news("Rice market opens")
    posted = publisher.post(preview_url(item), form_of(publisher, item))
    url = posted["Location"].split("?")[0]
    frame = publisher.get(f"{url}?lang=xx&frame=1")
    assert frame.status_code == 200
    assert '<html lang="en">' in frame.content.decode()
    toolbar = publisher.get(f"{url}?lang=../../etc&width=huge")
    assert toolbar.status_code == 200
    assert "preview-frame-desktop" in toolbar.content.decode()
    assert publisher.get(preview_url(item)).status_code == 405
    assert publisher.get(reverse("admin:news_newsitem_preview", args=["999999"])).status_code == 405
    assert (
        publisher.post(reverse("admin:news_newsitem_preview", args=["999999"]), {}).status_code
        == 404
    )


def test_a_municipality_is_previewed_with_its_partnerships(publisher, client):
    town = make_municipality("City of Chilliwack", summary="A city.")
    partner = make_municipality("Kang Meas District", Country.CAMBODIA)
    make_partnership(town, partner, focus="Markets")
    before = NothingSaved()
    data = form_of(publisher, town)
    data.update(name="City of Chilliwack, British Columbia", summary_en="A city in the valley.")

    _, _, frame = preview(publisher, preview_url(town), data)

    text = visible_text(frame)
    assert "City of Chilliwack, British Columbia" in text and "A city in the valley." in text
    assert "Kang Meas District" in text
    before.check()
    assert "A city in the valley." not in visible_text(client.get(town.get_absolute_url()))


def test_partnerships_have_no_page_of_their_own_and_no_preview(publisher):
    pairing = make_partnership(
        make_municipality("City of Chilliwack"),
        make_municipality("Kang Meas District", Country.CAMBODIA),
    )
    assert 'value="Preview"' not in publisher.get(change_url(pairing)).content.decode()
    with pytest.raises(NoReverseMatch):
        reverse("admin:partners_partnership_preview", args=[pairing.pk])


def test_the_admins_waiting_message_is_not_used_up_by_a_preview(publisher):
    item = make_news("Rice market opens")
    data = form_of(publisher, item)
    saved = publisher.post(change_url(item), {**data, "_continue": "1"})
    assert saved.status_code == 302  # the save's message waits for the next page

    _, _, frame = preview(publisher, preview_url(item), data)

    assert 'class="messages"' not in frame.content.decode()
    assert 'class="messagelist"' in publisher.get(saved["Location"]).content.decode()


def test_the_draft_of_a_live_item_is_previewed_with_the_forms_further_changes(editor, client):
    item = make_news("Rice market opens", body="<p>The live body.</p>")
    data = form_of(editor, item)
    data["body_en"] = "<p>The draft's body.</p>"
    assert editor.post(change_url(item), data).status_code == 302  # kept as the item's draft
    before = NothingSaved()
    data = form_of(editor, item)
    assert data["body_en"] == "<p>The draft's body.</p>", "the form shows the draft"
    data["title_en"] = "Rice market opens on Saturdays"

    _, _, frame = preview(editor, preview_url(item), data)

    text = visible_text(frame)
    assert "Rice market opens on Saturdays" in text and "The draft's body." in text
    assert "Unsaved changes (Published)" in text
    before.check()
    public = visible_text(client.get(item.get_absolute_url()))
    assert "The live body." in public and "on Saturdays" not in public


def test_an_inline_rows_error_names_its_row(editor):
    page = make_page("Capacity", published=False)
    PagePoint.objects.create(page=page, text="Training for council staff", order=1)
    data = form_of(editor, page)
    row = int(data["points-TOTAL_FORMS"])
    data.update({"points-TOTAL_FORMS": row + 1, f"points-{row}-order": "not a number"})
    response = editor.post(preview_url(page), data)
    assert response.status_code == 400
    assert f"Points, row {row + 1}, Order: Enter a whole number." in visible_text(response)
