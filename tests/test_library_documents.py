"""The library's documents: PDF, DOCX and XLSX uploads checked by parsing (renamed files, zips
that are not Office documents, macros, zip bombs, encrypted and damaged files refused with a
clear message), the facts read from them (type, size, pages, text, a PDF's first page), the
readable download names, the document view's access rules, byte ranges and headers, the
document admin (list, filters, search, facts, where used, the live-document rule), and the
backup, restore and cleanup of their files."""

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from library.models import Document, FileType
from news.models import ItemDocument, NewsItem

from .helpers import (
    PASSWORD,
    image_bytes,
    make_member,
    make_news,
    visible_text,
)

WORD = "application/vnd.openxmlformats-officedocument.wordprocessingml"
SHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml"
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.'
    'org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats'
    '.org/officeDocument/2006/relationships/officeDocument" Target="{target}"/></Relationships>'
)
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
S = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def content_types(overrides, defaults=()):
    parts = "".join(
        f'<Override PartName="/{name}" ContentType="{value}"/>' for name, value in overrides
    )
    parts += "".join(
        f'<Default Extension="{ext}" ContentType="{value}"/>' for ext, value in defaults
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        f'package/2006/content-types">{parts}</Types>'
    )


def zipped(parts):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def docx_bytes(
    paragraphs=("Hello from Word.",), pages=4, main_type=f"{WORD}.document.main+xml", extra=None
):
    body = "".join(
        f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>" if text else "<w:p/>" for text in paragraphs
    )
    parts = {
        "[Content_Types].xml": content_types(
            [("word/document.xml", main_type)],
            [("rels", "application/vnd.openxmlformats-package.relationships+xml")],
        ),
        "_rels/.rels": PACKAGE_RELS.format(target="word/document.xml"),
        "word/document.xml": f'<?xml version="1.0"?><w:document {W}><w:body>{body}</w:body>'
        "</w:document>",
    }
    if pages is not None:
        parts["docProps/app.xml"] = (
            '<?xml version="1.0"?><Properties xmlns="http://schemas.openxmlformats.org/'
            f'officeDocument/2006/extended-properties"><Pages>{pages}</Pages></Properties>'
        )
    parts.update(extra or {})
    return zipped(parts)


def xlsx_bytes(shared=("Budget line",), inline=("Inline note",)):
    strings = "".join(f"<si><t>{text}</t></si>" for text in shared)
    cells = "".join(
        f'<c r="A{row}" t="inlineStr"><is><t>{text}</t></is></c>'
        for row, text in enumerate(inline, 1)
    )
    return zipped(
        {
            "[Content_Types].xml": content_types(
                [
                    ("xl/workbook.xml", f"{SHEET}.sheet.main+xml"),
                    ("xl/sharedStrings.xml", f"{SHEET}.sharedStrings+xml"),
                    ("xl/worksheets/sheet1.xml", f"{SHEET}.worksheet+xml"),
                ]
            ),
            "_rels/.rels": PACKAGE_RELS.format(target="xl/workbook.xml"),
            "xl/workbook.xml": f'<?xml version="1.0"?><workbook {S}><sheets/></workbook>',
            "xl/sharedStrings.xml": f'<?xml version="1.0"?><sst {S}>{strings}</sst>',
            "xl/worksheets/sheet1.xml": f'<?xml version="1.0"?><worksheet {S}><sheetData><row>'
            f"{cells}<c><v>42</v></c></row></sheetData></worksheet>",
        }
    )


def text_pdf_bytes(words="Rice harvest figures for Kampot"):
    """A one-page PDF with a real text layer (PDFium reads its words)."""
    stream = f"BT /F1 12 Tf 40 100 Td ({words}) Tj ET".encode()
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 300 200]/Contents 4 0 R"
        b"/Resources<</Font<</F1 5 0 R>>>>>>",
        b"<</Length %d>>stream\n" % len(stream) + stream + b"\nendstream",
        b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj" % number + body + b"endobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def with_encryption_flag(data):
    """A zip whose entries say they are encrypted (bit 0 of their flags)."""
    data = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            data[start + offset] |= 0x1
            start += 4
    return bytes(data)


