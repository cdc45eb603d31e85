"""Uploads checked for what they are, through the admin as staff use it: PDFs opened with PDFium
(page count, a picture of the first page), images read with Pillow when uploaded to the media
library and shown on items' pages as its renditions.

A refused upload comes back as a form error, and the item keeps its old file and fields byte
for byte."""

import io
import re
import struct
import zlib
from pathlib import Path

import pikepdf
import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from PIL import Image

from files.pdfs import PdfError, read_pdf
from library.models import Image as LibraryImage
from news.models import Article, Kind, NewsItem
from partners.models import Municipality

from .helpers import (
    add_news_via_admin,
    admin_form_data,
    assert_form_shown_again_with,
    change_url,
    form_errors,
    image_bytes,
    image_upload,
    make_document,
    make_member,
    make_municipality,
    make_news,
    markup,
    pdf_bytes,
    visible_text,
)

# Files ------------------------------------------------------------------------------------------


def encrypted_pdf_bytes():
    """A PDF that opens only with its password (AES-256), made with pikepdf (qpdf)."""
    buffer = io.BytesIO()
    with pikepdf.open(io.BytesIO(pdf_bytes(2))) as pdf:
        pdf.save(buffer, encryption=pikepdf.Encryption(owner="owner-secret", user="reader-secret"))
    return buffer.getvalue()


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def decompression_bomb_png(side=20_000):
    """A real 1-bit PNG of side × side black pixels: 400 million pixels, a few tens of kilobytes
    on disk, gigabytes once decoded."""
    row = b"\x00" + bytes((side + 7) // 8)  # filter byte, then the packed pixels
    compressor = zlib.compressobj(9)
    pixels = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", pixels)
        + png_chunk(b"IEND", b"")
    )


# Helpers ----------------------------------------------------------------------------------------


def snapshot(obj, *file_fields):
    """Every stored field of `obj` as saved, and the bytes of its files."""
    obj = type(obj).objects.get(pk=obj.pk)
    fields = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    fields = {name: getattr(value, "name", value) for name, value in fields.items()}
    files = {}
    for name in file_fields:
        field_file = getattr(obj, name)
        with field_file.open("rb") as stored:
            files[name] = stored.read()
    return fields, files


def media_path(url):
    assert url.startswith(settings.MEDIA_URL)
    return Path(settings.MEDIA_ROOT) / url.removeprefix(settings.MEDIA_URL)


def thumbnail_tag(page):
    match = re.search(r'<img class="pdf-thumbnail"[^>]*>', page)
    return match.group(0) if match else None


# PDFium itself ----------------------------------------------------------------------------------


def test_pdfium_counts_pages_and_draws_the_first_one_as_webp():
    facts = read_pdf(pdf_bytes(3))

    assert facts.pages == 3
    with Image.open(io.BytesIO(facts.thumbnail)) as picture:
        assert picture.format == "WEBP"
        assert picture.size == facts.thumbnail_size
        assert picture.width == 400


def test_pdfium_reports_a_password_error_for_the_encrypted_test_pdf():
    with pytest.raises(PdfError) as refused:
        read_pdf(encrypted_pdf_bytes())

    assert refused.value.reason == "password"
    # …and the same PDF opens with its password, so it is encrypted, not broken.
    with pikepdf.open(io.BytesIO(encrypted_pdf_bytes()), password="reader-secret") as pdf:
        assert len(pdf.pages) == 2


@pytest.mark.parametrize(
    "content",
    [b"not a pdf", pdf_bytes(3)[:4000], b"%PDF-1.7\n%%EOF\n"],
    ids=["text", "cut off", "header only"],
)
def test_pdfium_refuses_what_is_not_a_whole_pdf(content):
    with pytest.raises(PdfError) as refused:
        read_pdf(content)

    assert refused.value.reason == "unreadable"


# A real PDF -------------------------------------------------------------------------------------


def add_report_via_admin(staff_client, content, **document_fields):
    """A report added in the admin offering a library document made of `content`."""
    document = make_document("Farmers' market report", content, **document_fields)
    item = add_news_via_admin(
        staff_client,
        kind=Kind.REPORT,
        **{
            "documents-TOTAL_FORMS": "1",
            "documents-0-document": str(document.pk),
            "documents-0-role": "report",
            "documents-0-order": "0",
        },
    )
    return item, document


def test_a_three_page_report_shows_its_page_count_and_the_picture_of_its_first_page(
    staff_client, db
):
    content = pdf_bytes(3)
    item, document = add_report_via_admin(staff_client, content)

    assert document.pages == 3
    assert document.size == len(content)
    response = Client().get(item.get_absolute_url())
    page = visible_text(response)
    size_kb = round(len(content) / 1024)
    assert f"Report: Farmers' market report (English) (PDF, 3 pages, {size_kb} KB)" in page
    assert f"(PDF, 3 pages, {size_kb} KB)" in visible_text(Client().get("/en/news/"))

    tag = thumbnail_tag(markup(response))
    assert tag is not None
    assert 'alt="First page of the report"' in tag
    assert 'loading="lazy"' in tag
    assert f'width="{document.thumbnail_width}" height="{document.thumbnail_height}"' in tag
    assert document.thumbnail_width == 400
    assert 500 < document.thumbnail_height < 600  # an A4 page's proportions
    thumbnail = Client().get(re.search(r'src="([^"]+)"', tag).group(1))
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))) as picture:
        assert picture.format == "WEBP"
        assert picture.size == (document.thumbnail_width, document.thumbnail_height)


