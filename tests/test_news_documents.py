"""A report offers library documents (issue 17): a report with two documents in two languages,
downloaded under readable names, with the members-only rules, both documents' text found by
the search (members-only text only by members), the reader's language first, the old document
addresses redirecting, and the admin's list of documents. Real requests, real files."""

import re

import pytest
from django.test import Client

from news.models import ItemDocument, Kind, NewsItem, Role

from .helpers import (
    PDF_BYTES,
    admin_form_data,
    assert_form_shown_again_with,
    change_url,
    count_queries,
    make_document,
    make_member,
    make_news,
    markup,
    offer_document,
    visible_text,
)

# A one-page PDF whose text PDFium reads (Helvetica in a content stream).


def text_pdf(line):
    commands = b"BT /F1 12 Tf 72 712 Td (%s) Tj ET" % line.encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(commands), commands),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    pdf = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(pdf)


def two_language_report(*, members_only_french=False, **extra):
    """A report offering its English PDF and its French PDF, each with words of its own."""
    english = make_document(
        "Encouraging Women's Participation 2016",
        text_pdf("Aardvarkish councils"),
        name="report_vp78D88.pdf",
        title_fr="Encourager la participation des femmes 2016",
    )
    french = make_document(
        "Encouraging Women's Participation 2016 (French)",
        text_pdf("Babouinesque communes"),
        name="rapport_x1.pdf",
        language="fr",
        title_fr="Encourager la participation des femmes 2016",
        is_members_only=members_only_french,
    )
    item = make_news(
        "Women in local politics", kind=Kind.REPORT, documents=[english, french], **extra
    )
    return NewsItem.objects.get(pk=item.pk), english, french


def document_links(response):
    """(href, hreflang, text) of the page's document links, in order."""
    return re.findall(
        r'<a class="document-link" href="([^"]+)" hreflang="([^"]+)" download>(.*?)</a>',
        markup(response),
    )


def search_titles(client, query):
    response = client.get("/en/search/", {"q": query})
    return [hit.title for hit in response.context["hits"]]


def test_each_document_downloads_under_its_readable_name(client, db):
    _item, english, french = two_language_report()

    assert english.get_absolute_url() == (
        f"/documents/{english.pk}/encouraging-womens-participation-2016-en.pdf"
    )
    for document in (english, french):
        response = client.get(document.get_absolute_url())
        assert response.status_code == 200
        assert document.readable_name in response["Content-Disposition"]
        assert "report_vp78D88" not in response["Content-Disposition"]
        assert b"".join(response.streaming_content) == document.file.open("rb").read()
    assert french.readable_name.endswith("-fr.pdf")


def test_readers_see_each_document_in_their_language_first(client, db):
    item, english, french = two_language_report()

    in_french = client.get(f"/fr/news/{item.slug}/")
    links = document_links(in_french)
    assert [(href, lang) for href, lang, _text in links] == [
        (french.get_absolute_url(), "fr"),
        (english.get_absolute_url(), "en"),
    ]
    # Each document's title in the reader's language, its language, type, pages and size.
    assert links[0][2] == "Encourager la participation des femmes 2016"
    page = visible_text(in_french)
    assert "(Français)" in page and "(English)" in page
    assert page.count("(PDF, 1 page,") == 2

    in_english = client.get(f"/en/news/{item.slug}/")
    assert [href for href, *_ in document_links(in_english)] == [
        english.get_absolute_url(),
        french.get_absolute_url(),
    ]
    # The first page of the first PDF, through the library's address.
    assert f'src="{english.thumbnail_url}"' in markup(in_english)
    assert client.get(english.thumbnail_url).status_code == 200


def test_a_members_only_document_is_for_members_and_the_other_for_everyone(client, db):
    item, english, french = two_language_report(members_only_french=True)

    page = client.get(f"/en/news/{item.slug}/")
    assert english.get_absolute_url() in markup(page)
    assert french.get_absolute_url() not in markup(page)
    assert "Some documents are for members" in visible_text(page)
    assert client.get(english.get_absolute_url()).status_code == 200
    refused = client.get(french.get_absolute_url())
    assert refused.status_code == 302 and "/accounts/login/" in refused["Location"]

    member = Client()
    member.force_login(make_member())
    assert french.get_absolute_url() in markup(member.get(f"/en/news/{item.slug}/"))
    served = member.get(french.get_absolute_url())
    assert served.status_code == 200
    assert served["Cache-Control"] == "private, no-store"