def unpublish(item):
    NewsItem.objects.filter(pk=item.pk).update(is_published=False)


def upload(content, name):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def make_document(content=None, name="report.pdf", title="Annual report 2026", **extra):
    document = Document(
        title=title,
        file=upload(content if content is not None else text_pdf_bytes(), name),
        **extra,
    )
    document.full_clean()
    document.save()
    return document


def offer(item, document, order=0):
    return ItemDocument.objects.create(news_item=item, document=document, order=order)


def add_url():
    return reverse("admin:library_document_add")


def post_document(client, content, name, title="A document", **fields):
    data = {
        "title_en": title,
        "language": "en",
        "file": upload(content, name),
        **fields,
    }
    return client.post(add_url(), data)


def file_errors(response):
    assert response.status_code == 200, response.status_code
    return " ".join(response.context["adminform"].form.errors.get("file", []))


# Checked by parsing ---------------------------------------------------------------------------


def test_a_docx_is_read_for_its_type_pages_and_text(staff_client):
    form = visible_text(staff_client.get(add_url()))
    assert "A PDF, a Word document (DOCX) or a spreadsheet (XLSX)." in form
    content = docx_bytes(["Market access for women farmers.", "", "Second paragraph."], pages=7)
    response = post_document(staff_client, content, "Market access.docx", title="Market access")
    assert response.status_code == 302, file_errors(response)
    document = Document.objects.get()
    assert document.file_type == FileType.DOCX
    assert document.pages == 7
    assert document.size == len(content)
    assert "Market access for women farmers." in document.text
    assert "Second paragraph." in document.text
    assert not document.thumbnail
    assert document.readable_name == "market-access-en.docx"


def test_an_xlsx_is_read_for_its_shared_and_inline_strings(staff_client):
    content = xlsx_bytes(shared=["Budget line", "Kampong Cham"], inline=["Inline note"])
    response = post_document(staff_client, content, "budget.xlsx", title="Budget 2026")
    assert response.status_code == 302, file_errors(response)
    document = Document.objects.get()
    assert document.file_type == FileType.XLSX
    assert document.pages == 0
    for words in ("Budget line", "Kampong Cham", "Inline note"):
        assert words in document.text


def test_a_pdf_gets_its_pages_text_and_first_page(staff_client):
    response = post_document(staff_client, text_pdf_bytes(), "kampot.pdf", title="Kampot")
    assert response.status_code == 302, file_errors(response)
    document = Document.objects.get()
    assert document.file_type == FileType.PDF
    assert document.pages == 1
    assert "Rice harvest figures for Kampot" in document.text
    assert document.thumbnail.name.endswith(".webp")
    assert document.thumbnail_width > 0
    assert document.thumbnail_url == f"/documents/{document.pk}/first-page.webp"


