"""History and recovery through the admin (django-reversion): every save is a version with
who and when; staff compare, restore, and recover deleted items with their files."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from reversion.models import Version

from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Municipality, Partnership

from .helpers import (
    PDF_BYTES,
    add_news_via_admin,
    admin_form_data,
    change_url,
    make_document,
    make_municipality,
    make_partnership,
    pdf_url,
    report_document,
    visible_text,
)


def document_row(document):
    """The admin form's fields for a report offering `document`."""
    return {
        "documents-TOTAL_FORMS": "1",
        "documents-0-document": str(document.pk),
        "documents-0-role": "report",
        "documents-0-order": "0",
    }


def edit_in_admin(client, obj, **changes):
    data = admin_form_data(client.get(change_url(obj)))
    # A live item's changes are a draft until published: "Publish changes" does both at once
    # (for an item that is not live, a plain save).
    data["_publish_draft"] = "Publish changes"
    data.update(changes)
    response = client.post(change_url(obj), data)
    assert response.status_code == 302
    obj.refresh_from_db()
    return obj


def history_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[obj.pk])


def test_every_admin_save_is_a_version_with_who_and_when(staff_client, db):
    item = add_news_via_admin(staff_client)
    edit_in_admin(staff_client, item, title_en="Market opens, second draft")
    versions = Version.objects.get_for_object(item)
    assert versions.count() == 2
    assert {v.revision.user.username for v in versions} == {"boss"}
    page = visible_text(staff_client.get(history_url(item)))
    assert "boss" in page
    assert "Changed Title" in page


def test_staff_compare_a_version_with_the_current_one(staff_client, db):
    item = add_news_via_admin(staff_client)
    edit_in_admin(staff_client, item, title_en="Market opens, second draft")
    old, new = Version.objects.get_for_object(item).order_by("pk")
    url = reverse("admin:news_newsitem_compare", args=[item.pk])
    response = staff_client.get(url, {"version_id1": old.pk, "version_id2": new.pk})
    assert response.status_code == 200
    text = visible_text(response)
    assert "farmers" in text and "second draft" in text


def test_staff_restore_an_earlier_version_and_readers_see_it(staff_client, db):
    item = add_news_via_admin(staff_client)
    original_title = item.title
    edit_in_admin(staff_client, item, title_en="A bad edit", body_en="<p>Oops.</p>")
    assert "A bad edit" in visible_text(Client().get(item.get_absolute_url()))
    first = Version.objects.get_for_object(item).order_by("pk").first()
    url = reverse("admin:news_newsitem_revision", args=[item.pk, first.pk])
    form = staff_client.get(url)
    assert form.status_code == 200
    response = staff_client.post(url, admin_form_data(form))
    assert response.status_code == 302
    text = visible_text(Client().get(item.get_absolute_url()))
    assert original_title.replace("'", "'") in text or "farmers" in text
    assert "A bad edit" not in text and "Oops." not in text


def test_a_deleted_report_is_recovered_with_its_pdf(staff_client, db):
    item = add_news_via_admin(
        staff_client,
        kind=Kind.REPORT,
        slug="market-report",
        title_en="Report",
        **document_row(make_document("Report", name="market.pdf")),
    )
    pdf_name = report_document(item).file.name
    delete = reverse("admin:news_newsitem_delete", args=[item.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 302
    assert not NewsItem.objects.exists()
    assert Client().get("/en/news/market-report/").status_code == 404

    recover_list = staff_client.get(reverse("admin:news_newsitem_recoverlist"))
    assert "Report" in visible_text(recover_list)
    version = Version.objects.get_deleted(NewsItem).get()
    url = reverse("admin:news_newsitem_recover", args=[version.pk])
    response = staff_client.post(url, admin_form_data(staff_client.get(url)))
    assert response.status_code == 302
    recovered = NewsItem.objects.get(slug="market-report")
    assert report_document(recovered).file.name == pdf_name
    download = Client().get(pdf_url(recovered))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF_BYTES


def test_a_deleted_page_and_partner_can_be_recovered(staff_client, db):
    page = ProgramPage.objects.create(title="Old section", slug="old-section", is_published=True)
    edit_in_admin(staff_client, page, points_intro_en="Kept points")
    canadian = make_municipality("Town of Keep", region="Alberta")
    cambodian = make_municipality("Keep Commune", country="KH")
    make_partnership(canadian, cambodian, focus="Planning")
    edit_in_admin(staff_client, canadian, summary_en="Saved once")

    for obj in [page, canadian]:
        opts = obj._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[obj.pk])
        assert staff_client.post(url, {"post": "yes"}).status_code == 302
    assert not Partnership.objects.exists()  # gone with the municipality

    for model in [ProgramPage, Municipality]:
        version = Version.objects.get_deleted(model).get()
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_recover", args=[version.pk])
        assert staff_client.post(url, admin_form_data(staff_client.get(url))).status_code == 302
    assert ProgramPage.objects.get(slug="old-section").points_intro == "Kept points"
    assert Municipality.objects.get(slug="town-of-keep").summary == "Saved once"
    assert Partnership.objects.filter(canadian__slug="town-of-keep", focus="Planning").exists()


def test_cleanup_keeps_the_library_documents_versions_offer_and_deletes_the_rest(
    staff_client, db, settings
):
    first = make_document("Kept", name="first.pdf")
    item = add_news_via_admin(
        staff_client, kind=Kind.REPORT, slug="kept-report", title_en="Kept", **document_row(first)
    )
    second = make_document("Kept, second edition", name="second.pdf")
    edit_in_admin(staff_client, item, **{"documents-0-document": str(second.pk)})
    assert report_document(item) == second
    orphan = Path(settings.PRIVATE_MEDIA_ROOT) / "news" / "reports" / "orphan.pdf"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(PDF_BYTES)

    dry = StringIO()
    call_command("cleanup_files", "--dry-run", stdout=dry)
    assert "orphan.pdf" in dry.getvalue() and orphan.exists()

    call_command("cleanup_files", stdout=StringIO())
    assert not orphan.exists()
    # The first edition is still a library document: the earlier version restores it.
    assert Path(first.file.path).exists()
    assert Path(second.file.path).exists()