def test_a_press_article_copy_shows_its_page_count(staff_client, db):
    item = make_news("Canada in the spotlight", kind=Kind.PRESS)
    copy = make_document("The County of Newell", pdf_bytes(1), name="newell.pdf")
    data = admin_form_data(staff_client.get(change_url(item)))
    data.update(
        {
            "articles-TOTAL_FORMS": "1",
            "articles-0-title_en": "The County of Newell",
            "articles-0-document": str(copy.pk),
            "articles-0-order": "0",
            # A live item: its new article waits in its draft until this publishes it.
            "_publish_draft": "Publish changes",
        }
    )
    response = staff_client.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)

    article = Article.objects.get()
    assert article.document == copy and copy.pages == 1
    page = Client().get(item.get_absolute_url())
    assert "The County of Newell (PDF, 1 page, " in visible_text(page)
    assert f'href="{copy.get_absolute_url()}"' in markup(page)


def test_the_first_page_of_a_members_only_pdf_is_kept_from_visitors(staff_client, db):
    item, document = add_report_via_admin(staff_client, pdf_bytes(2), is_members_only=True)
    thumbnail_url = document.thumbnail_url

    # Stored privately, beside the PDF, never under the public media folder.
    assert not (Path(settings.MEDIA_ROOT) / document.thumbnail.name).exists()
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / document.thumbnail.name).exists()
    visitor = Client()
    assert thumbnail_tag(markup(visitor.get(item.get_absolute_url()))) is None
    assert visitor.get(thumbnail_url).status_code == 302  # to the login page

    member = Client()
    member.force_login(make_member())
    assert thumbnail_tag(markup(member.get(item.get_absolute_url()))) is not None
    response = member.get(thumbnail_url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"


def test_the_demo_report_has_its_page_count_and_first_page(client, demo):
    report = NewsItem.objects.get(kind=Kind.REPORT).documents.get().document

    assert report.pages == 1
    assert report.thumbnail
    response = client.get(NewsItem.objects.get(kind=Kind.REPORT).get_absolute_url())
    assert "(PDF, 1 page, " in visible_text(response)


# Refused PDFs: a document is uploaded once, to the media library, whose form checks it by
# parsing (tests/test_library_documents.py); a report chooses documents from there, and a
# choice of a document that does not exist is a form error (tests/test_news_documents.py).


# Refused images ---------------------------------------------------------------------------------
# Images are uploaded once, to the media library, and chosen by items (tests/test_library_*.py):
# the library's form checks them as items' forms did.

REFUSED_IMAGES = {
    "fake": (lambda: b"GIF89a? no, just words", "Upload a valid image."),
    "decompression bomb": (decompression_bomb_png, "This image has too many pixels"),
    "oversized": (lambda: image_bytes((300, 200)), "the largest allowed is 100 bytes"),
    "cut off": (lambda: image_bytes((300, 200), "JPEG")[:400], "Upload a valid image."),
}
LIBRARY_ADD = "/admin/library/image/add/"


def library_image_via_admin(
    staff_client, content=None, name="market.png", content_type="image/png", **fields
):
    data = admin_form_data(staff_client.get(LIBRARY_ADD))
    data.update(
        file=image_upload(content or image_bytes((640, 480)), name, content_type),
        title="Market day",
        alt_en="Stalls of vegetables at the new market",
        **fields,
    )
    response = staff_client.post(LIBRARY_ADD, data)
    assert response.status_code == 302, form_errors(response)
    return LibraryImage.objects.get(title=data["title"])


def news_item_with_image(staff_client, image=None):
    image = image or library_image_via_admin(staff_client)
    return add_news_via_admin(staff_client, image=str(image.pk))


def municipality_with_image(staff_client, image=None):
    image = image or library_image_via_admin(staff_client, name="town.png", title="Town hall")
    municipality = make_municipality("Town of Example")
    data = admin_form_data(staff_client.get(change_url(municipality)))
    data.update(image=str(image.pk), _publish_draft="Publish changes")  # saved and published
    response = staff_client.post(change_url(municipality), data)
    assert response.status_code == 302, form_errors(response)
    return Municipality.objects.get(pk=municipality.pk)


@pytest.mark.parametrize("kind", REFUSED_IMAGES)
def test_a_bad_image_is_refused_and_the_library_image_keeps_its_file(
    staff_client, db, settings, kind
):
    image = library_image_via_admin(staff_client)
    item = news_item_with_image(staff_client, image)
    assert (image.width, image.height) == (640, 480)
    before = snapshot(image, "file")
    make_content, message = REFUSED_IMAGES[kind]
    if kind == "oversized":
        settings.MPED_MAX_IMAGE_BYTES = 100

    data = admin_form_data(staff_client.get(change_url(image)))
    data["alt_en"] = "A description that must not be saved"
    data["file"] = image_upload(make_content(), "new.png")
    response = staff_client.post(change_url(image), data)

    assert_form_shown_again_with(response, message)
    assert list(response.context["adminform"].form.errors) == ["file"]
    assert snapshot(image, "file") == before
    assert 'alt="Stalls of vegetables at the new market"' in markup(
        Client().get(item.get_absolute_url())
    )


# 400 million pixels: Pillow refuses to open it; 100 million: Pillow only warns, our limit refuses.
@pytest.mark.parametrize("side", [20_000, 10_000])
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_bomb_is_refused_from_its_header_without_being_decoded(staff_client, db, side):
    bomb = decompression_bomb_png(side)
    assert len(bomb) < 100_000  # tiny on disk
    response = staff_client.post(
        LIBRARY_ADD,
        {
            **admin_form_data(staff_client.get(LIBRARY_ADD)),
            "title": "Bomb",
            "alt_en": "Nothing",
            "file": image_upload(bomb, "bomb.png"),
        },
    )

    assert_form_shown_again_with(response, "This image has too many pixels")
    assert not LibraryImage.objects.exists()


# Renditions -------------------------------------------------------------------------------------
# The crops themselves: tests/test_library_renditions.py. Here, what the items' pages offer.


def header_of(page):
    """The header picture's <img> tag, its src, and its srcset as [(url, width)]."""
    match = re.search(r'<img src="([^"]+)" srcset="([^"]+)"[^>]*class="news-image"[^>]*>', page)
    assert match, "no header picture on the page"
    entries = [entry.rsplit(" ", 1) for entry in match.group(2).split(", ")]
    return match.group(0), match.group(1), [(url, int(width.rstrip("w"))) for url, width in entries]


def test_a_large_photo_is_served_as_header_renditions_never_the_original(staff_client, db):
    image = library_image_via_admin(
        staff_client, image_bytes((2000, 1500), "JPEG"), "market.jpg", content_type="image/jpeg"
    )
    item = news_item_with_image(staff_client, image)

    page = markup(Client().get(item.get_absolute_url()))
    tag, src, srcset = header_of(page)
    assert [width for _, width in srcset] == [800, 1200, 1600]
    assert 'sizes="(max-width: 45rem) 100vw, 45rem"' in tag
    assert 'alt="Stalls of vegetables at the new market"' in tag
    assert 'width="1200" height="675"' in tag  # the size of the rendition in src
    assert image.file.url not in page  # never the uploaded original
    for url, width in srcset:
        with Image.open(media_path(url)) as rendition:
            assert rendition.format == "WEBP"
            assert rendition.size == (width, round(width * 9 / 16))


def test_a_small_image_is_not_enlarged(staff_client, db):
    item = news_item_with_image(staff_client)  # 640 × 480

    tag, src, srcset = header_of(markup(Client().get(item.get_absolute_url())))
    assert all(width <= 640 for _, width in srcset)
    with Image.open(media_path(src)) as rendition:
        assert rendition.format == "WEBP"
        assert rendition.width <= 640


def test_a_phone_photo_turned_by_its_exif_orientation_is_shown_upright(staff_client, db):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright, the pixels lie sideways
    image = library_image_via_admin(
        staff_client,
        image_bytes((1600, 1200), "JPEG", exif),
        "upright.jpg",
        content_type="image/jpeg",
    )
    item = news_item_with_image(staff_client, image)

    assert (image.width, image.height) == (1200, 1600)
    tag, src, srcset = header_of(markup(Client().get(item.get_absolute_url())))
    for url, width in srcset:
        with Image.open(media_path(url)) as rendition:
            assert rendition.width == width <= 1200
            assert rendition.height == round(width * 9 / 16)


def test_a_municipality_shows_the_same_image_as_a_news_item(staff_client, db):
    image = library_image_via_admin(staff_client)
    item = news_item_with_image(staff_client, image)
    municipality = municipality_with_image(staff_client, image)

    news_page = markup(Client().get(item.get_absolute_url()))
    page = markup(Client().get(municipality.get_absolute_url()))
    assert header_of(page) == header_of(news_page)  # the same files, made once
    assert image.file.url not in page


def test_an_image_is_stored_once_in_the_library_folder(staff_client, db):
    year = timezone.localtime().year
    image = library_image_via_admin(staff_client)
    news_item_with_image(staff_client, image)
    municipality_with_image(staff_client, image)

    assert image.file.name == f"library/images/{year}/market.png"
    assert LibraryImage.objects.count() == 1


def test_an_image_gone_from_disk_does_not_break_the_page(staff_client, db):
    item = news_item_with_image(staff_client)
    image = item.image
    image.file.storage.delete(image.file.name)
    for rendition in image.renditions.all():
        rendition.file.storage.delete(rendition.file.name)

    response = Client().get(item.get_absolute_url())
    assert response.status_code == 200