@pytest.mark.parametrize(
    "content, name, message",
    [
        (image_bytes(), "photo.pdf", "is not a PDF, a Word document (DOCX) or a spreadsheet"),
        (b"Just some words.", "notes.docx", "is not a PDF, a Word document (DOCX)"),
        (b"", "empty.pdf", "The submitted file is empty"),
        (text_pdf_bytes(), "report.docx", "ends in “.docx”, but the file is a PDF"),
        (docx_bytes(), "report.pdf", "ends in “.pdf”, but the file is a Word document"),
        (docx_bytes(), "report", "ends in “(no extension)”"),
        (xlsx_bytes(), "sheet.docx", "but the file is a Spreadsheet (XLSX)"),
        (zipped({"notes.txt": "hello"}), "archive.docx", "is not a PDF, a Word document"),
        (
            docx_bytes(main_type="application/vnd.ms-word.document.macroEnabled.main+xml"),
            "macro.docx",
            "contains macros",
        ),
        (docx_bytes(extra={"word/vbaProject.bin": b"\0" * 64}), "macro.docx", "contains macros"),
        (
            docx_bytes(
                main_type="application/vnd.openxmlformats-officedocument.presentationml."
                "presentation.main+xml"
            ),
            "slides.docx",
            "not a Word document (DOCX) or a spreadsheet (XLSX)",
        ),
        (docx_bytes()[:-40], "cut.docx", "is damaged"),
        (
            docx_bytes(
                extra={
                    "word/document.xml": '<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol '
                    '"lol">]><w:document ' + W + "><w:body><w:p><w:r><w:t>&lol;</w:t></w:r>"
                    "</w:p></w:body></w:document>"
                }
            ),
            "entities.docx",
            "is damaged",
        ),
        (
            docx_bytes(extra={"word/document.xml": "<w:document " + W + "><w:body>"}),
            "unclosed.docx",
            "is damaged",
        ),
        (with_encryption_flag(docx_bytes()), "locked.docx", "protected by a password"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
            + b"\0" * 500
            + "EncryptedPackage".encode("utf-16-le"),
            "locked.docx",
            "protected by a password",
        ),
        (OLE + b"\0" * 500, "old.docx", "older Word or Excel"),
        (b"%PDF-1.4\nnot really", "broken.pdf", "This PDF is damaged"),
    ],
)
def test_a_file_that_is_not_what_it_claims_is_refused_with_a_clear_message(
    staff_client, content, name, message
):
    response = post_document(staff_client, content, name)
    assert message in file_errors(response)
    assert not Document.objects.exists()
    assert not list(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*.*"))


def test_a_zip_bomb_is_refused_without_unpacking_it(staff_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        source = zipfile.ZipFile(io.BytesIO(docx_bytes()))
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info))
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as padding:
            zeros = b"\0" * (16 * 1024 * 1024)
            for _ in range(20):  # 320 MB of zeros, a few hundred kilobytes packed
                padding.write(zeros)
    content = buffer.getvalue()
    assert len(content) < 2 * 1024 * 1024
    assert "would unpack to more than" in file_errors(
        post_document(staff_client, content, "b.docx")
    )


def test_an_oversized_file_is_refused_before_it_is_read(staff_client, settings):
    settings.MPED_MAX_PDF_BYTES = 2048
    content = docx_bytes(extra={"word/media/noise.bin": os.urandom(4000)})
    assert "the largest allowed is 2.0\xa0KB" in file_errors(
        post_document(staff_client, content, "big.docx")
    )


def test_the_chooser_upload_and_a_model_form_run_the_same_check(db):
    document = Document(title="Renamed", file=upload(image_bytes(), "photo.docx"))
    with pytest.raises(Exception) as error:
        document.full_clean()
    assert "is not a PDF, a Word document" in str(error.value)


# Readable names and the document view ---------------------------------------------------------


@pytest.fixture
def report(db):
    """A live report offering a PDF in English and a DOCX in French."""
    item = make_news("Encouraging women's participation", slug="encouraging-womens-participation")
    english = make_document(title="Encouraging women's participation 2016")
    french = make_document(
        docx_bytes(["Participation des femmes."]),
        name="participation.docx",
        title="Encouraging women's participation 2016",
        title_fr="Encourager la participation des femmes 2016",
        language="fr",
    )
    offer(item, english, 0)
    offer(item, french, 1)
    return {"item": item, "en": english, "fr": french}


def test_documents_are_served_under_their_readable_names(client, report):
    english, french = report["en"], report["fr"]
    assert english.readable_name == "encouraging-womens-participation-2016-en.pdf"
    assert french.readable_name == "encouraging-womens-participation-2016-fr.docx"
    assert english.get_absolute_url() == (
        f"/documents/{english.pk}/encouraging-womens-participation-2016-en.pdf"
    )

    response = client.get(english.get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="encouraging-womens-participation-2016-en.pdf"'
    )
    assert b"".join(response.streaming_content) == english.file.open("rb").read()
    assert response["Cache-Control"] == "public, max-age=3600"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    assert response["Accept-Ranges"] == "bytes"
    assert not response.cookies

    response = client.get(french.get_absolute_url())
    assert response["Content-Type"] == f"{WORD}.document"
    assert response["Content-Disposition"] == (
        'attachment; filename="encouraging-womens-participation-2016-fr.docx"'
    )
    assert "sandbox" in response["Content-Security-Policy"]


