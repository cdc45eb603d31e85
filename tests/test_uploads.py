"""Uploads checked for what they are, through the admin as staff use it: PDFs opened with PDFium
(page count, a picture of the first page), images read with Pillow and shown as WebP renditions.

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
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from files.pdfs import PdfError, read_pdf
from news.models import Article, Kind, NewsItem
from partners.models import Country, Municipality

from .helpers import (
    add_news_via_admin,
    admin_form_data,
    assert_form_shown_again_with,
    change_url,
    form_errors,
    image_bytes,
    image_upload,
    make_member,
    make_municipality,
    make_news,
    markup,
    news_post,
    pdf_bytes,
    pdf_upload,
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


def srcset_of(page):
    match = re.search(r'<img class="news-image" src="([^"]+)" srcset="([^"]+)"[^>]*>', page)
    assert match, "no responsive image on the page"
    tag = match.group(0)
    entries = [entry.rsplit(" ", 1) for entry in match.group(2).split(", ")]
    return tag, match.group(1), [(url, int(width.rstrip("w"))) for url, width in entries]


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


def test_a_three_page_report_shows_its_page_count_and_the_picture_of_its_first_page(
    staff_client, db
):
    content = pdf_bytes(3)
    item = add_news_via_admin(staff_client, kind=Kind.REPORT, pdf=pdf_upload(content))

    assert item.pdf_pages == 3
    assert item.pdf_size == len(content)
    response = Client().get(item.get_absolute_url())
    page = visible_text(response)
    size_kb = round(len(content) / 1024)
    assert f"Download the report: Council opens a farmers' market (PDF, 3 pages, {size_kb} KB)" in (
        page
    )
    assert f"(PDF, 3 pages, {size_kb} KB)" in visible_text(Client().get("/en/news/"))

    tag = thumbnail_tag(markup(response))
    assert tag is not None
    assert 'alt="First page of the report"' in tag
    assert 'loading="lazy"' in tag
    assert f'width="{item.pdf_thumbnail_width}" height="{item.pdf_thumbnail_height}"' in tag
    assert item.pdf_thumbnail_width == 400
    assert 500 < item.pdf_thumbnail_height < 600  # an A4 page's proportions
    thumbnail = Client().get(re.search(r'src="([^"]+)"', tag).group(1))
    assert thumbnail.status_code == 200
    assert thumbnail["Content-Type"] == "image/webp"
    with Image.open(io.BytesIO(b"".join(thumbnail.streaming_content))) as picture:
        assert picture.format == "WEBP"
        assert picture.size == (item.pdf_thumbnail_width, item.pdf_thumbnail_height)


def test_a_press_article_copy_shows_its_page_count(staff_client, db):
    item = make_news("Canada in the spotlight", kind=Kind.PRESS)
    data = admin_form_data(staff_client.get(change_url(item)))
    data.update(
        {
            "articles-TOTAL_FORMS": "1",
            "articles-0-title_en": "The County of Newell",
            "articles-0-file": pdf_upload(pdf_bytes(1), "newell.pdf"),
            "articles-0-order": "0",
            # A live item: its new article waits in its draft until this publishes it.
            "_publish_draft": "Publish changes",
        }
    )
    response = staff_client.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)

    article = Article.objects.get()
    assert article.file_pages == 1
    assert "The County of Newell (PDF, 1 page, " in visible_text(
        Client().get(item.get_absolute_url())
    )


def test_the_first_page_of_a_members_only_pdf_is_kept_from_visitors(staff_client, db):
    item = add_news_via_admin(
        staff_client, kind=Kind.REPORT, pdf=pdf_upload(pdf_bytes(2)), pdf_members_only="on"
    )
    thumbnail_url = item.pdf_thumbnail.url

    # Stored privately, beside the PDF, never under the public media folder.
    assert not (Path(settings.MEDIA_ROOT) / item.pdf_thumbnail.name).exists()
    assert (Path(settings.PRIVATE_MEDIA_ROOT) / item.pdf_thumbnail.name).exists()
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
    report = NewsItem.objects.get(kind=Kind.REPORT)

    assert report.pdf_pages == 1
    assert report.pdf_thumbnail
    assert "(PDF, 1 page, " in visible_text(client.get(report.get_absolute_url()))


# Refused PDFs -----------------------------------------------------------------------------------

REFUSED_PDFS = {
    "fake": (lambda: b"Quarterly figures, typed in a text editor.\n", "This file is not a PDF."),
    "truncated": (lambda: pdf_bytes(3)[: len(pdf_bytes(3)) // 2], "This PDF is damaged"),
    "encrypted": (encrypted_pdf_bytes, "This PDF is protected by a password"),
    "oversized": (lambda: pdf_bytes(3), "the largest allowed is 2.0 KB"),
}


@pytest.fixture
def report(staff_client, db):
    item = add_news_via_admin(
        staff_client, kind=Kind.REPORT, pdf=pdf_upload(pdf_bytes(2), "first.pdf")
    )
    assert item.pdf_pages == 2 and item.pdf_thumbnail
    return item


@pytest.mark.parametrize("kind", REFUSED_PDFS)
def test_a_bad_pdf_is_refused_and_the_report_keeps_its_pdf_and_fields(
    staff_client, report, settings, kind
):
    make_content, message = REFUSED_PDFS[kind]
    content = make_content()
    if kind == "oversized":
        settings.MPED_MAX_PDF_BYTES = 2048
    before = snapshot(report, "pdf", "pdf_thumbnail")

    data = admin_form_data(staff_client.get(change_url(report)))
    data["title_en"] = "A title that must not be saved"
    data["pdf"] = pdf_upload(content, "second.pdf")
    response = staff_client.post(change_url(report), data)

    assert_form_shown_again_with(response, message)
    assert "pdf" in response.context["adminform"].form.errors
    assert snapshot(report, "pdf", "pdf_thumbnail") == before
    assert "(PDF, 2 pages, " in visible_text(Client().get(report.get_absolute_url()))


@pytest.mark.parametrize("kind", REFUSED_PDFS)
def test_a_bad_pdf_is_refused_when_adding_a_report(staff_client, db, settings, kind):
    make_content, message = REFUSED_PDFS[kind]
    content = make_content()
    if kind == "oversized":
        settings.MPED_MAX_PDF_BYTES = 2048
    response = staff_client.post(
        reverse("admin:news_newsitem_add"),
        news_post(kind=Kind.REPORT, pdf=pdf_upload(content)),
    )

    assert_form_shown_again_with(response, message)
    assert not NewsItem.objects.exists()


@pytest.mark.parametrize("kind", ["truncated", "encrypted"])
def test_a_bad_article_copy_is_refused_and_the_article_keeps_its_file(staff_client, db, kind):
    item = make_news("Canada in the spotlight", kind=Kind.PRESS)
    article = Article(news_item=item, title="The County of Newell")
    article.file.save("newell.pdf", ContentFile(pdf_bytes(1)), save=False)
    article.save()
    before = snapshot(article, "file")

    make_content, message = REFUSED_PDFS[kind]
    data = admin_form_data(staff_client.get(change_url(item)))
    data["articles-0-title_en"] = "A title that must not be saved"
    data["articles-0-file"] = pdf_upload(make_content(), "other.pdf")
    response = staff_client.post(change_url(item), data)

    assert_form_shown_again_with(response, message)
    assert snapshot(article, "file") == before
    assert "The County of Newell (PDF, 1 page, " in visible_text(
        Client().get(item.get_absolute_url())
    )


# Refused images ---------------------------------------------------------------------------------

REFUSED_IMAGES = {
    "fake": (lambda: b"GIF89a? no, just words", "Upload a valid image."),
    "decompression bomb": (decompression_bomb_png, "This image has too many pixels"),
    "oversized": (lambda: image_bytes((300, 200)), "the largest allowed is 100 bytes"),
    "cut off": (lambda: image_bytes((300, 200), "JPEG")[:400], "Upload a valid image."),
}


def news_item_with_image(staff_client):
    return add_news_via_admin(
        staff_client,
        image=image_upload(image_bytes((640, 480)), "market.png"),
        image_alt_en="Stalls of vegetables at the new market",
    )


def municipality_with_image(staff_client):
    municipality = make_municipality("Town of Example")
    data = admin_form_data(staff_client.get(change_url(municipality)))
    data.update(
        image=image_upload(image_bytes((640, 480)), "town.png"),
        image_alt_en="The town hall",
        _publish_draft="Publish changes",  # a live item: saved and published
    )
    response = staff_client.post(change_url(municipality), data)
    assert response.status_code == 302, form_errors(response)
    return Municipality.objects.get(pk=municipality.pk)


@pytest.mark.parametrize("make_owner", [news_item_with_image, municipality_with_image])
@pytest.mark.parametrize("kind", REFUSED_IMAGES)
def test_a_bad_image_is_refused_and_the_old_image_is_kept(
    staff_client, db, settings, kind, make_owner
):
    owner = make_owner(staff_client)
    assert owner.image_width == 640
    before = snapshot(owner, "image")
    make_content, message = REFUSED_IMAGES[kind]
    if kind == "oversized":
        settings.MPED_MAX_IMAGE_BYTES = 100

    data = admin_form_data(staff_client.get(change_url(owner)))
    data["image_alt_en"] = "A description that must not be saved"
    data["image"] = image_upload(make_content(), "new.png")
    response = staff_client.post(change_url(owner), data)

    assert_form_shown_again_with(response, message)
    assert list(response.context["adminform"].form.errors) == ["image"]
    assert snapshot(owner, "image") == before


# 400 million pixels: Pillow refuses to open it; 100 million: Pillow only warns, our limit refuses.
@pytest.mark.parametrize("side", [20_000, 10_000])
@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_the_bomb_is_refused_from_its_header_without_being_decoded(staff_client, db, side):
    bomb = decompression_bomb_png(side)
    assert len(bomb) < 100_000  # tiny on disk
    response = staff_client.post(
        reverse("admin:partners_municipality_add"),
        {
            **admin_form_data(staff_client.get(reverse("admin:partners_municipality_add"))),
            "name": "Town of Example",
            "slug": "town-of-example",
            "country": Country.CANADA,
            "image": image_upload(bomb, "bomb.png"),
            "image_alt_en": "Nothing",
        },
    )

    assert_form_shown_again_with(response, "This image has too many pixels")
    assert not Municipality.objects.exists()


# Renditions -------------------------------------------------------------------------------------


def test_a_large_photo_is_served_as_webp_renditions_no_wider_than_1200_pixels(staff_client, db):
    item = add_news_via_admin(
        staff_client,
        image=image_upload(image_bytes((2000, 1500), "JPEG"), "market.jpg", "image/jpeg"),
        image_alt_en="Stalls of vegetables at the new market",
    )

    page = markup(Client().get(item.get_absolute_url()))
    tag, src, srcset = srcset_of(page)
    assert [width for _, width in srcset] == [480, 800, 1200]
    assert 'sizes="(max-width: 45rem) 100vw, 45rem"' in tag
    assert 'alt="Stalls of vegetables at the new market"' in tag
    assert 'loading="lazy"' in tag
    assert 'width="800" height="600"' in tag  # the size of the rendition in src
    assert src == srcset[1][0]
    assert item.image.url not in page  # never the uploaded original
    for url, width in srcset:
        with Image.open(media_path(url)) as rendition:
            assert rendition.format == "WEBP"
            assert rendition.size == (width, width * 3 // 4)


def test_a_small_image_is_not_enlarged(staff_client, db):
    item = add_news_via_admin(
        staff_client,
        image=image_upload(image_bytes((640, 480)), "market.png"),
        image_alt_en="Stalls of vegetables at the new market",
    )

    tag, src, srcset = srcset_of(markup(Client().get(item.get_absolute_url())))
    assert [width for _, width in srcset] == [480, 640]
    assert 'width="640" height="480"' in tag
    with Image.open(media_path(src)) as rendition:
        assert (rendition.format, rendition.size) == ("WEBP", (640, 480))


def test_a_phone_photo_turned_by_its_exif_orientation_is_shown_upright(staff_client, db):
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright, the pixels lie sideways
    item = add_news_via_admin(
        staff_client,
        image=image_upload(image_bytes((1600, 1200), "JPEG", exif), "upright.jpg", "image/jpeg"),
        image_alt_en="The new market hall",
    )

    assert (item.image_width, item.image_height) == (1200, 1600)
    tag, src, srcset = srcset_of(markup(Client().get(item.get_absolute_url())))
    assert [width for _, width in srcset] == [480, 800, 1200]
    assert 'width="800" height="1067"' in tag
    for url, width in srcset:
        with Image.open(media_path(url)) as rendition:
            assert rendition.width == width
            assert rendition.height == round(width * 4 / 3)


def test_a_municipality_image_uses_the_same_renditions(staff_client, db):
    municipality = municipality_with_image(staff_client)

    page = markup(Client().get(municipality.get_absolute_url()))
    tag, src, srcset = srcset_of(page)
    assert [width for _, width in srcset] == [480, 640]
    assert 'alt="The town hall"' in tag
    assert municipality.image.url not in page


def test_news_and_municipality_images_are_stored_in_their_own_folders(staff_client, db):
    year = timezone.localtime().year
    item = news_item_with_image(staff_client)
    municipality = municipality_with_image(staff_client)

    assert item.image.name == f"news/images/{year}/market.png"
    assert municipality.image.name == f"partners/{year}/town.png"


def test_an_image_gone_from_disk_does_not_break_the_page(staff_client, db):
    item = news_item_with_image(staff_client)
    item.image.storage.delete(item.image.name)
    fresh = NewsItem.objects.get(pk=item.pk)
    for width in (480, 800, 1200):
        rendition = getattr(fresh, f"image_{width}")
        rendition.storage.delete(rendition.name)
    cache.clear()  # where imagekit remembers which renditions exist

    response = Client().get(item.get_absolute_url())
    assert response.status_code == 200
    assert 'class="news-image"' not in markup(response)
