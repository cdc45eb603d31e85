"""Members-only items and documents: visitors see the title and summary, members read and
download, and the files have no public URL."""

from pathlib import Path

from allauth.account.models import EmailAddress
from django.conf import settings

from news.models import Kind

from .helpers import PDF_BYTES, make_document, make_member, make_news, visible_text


def pdf_url(item):
    """The address of the report's document (in the media library)."""
    return item.documents.get().document.get_absolute_url()


def members_report(**extra):
    return make_news(
        "Members briefing",
        kind=Kind.REPORT,
        is_members_only=True,
        body="<p>Confidential findings for members.</p>",
        **extra,
    )


def test_visitors_see_title_summary_and_an_invitation_only(client, db):
    item = members_report()
    text = visible_text(client.get(item.get_absolute_url()))
    assert "Members briefing" in text and item.summary in text
    assert "Members only" in text
    assert "Confidential findings" not in text
    assert "Download the report" not in text
    html = client.get(item.get_absolute_url()).content.decode()
    assert f'href="/en/accounts/login/?next={item.get_absolute_url()}"' in html
    assert 'href="/en/accounts/signup/' in html
    assert pdf_url(item) not in html


def test_members_only_items_are_listed_with_a_label_but_no_download(client, db):
    item = members_report()
    text = visible_text(client.get("/en/news/"))
    assert "Members briefing" in text and "Members only" in text
    assert pdf_url(item) not in client.get("/en/news/").content.decode()


def test_members_read_and_download(client, db):
    item = members_report()
    client.force_login(make_member())
    text = visible_text(client.get(item.get_absolute_url()))
    assert "Confidential findings for members." in text
    assert pdf_url(item) in client.get(item.get_absolute_url()).content.decode()
    response = client.get(pdf_url(item))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "no-store" in response["Cache-Control"]


def test_the_file_refuses_visitors_and_unconfirmed_accounts(client, db, django_user_model):
    item = members_report()
    anonymous = client.get(pdf_url(item))
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/en/accounts/login/?next=")

    unconfirmed = make_member("new@example.org")
    EmailAddress.objects.filter(user=unconfirmed).update(verified=False)
    client.force_login(unconfirmed)
    refused = client.get(pdf_url(item))
    assert refused.status_code == 403
    assert "for members with a confirmed email" in visible_text(refused)
    text = visible_text(client.get(item.get_absolute_url()))
    assert "Confidential findings" not in text
    assert "Confirm your email address" in text


def test_a_public_item_can_offer_a_document_for_members_only(client, db):
    item = make_news(
        "Public story with a members PDF",
        kind=Kind.REPORT,
        documents=[make_document("Members PDF", is_members_only=True)],
        body="<p>Open text.</p>",
    )
    text = visible_text(client.get(item.get_absolute_url()))
    assert "Open text." in text
    assert "Some documents are for members" in text
    assert client.get(pdf_url(item)).status_code == 302
    client.force_login(make_member())
    assert client.get(pdf_url(item)).status_code == 200


def test_public_reports_download_for_everyone(client, db):
    item = make_news("Open report", kind=Kind.REPORT)
    response = client.get(pdf_url(item))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_files_are_not_under_the_public_media_folder(db):
    item = members_report()
    document = item.documents.get().document
    stored = Path(document.file.path)
    assert stored.is_file()
    assert Path(settings.PRIVATE_MEDIA_ROOT) in stored.parents
    assert Path(settings.MEDIA_ROOT) not in stored.parents
    assert not pdf_url(item).startswith(settings.MEDIA_URL)
    assert not document.thumbnail_url.startswith(settings.MEDIA_URL)


def test_unpublished_and_unknown_documents_are_404_even_for_members(client, db):
    draft = make_news("Draft report", kind=Kind.REPORT, published=False)
    client.force_login(make_member())
    assert client.get(pdf_url(draft)).status_code == 404
    assert client.get("/en/news/documents/news/reports/nothing.pdf").status_code == 404
    assert client.get("/en/news/documents/../../etc/passwd").status_code == 404


def test_staff_open_any_document_from_the_admin(client, db, django_user_model):
    draft = members_report(published=False)
    client.force_login(django_user_model.objects.create_superuser("boss", "b@example.org", "x"))
    assert client.get(pdf_url(draft)).status_code == 200


def test_members_only_demo_item_invites_visitors(client, demo):
    text = visible_text(client.get("/en/news/sample-members-only-briefing/"))
    assert "Sample: a members-only briefing" in text
    assert "The rest is for members" in text