def test_an_old_name_redirects_to_the_current_one(client, report):
    english = report["en"]
    old = english.get_absolute_url()
    Document.objects.filter(pk=english.pk).update(title_en="Women in local economies")
    english.refresh_from_db()
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == f"/documents/{english.pk}/women-in-local-economies-en.pdf"


def test_head_answers_with_the_headers_and_no_body(client, report):
    response = client.head(report["en"].get_absolute_url())
    assert response.status_code == 200
    assert response["Content-Length"] == str(report["en"].size)
    assert response["Content-Disposition"].startswith("inline;")


@pytest.mark.parametrize(
    "header, status, expected",
    [
        ("bytes=0-9", 206, (0, 9)),
        ("bytes=10-", 206, (10, None)),
        ("bytes=-5", 206, (-5, None)),
        ("bytes=0-999999999", 206, (0, None)),
        ("bytes=999999999-", 416, None),
        ("bytes=0-1,5-6", 200, None),
        ("bytes=9-3", 200, None),
        ("pages=1-2", 200, None),
        ("bytes=abc", 200, None),
        ("bytes=-0", 416, None),
    ],
)
def test_byte_ranges(client, report, header, status, expected):
    content = report["en"].file.open("rb").read()
    size = len(content)
    response = client.get(report["en"].get_absolute_url(), HTTP_RANGE=header)
    assert response.status_code == status
    if status == 206:
        body = b"".join(response.streaming_content)
        first, last = expected
        wanted = content[first:] if last is None else content[first : last + 1]
        assert body == wanted
        assert response["Content-Length"] == str(len(wanted))
        start = size + first if first < 0 else first
        assert response["Content-Range"] == f"bytes {start}-{start + len(wanted) - 1}/{size}"
    elif status == 416:
        assert response["Content-Range"] == f"bytes */{size}"
    else:
        assert b"".join(response.streaming_content) == content


def test_a_stale_if_range_gets_the_whole_file_and_a_matching_etag_a_304(client, report):
    url = report["en"].get_absolute_url()
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"').status_code == 200
    assert client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag).status_code == 206
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_the_first_page_picture_is_served_by_the_same_rules(client, report, django_user_model):
    english = report["en"]
    response = client.get(english.thumbnail_url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/webp"
    assert client.get(f"/documents/{english.pk}/first-page.png").status_code == 404
    assert client.get(f"/documents/{report['fr'].pk}/first-page.webp").status_code == 404
    unpublish(report["item"])
    assert client.get(english.thumbnail_url).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/documents/999999/anything.pdf",
        "/documents/99999999999999999999999/anything.pdf",
        "/documents/abc/anything.pdf",
        "/documents/-1/anything.pdf",
        "/documents/1/",
        "/documents/1/first-page.",
        "/documents/%00/x",
    ],
)
def test_unknown_documents_are_404(client, db, path):
    assert client.get(path).status_code == 404


def test_query_strings_change_nothing(client, report):
    url = report["en"].get_absolute_url()
    for query in ("?download=%00", "?a=" + "x" * 5000, "?page=abc&lang=zz"):
        assert client.get(url + query).status_code == 200


def test_a_document_no_live_item_offers_is_a_404_except_to_staff(report, staff_client):
    # (staff_client is the `client` fixture, logged in.)
    client = Client()
    unpublish(report["item"])
    url = report["en"].get_absolute_url()
    assert client.get(url).status_code == 404
    response = staff_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    unused = make_document(title="Nobody offers this")
    assert client.get(unused.get_absolute_url()).status_code == 404
    assert staff_client.get(unused.get_absolute_url()).status_code == 200