def test_a_members_only_items_documents_are_for_members(client, db):
    item, english, _french = two_language_report(is_members_only=True)

    page = client.get(f"/en/news/{item.slug}/")
    assert english.get_absolute_url() not in markup(page)
    assert client.get(english.get_absolute_url()).status_code == 302
    # Its card offers no download either.
    assert english.get_absolute_url() not in markup(client.get("/en/news/"))


def test_the_search_finds_the_text_of_each_document(client, db):
    two_language_report()

    assert search_titles(client, "aardvarkish") == ["Women in local politics"]
    assert search_titles(client, "babouinesque") == ["Women in local politics"]
    french = Client()
    assert french.get("/fr/search/", {"q": "babouinesque"}).context["hits"][0].title


def test_members_only_document_text_is_not_found_by_visitors(client, db):
    two_language_report(members_only_french=True)

    assert search_titles(client, "aardvarkish") == ["Women in local politics"]
    assert search_titles(client, "babouinesque") == []
    assert "Babouinesque" not in client.get("/en/search/", {"q": "aardvarkish"}).content.decode()
    member = Client()
    member.force_login(make_member())
    assert search_titles(member, "babouinesque") == ["Women in local politics"]


def test_the_search_follows_the_documents_changes(client, db):
    item, english, french = two_language_report()

    # A document marked members only later: its text leaves the visitors' search.
    french.is_members_only = True
    french.save()
    assert search_titles(client, "babouinesque") == []
    # The same document offered by a second item: found through both.
    other = make_news("Second report", kind=Kind.REPORT, documents=[english])
    assert set(search_titles(client, "aardvarkish")) == {item.title, other.title}
    # Unlinked: gone from that item's search.
    ItemDocument.objects.filter(news_item=other).delete()
    assert search_titles(client, "aardvarkish") == [item.title]


def test_the_library_lists_where_a_document_is_used(db):
    from library.usage import usages

    item, english, _french = two_language_report()
    other = make_news("Press feature", kind=Kind.PRESS)
    other.articles.create(title="Copy", document=english)

    assert [use.item for use in usages(english)] == [item, other]


def test_old_document_addresses_redirect_for_good(client, db):
    _item, english, _french = two_language_report()

    response = client.get(f"/en/news/documents/{english.file.name}")
    assert response.status_code == 301
    assert response["Location"] == english.get_absolute_url()
    first_page = client.get(f"/en/news/documents/{english.thumbnail.name}")
    assert first_page.status_code == 301
    assert first_page["Location"] == english.thumbnail_url
    assert client.get("/en/news/documents/news/reports/2026/nothing.pdf").status_code == 404


def test_the_page_makes_no_more_queries_with_more_documents(client, db, uncached):
    item, _english, _french = two_language_report()
    url = f"/en/news/{item.slug}/"
    client.get(url)  # the site settings made once
    before = count_queries(client, url)
    for number in range(5):
        offer_document(
            item, make_document(f"Annex {number}", name=f"annex{number}.pdf"), role=Role.ANNEX
        )
    assert count_queries(client, url) == before


# The admin --------------------------------------------------------------------------------------


def test_a_report_needs_at_least_one_document(staff_client, db):
    item, _english, _french = two_language_report(published=False)
    data = admin_form_data(staff_client.get(change_url(item)))
    data["documents-0-DELETE"] = "on"
    data["documents-1-DELETE"] = "on"

    response = staff_client.post(change_url(item), data)

    assert_form_shown_again_with(response, "A report needs at least one document")
    assert item.documents.count() == 2


def test_staff_add_an_annex_with_its_role_and_order(staff_client, db):
    # A draft (a live item's changes would wait as its draft).
    item, english, french = two_language_report(published=False)
    annex = make_document("Annex: the survey", PDF_BYTES, name="annex.pdf")
    page = staff_client.get(change_url(item))
    assert page.status_code == 200
    data = admin_form_data(page)
    row = int(data["documents-TOTAL_FORMS"])
    data["documents-TOTAL_FORMS"] = str(row + 1)
    data.update(
        {
            f"documents-{row}-document": str(annex.pk),
            f"documents-{row}-role": "annex",
            f"documents-{row}-order": "5",
        }
    )

    response = staff_client.post(change_url(item), data)

    assert response.status_code == 302
    links = list(item.documents.order_by("order", "pk"))
    assert [(link.document, link.role) for link in links] == [
        (english, "report"),
        (french, "report"),
        (annex, "annex"),
    ]


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1.5", "\x00"])
def test_a_bad_document_choice_is_a_form_error(staff_client, db, value):
    item, _english, _french = two_language_report()
    data = admin_form_data(staff_client.get(change_url(item)))
    data["documents-0-document"] = value

    response = staff_client.post(change_url(item), data)

    assert response.status_code == 200
    assert "Please correct the error" in visible_text(response)
