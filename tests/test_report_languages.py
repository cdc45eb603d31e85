"""A report's PDF in each language (library documents the report offers): the reader's
language first, the others next to it, each served with its own members-only rule. Real
requests, real files."""

import io
import re

from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client

from news.models import Kind, NewsItem

from .helpers import (
    PDF_BYTES,
    add_pairing_row,
    admin_form_data,
    change_url,
    count_queries,
    make_document,
    make_member,
    make_news,
    markup,
    visible_text,
)


def report(title="Water for every village", languages=("fr",), members_only=(), **extra):
    """A report offering its English PDF and one in each of `languages` (the ones named in
    `members_only` for members only)."""
    slug = title.lower().replace(" ", "-")
    documents = [
        make_document(
            title, name=f"{slug}-{lang}.pdf", language=lang, is_members_only=lang in members_only
        )
        for lang in ("en", *languages)
    ]
    item = make_news(title, kind=Kind.REPORT, documents=documents, **extra)
    return NewsItem.objects.get(pk=item.pk)


def document(item, lang):
    return item.documents.get(document__language=lang).document


def pdf_links(response):
    """The report's document links in the page's order: (href, hreflang)."""
    return re.findall(
        r'<a class="document-link" href="([^"]+)" hreflang="([^"]+)" download>', markup(response)
    )


def page_in(lang, item):
    return f"/{lang}/news/{item.slug}/"


def url(item, lang):
    return document(item, lang).get_absolute_url()


def test_the_sizes_and_page_counts_of_each_pdf_are_stored(db):
    item = report(languages=("fr", "km"))

    for lang in ("en", "fr", "km"):
        assert (document(item, lang).size, document(item, lang).pages) == (len(PDF_BYTES), 1)
        assert document(item, lang).thumbnail  # each PDF has its first page's picture


def test_a_french_reader_is_offered_the_french_pdf_first_and_the_english_next_to_it(client, db):
    item = report()

    response = client.get(page_in("fr", item))

    assert response.status_code == 200
    assert pdf_links(response) == [(url(item, "fr"), "fr"), (url(item, "en"), "en")]
    assert '<span class="document-language" lang="en">(English)</span>' in markup(response)
    assert visible_text(response).count("(PDF, 1 page, 1 ko)") == 2  # each with its size and pages


def test_an_english_reader_is_offered_the_english_pdf_first(client, db):
    item = report(languages=("fr", "km"))

    links = pdf_links(client.get(page_in("en", item)))

    assert links == [(url(item, lang), lang) for lang in ("en", "fr", "km")]
    page = markup(client.get(page_in("en", item)))
    assert '<span class="document-language" lang="fr">(Français)</span>' in page
    assert '<span class="document-language" lang="km">(ខ្មែរ)</span>' in page


def test_a_khmer_reader_without_a_khmer_pdf_gets_the_english_one_first(client, db):
    item = report(languages=("fr",))

    response = client.get(page_in("km", item))

    assert [href for href, _lang in pdf_links(response)] == [url(item, "en"), url(item, "fr")]
    assert '<span class="document-language" lang="en">(English)</span>' in markup(response)


def test_a_members_only_french_pdf_is_refused_to_visitors_not_the_english_one(client, db):
    item = report(members_only=("fr",))

    assert client.get(url(item, "en")).status_code == 200
    french = client.get(url(item, "fr"))
    assert french.status_code == 302
    assert (
        french["Location"].startswith("/accounts/login/?next=") or "/login/" in french["Location"]
    )
    assert url(item, "fr") not in markup(client.get(page_in("fr", item)))

    client.force_login(make_member())
    served = client.get(url(item, "fr"))
    assert served.status_code == 200
    assert served["Content-Type"] == "application/pdf"
    assert served["Cache-Control"] == "private, no-store"
    assert b"".join(served.streaming_content) == PDF_BYTES
    assert url(item, "fr") in markup(client.get(page_in("fr", item)))


def test_a_public_reports_khmer_pdf_downloads_for_everyone(client, db):
    item = report(languages=("km",))

    response = client.get(url(item, "km"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_a_file_no_item_refers_to_stays_404(client, db):
    item = report()
    stray = document(item, "fr").file.name.replace("-fr.pdf", "-other.pdf")
    document(item, "fr").file.storage.save(stray, ContentFile(PDF_BYTES))
    unused = make_document("Unused", name="unused.pdf")

    assert client.get(f"/en/news/documents/{stray}").status_code == 404
    assert client.get(unused.get_absolute_url()).status_code == 404


def test_a_khmer_pdf_added_in_the_admin_is_offered_to_khmer_readers_first(staff_client, db):
    item = report(languages=())
    khmer = make_document("Water for every village", name="khmer.pdf", language="km")

    data = admin_form_data(staff_client.get(change_url(item)))
    add_pairing_row(data, "documents", document=khmer.pk, role="report", order=1)
    data["_publish_draft"] = "Publish changes"  # a live report: saved and published
    response = staff_client.post(change_url(item), data)

    assert response.status_code == 302
    links = pdf_links(Client().get(page_in("km", item)))
    assert [href for href, _lang in links] == [khmer.get_absolute_url(), url(item, "en")]


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
    storage = document(item, "fr").file.storage
    stray = storage.save("library/documents/stray.pdf", ContentFile(PDF_BYTES))

    call_command("cleanup_files", stdout=io.StringIO())

    assert all(storage.exists(document(item, lang).file.name) for lang in ("en", "fr", "km"))
    assert not storage.exists(stray)