def test_members_only_documents(client, report, django_user_model):
    english = report["en"]
    english.is_members_only = True
    english.save()
    url = english.get_absolute_url()

    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")

    django_user_model.objects.create_user("new@example.org", "new@example.org", PASSWORD)
    client.login(username="new@example.org", password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 403

    make_member()
    client.login(username="member@example.org", password=PASSWORD)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_a_document_only_members_only_items_offer_is_for_members(client, report):
    NewsItem.objects.filter(pk=report["item"].pk).update(is_members_only=True)
    url = report["fr"].get_absolute_url()
    assert client.get(url).status_code == 302
    # Offered by a public item too, it is public.
    offer(make_news("A public note"), report["fr"])
    assert client.get(url).status_code == 200


# The admin ------------------------------------------------------------------------------------


def test_the_list_shows_type_language_size_pages_and_is_searchable_and_filtered(
    staff_client, report
):
    url = reverse("admin:library_document_changelist")
    text = visible_text(staff_client.get(url))
    assert "Word document (DOCX)" in text and "PDF" in text
    assert "Encouraging women's participation 2016" in text
    response = staff_client.get(url, {"q": "participation"})
    assert len(response.context["cl"].result_list) == 2
    response = staff_client.get(url, {"file_type__exact": "docx"})
    assert list(response.context["cl"].result_list) == [report["fr"]]
    response = staff_client.get(url, {"language__exact": "fr"})
    assert list(response.context["cl"].result_list) == [report["fr"]]
    response = staff_client.get(url, {"is_members_only__exact": "1"})
    assert list(response.context["cl"].result_list) == []
    # A filter value the database cannot take, or a text too long: never a 500.
    for query in ({"file_type__exact": "zzz"}, {"pages__gt": "abc"}, {"q": "x" * 10000}):
        assert staff_client.get(url, query).status_code in (200, 302, 400)


def test_the_change_page_shows_the_facts_where_used_and_the_first_page(staff_client, report):
    english = report["en"]
    response = staff_client.get(reverse("admin:library_document_change", args=[english.pk]))
    text = visible_text(response)
    assert "PDF · " in text and "1 page ·" in text and "English" in text
    assert english.readable_name in text
    assert "Encouraging women's participation (news item, live)" in text
    assert f'src="{english.thumbnail_url}"' in response.content.decode()


def test_an_editor_cannot_change_a_document_that_live_items_offer(editor, publisher, report):
    english = report["en"]
    url = reverse("admin:library_document_change", args=[english.pk])
    response = editor.get(url)
    assert response.status_code == 200
    assert "only a publisher can change it" in visible_text(response)
    data = {"title_en": "Changed by an editor", "language": "en"}
    assert editor.post(url, data).status_code == 403
    delete = reverse("admin:library_document_delete", args=[english.pk])
    assert editor.post(delete, {"post": "yes"}).status_code == 403
    english.refresh_from_db()
    assert english.title_en == "Encouraging women's participation 2016"

    response = publisher.post(url, {**data, "title_en": "Changed by a publisher"})
    assert response.status_code == 302
    english.refresh_from_db()
    assert english.title_en == "Changed by a publisher"

    # A document no live item offers is the editors' to change.
    unused = make_document(title="Draft annex")
    url = reverse("admin:library_document_change", args=[unused.pk])
    assert editor.post(url, {"title_en": "Annex", "language": "en"}).status_code == 302


def test_replacing_the_file_reads_the_new_one(staff_client, db):
    document = make_document(title="Changing")
    url = reverse("admin:library_document_change", args=[document.pk])
    response = staff_client.post(
        url,
        {
            "title_en": "Changing",
            "language": "en",
            "file": upload(xlsx_bytes(shared=["New sheet"]), "changing.xlsx"),
        },
    )
    assert response.status_code == 302, file_errors(response)
    document.refresh_from_db()
    assert document.file_type == FileType.XLSX
    assert "New sheet" in document.text
    assert not document.thumbnail
    # Saving again without a new file reads nothing again.
    document.title_en = "Changed"
    document.save()
    assert Document.objects.get(pk=document.pk).file_type == FileType.XLSX


# Backups and unused files ---------------------------------------------------------------------


def files_in(folder):
    folder = Path(folder)
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in folder.rglob("*")
        if path.is_file()
    }


