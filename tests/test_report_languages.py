"""A report's PDF in each language: the reader's language first, the others next to it, each
served with the same members-only rule as the English PDF. Real requests, real files."""

import io
import re

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client

from news.models import Kind, NewsItem

from .helpers import (
    PDF_BYTES,
    admin_form_data,
    assert_form_shown_again_with,
    change_url,
    count_queries,
    make_member,
    make_news,
    markup,
    pdf_upload,
    visible_text,
)


def report(title="Water for every village", languages=("fr",), **extra):
    item = make_news(title, kind=Kind.REPORT, **extra)
    for lang in languages:
        getattr(item, f"pdf_{lang}").save(f"{item.slug}-{lang}.pdf", ContentFile(PDF_BYTES))
    return NewsItem.objects.get(pk=item.pk)


def pdf_links(response):
    """The report's PDF links in the page's order: (href, hreflang, lang or None, text)."""
    links = re.findall(
        r'<a class="pdf-link" href="([^"]+)" hreflang="([^"]+)"(?: lang="([^"]+)")? download>'
        r"(.*?)</a>",
        markup(response),
    )
    return [(href, hreflang, lang or None, label) for href, hreflang, lang, label in links]


def page_in(lang, item):
    return f"/{lang}/news/{item.slug}/"


def test_the_sizes_and_page_counts_of_each_pdf_are_stored(db):
    item = report(languages=("fr", "km"))

    assert (item.pdf_fr_size, item.pdf_fr_pages) == (len(PDF_BYTES), 1)
    assert (item.pdf_km_size, item.pdf_km_pages) == (len(PDF_BYTES), 1)
    assert item.pdf_thumbnail  # the English PDF keeps the first page picture


def test_a_french_reader_is_offered_the_french_pdf_first_and_the_english_next_to_it(client, db):
    item = report()

    response = client.get(page_in("fr", item))

    assert response.status_code == 200
    links = pdf_links(response)
    assert [(href, hreflang) for href, hreflang, _lang, _label in links] == [
        (item.pdf_fr.url, "fr"),
        (item.pdf.url, "en"),
    ]
    assert links[1][2:] == ("en", "English")
    assert visible_text(response).count("(PDF, 1 page, 1 ko)") == 2  # each with its size and pages


def test_an_english_reader_is_offered_the_english_pdf_first(client, db):
    item = report(languages=("fr", "km"))

    links = pdf_links(client.get(page_in("en", item)))

    assert [href for href, *_ in links] == [item.pdf.url, item.pdf_fr.url, item.pdf_km.url]
    assert [(hreflang, lang, label) for _href, hreflang, lang, label in links[1:]] == [
        ("fr", "fr", "Français"),
        ("km", "km", "ខ្មែរ"),
    ]


def test_a_khmer_reader_without_a_khmer_pdf_gets_the_english_one_first(client, db):
    item = report(languages=("fr",))

    response = client.get(page_in("km", item))

    links = pdf_links(response)
    assert [href for href, *_ in links] == [item.pdf.url, item.pdf_fr.url]
    assert '<span class="pdf-language" lang="en">(English)</span>' in markup(response)


def test_a_members_only_french_pdf_is_refused_to_visitors_like_the_english_one(client, db):
    item = report(pdf_members_only=True)

    english, french = client.get(item.pdf.url), client.get(item.pdf_fr.url)
    assert french.status_code == english.status_code == 302
    assert french["Location"].startswith("/en/accounts/login/?next=")
    assert item.pdf_fr.url not in markup(client.get(page_in("fr", item)))

    client.force_login(make_member())
    served = client.get(item.pdf_fr.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Cache-Control"] == "private, no-store"
    assert b"".join(served.streaming_content) == PDF_BYTES
    assert item.pdf_fr.url in markup(client.get(page_in("fr", item)))


def test_a_public_reports_khmer_pdf_downloads_for_everyone(client, db):
    item = report(languages=("km",))

    response = client.get(item.pdf_km.url)

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_file_no_item_refers_to_stays_404(client, db):
    item = report()
    stray = item.pdf_fr.name.replace("-fr.pdf", "-other.pdf")
    item.pdf_fr.storage.save(stray, ContentFile(PDF_BYTES))

    assert client.get(f"/en/news/documents/{stray}").status_code == 404


def test_a_fake_pdf_uploaded_as_the_french_pdf_is_refused_and_the_item_keeps_its_files(
    staff_client, db
):
    item = report()
    english, french = item.pdf.name, item.pdf_fr.name

    data = admin_form_data(staff_client.get(change_url(item)))
    data["pdf_fr"] = pdf_upload(b"not a pdf", "x.pdf")
    response = staff_client.post(change_url(item), data)

    assert_form_shown_again_with(response, "This file is not a PDF. Upload a PDF document.")
    item.refresh_from_db()
    assert (item.pdf.name, item.pdf_fr.name) == (english, french)
    assert item.pdf_fr_size == len(PDF_BYTES)
    with item.pdf_fr.open("rb") as stored:
        assert stored.read() == PDF_BYTES


def test_a_khmer_pdf_uploaded_in_the_admin_is_offered_to_khmer_readers_first(staff_client, db):
    item = report(languages=())
    page = staff_client.get(change_url(item))
    assert "PDF in French" in visible_text(page) and "PDF in Khmer" in visible_text(page)

    data = admin_form_data(page)
    data["pdf_km"] = pdf_upload(name="khmer.pdf")
    data["_publish_draft"] = "Publish changes"  # a live report: saved and published
    response = staff_client.post(change_url(item), data)

    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.pdf_km_size, item.pdf_km_pages) == (len(PDF_BYTES), 1)
    links = pdf_links(Client().get(page_in("km", item)))
    assert [href for href, *_ in links] == [item.pdf_km.url, item.pdf.url]


def test_the_page_makes_no_more_queries_with_more_pdfs(client, db, uncached):
    one = report("One language", languages=())
    three = report("Three languages", languages=("fr", "km"))

    client.get(page_in("en", one))  # the site's settings, cached on the first page
    for lang in ("en", "fr", "km"):
        assert count_queries(client, page_in(lang, three)) == count_queries(
            client, page_in(lang, one)
        )


def test_cleanup_files_keeps_each_languages_pdf_and_deletes_a_stray_one(db):
    item = report(languages=("fr", "km"))
    stray = item.pdf_fr.storage.save("news/reports/stray.pdf", ContentFile(PDF_BYTES))

    call_command("cleanup_files", stdout=io.StringIO())

    storage = item.pdf_fr.storage
    assert all(storage.exists(f.name) for f in (item.pdf, item.pdf_fr, item.pdf_km))
    assert not storage.exists(stray)