def test_cleanup_files_keeps_the_library_files_rows_point_at(report):
    from library.models import Image, Rendition

    image = Image(title="Fields", alt="Rice fields", file=upload(image_bytes((900, 600)), "f.png"))
    image.save()
    media = {image.file.name, *Rendition.objects.values_list("file", flat=True)}
    names = {report["en"].file.name, report["en"].thumbnail.name, report["fr"].file.name}
    Path(settings.PRIVATE_MEDIA_ROOT, "library/documents/stray.pdf").write_bytes(b"%PDF-1.4")
    Path(settings.MEDIA_ROOT, "library/images/stray.png").write_bytes(image_bytes())
    out = io.StringIO()
    call_command("cleanup_files", stdout=out)
    assert "Deleted library/documents/stray.pdf" in out.getvalue()
    assert "Deleted library/images/stray.png" in out.getvalue()
    assert set(files_in(settings.PRIVATE_MEDIA_ROOT)) == names
    assert set(files_in(settings.MEDIA_ROOT)) == media


def test_backup_and_restore_bring_back_documents_images_and_counts(report, tmp_path, client):
    from library.downloads import add_download, month_start
    from library.models import Image, Rendition
    from library.renditions import picture

    add_download(report["en"], month_start(), 5)
    image = Image(
        title="Market", alt="A market", file=upload(image_bytes((1600, 1000)), "market.png")
    )
    image.save()
    renditions = set(Rendition.objects.values_list("file", flat=True))
    assert renditions
    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "site.tar.gz"), stdout=out)
    before = files_in(settings.PRIVATE_MEDIA_ROOT)
    media = files_in(settings.MEDIA_ROOT)
    assert len(before) == 3
    assert {image.file.name, *renditions} <= set(media)
    for folder, names in ((settings.PRIVATE_MEDIA_ROOT, before), (settings.MEDIA_ROOT, media)):
        for name in names:
            Path(folder, name).unlink()
    report["en"].download_counts.all().delete()

    connection.check_constraints()
    call_command("restore", str(tmp_path / "site.tar.gz"), "--flush", stdout=io.StringIO())
    assert files_in(settings.PRIVATE_MEDIA_ROOT) == before
    assert files_in(settings.MEDIA_ROOT) == media
    # Renditions can be made again from the image alone.
    for name in renditions:
        Path(settings.MEDIA_ROOT, name).unlink()
    call_command("make_renditions", stdout=io.StringIO())
    assert files_in(settings.MEDIA_ROOT) == media
    header = picture(Image.objects.get(pk=image.pk), "header")
    assert Path(settings.MEDIA_ROOT, header.src.removeprefix(settings.MEDIA_URL)).is_file()
    english = Document.objects.get(pk=report["en"].pk)
    assert english.download_counts.get().downloads == 5
    response = client.get(english.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == english.file.open("rb").read()
    assert client.get(english.thumbnail_url).status_code == 200


HOSTILE_PATH_VALUES = ["0", "-1", "9" * 25, "%00", "%FF%FE", "%2F", "..%2F..", "%28", "x" * 2000]


def test_hostile_addresses_are_never_a_server_error(client, report):
    english = report["en"]
    for value in HOSTILE_PATH_VALUES:
        for address in (
            f"/documents/{value}/{english.readable_name}",
            f"/documents/{english.pk}/{value}",
            f"/documents/{english.pk}/first-page.{value}",
        ):
            assert client.get(address).status_code in (301, 302, 400, 404), address
