"""Items show images chosen from the media library (issue 17): uploaded once in the library's
admin, chosen by a news item and a municipality, shown at the top of both pages cropped around
the focal point staff set, and as the social card of a shared link. Through the admin and the
public pages as staff and readers use them; the renditions fetched at the addresses the pages
give and their pixels read."""

import io
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image as PILImage
from PIL import ImageDraw

from library.models import Image
from news.models import NewsItem
from pages.models import SiteSettings
from partners.models import Municipality

from .helpers import (
    add_news_via_admin,
    admin_form_data,
    assert_form_shown_again_with,
    change_url,
    form_errors,
    image_bytes,
    image_upload,
    make_library_image,
    make_municipality,
    make_news,
    make_page,
    markup,
    news_post,
)

# The news form's documents inline, left empty.
EMPTY_DOCUMENTS = {
    "documents-TOTAL_FORMS": "0",
    "documents-INITIAL_FORMS": "0",
    "documents-MIN_NUM_FORMS": "0",
    "documents-MAX_NUM_FORMS": "1000",
}
RED = (230, 20, 30)
# A wide photo (3:1) with a red square off centre: 3000 × 1000 pixels, the square's centre at
# 67 % across and half way down, where staff put the focal point.
SIZE = (3000, 1000)
SUBJECT = (2010, 500)
FOCAL = (67, 50)


def photo():
    picture = PILImage.new("RGB", SIZE, (70, 110, 140))
    draw = ImageDraw.Draw(picture)
    x, y = SUBJECT
    draw.rectangle((x - 60, y - 60, x + 59, y + 59), fill=RED)
    buffer = io.BytesIO()
    picture.save(buffer, "PNG")
    return buffer.getvalue()


class Pictures(HTMLParser):
    """The <picture> elements of a page: each one's <source> srcsets and its <img>."""

    def __init__(self):
        super().__init__()
        self.pictures = []
        self.meta = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "picture":
            self.pictures.append({"sources": [], "img": None})
        elif tag == "source" and self.pictures:
            self.pictures[-1]["sources"].append(attrs)
        elif tag == "img" and self.pictures and self.pictures[-1]["img"] is None:
            self.pictures[-1]["img"] = attrs
        elif tag == "meta" and attrs.get("property"):
            self.meta[attrs["property"]] = attrs.get("content", "")


def parse(response):
    assert response.status_code == 200
    parser = Pictures()
    parser.feed(markup(response))
    return parser


def srcset_urls(srcset):
    return [entry.strip().rsplit(" ", 1)[0] for entry in srcset.split(",")]


def fetch_picture(client, url):
    """The rendition served at `url` (as a browser would ask for it), opened."""
    path = re.sub(r"^https?://[^/]+", "", url)
    response = client.get(path)
    assert response.status_code == 200, path
    content = b"".join(response.streaming_content) if response.streaming else response.content
    picture = PILImage.open(io.BytesIO(content))
    picture.load()
    return picture


def red_centre(picture):
    """Where the red square's centre is, as fractions of the width and the height."""
    rgb = picture.convert("RGB")
    width, height = rgb.size
    xs, ys = [], []
    for y in range(0, height, 2):
        for x in range(0, width, 2):
            r, g, b = rgb.getpixel((x, y))
            if r > 180 and g < 90 and b < 90:
                xs.append(x)
                ys.append(y)
    assert xs, "the subject is not in the crop"
    return (sum(xs) / len(xs) / width, sum(ys) / len(ys) / height)


def header_urls(page):
    """Every rendition address of the page's header picture: each <source>'s and the <img>'s."""
    assert len(page.pictures) == 1, page.pictures
    shown = page.pictures[0]
    urls = [shown["img"]["src"], *srcset_urls(shown["img"]["srcset"])]
    for source in shown["sources"]:
        urls += srcset_urls(source["srcset"])
    return shown, urls


def upload_via_library_admin(staff_client):
    add_url = reverse("admin:library_image_add")
    data = admin_form_data(staff_client.get(add_url))
    data.update(
        file=image_upload(photo(), "market-day.png"),
        title="Market day in Kang Meas",
        alt_en="Stalls of vegetables at the new market",
        alt_fr="Des étals de légumes au nouveau marché",
        focal_x="50",
        focal_y="50",
    )
    response = staff_client.post(add_url, data)
    assert response.status_code == 302, form_errors(response)
    return Image.objects.get()


def set_focal_point(staff_client, image, focal):
    data = admin_form_data(staff_client.get(change_url(image)))
    data.update(focal_x=str(focal[0]), focal_y=str(focal[1]))
    data.pop("file", None)  # keep the file
    response = staff_client.post(change_url(image), data)
    assert response.status_code == 302, form_errors(response)


def choose_for_municipality(staff_client, municipality, image):
    data = admin_form_data(staff_client.get(change_url(municipality)))
    data.update(image=str(image.pk), _publish_draft="Publish changes")
    response = staff_client.post(change_url(municipality), data)
    assert response.status_code == 302, form_errors(response)


def test_one_upload_on_a_news_item_and_a_municipality_cropped_around_its_focal_point(
    staff_client, db, serving_media
):
    image = upload_via_library_admin(staff_client)
    assert (image.width, image.height) == SIZE
    item = add_news_via_admin(staff_client, image=str(image.pk), **EMPTY_DOCUMENTS)
    municipality = make_municipality("Kang Meas District")
    choose_for_municipality(staff_client, municipality, image)
    assert NewsItem.objects.get(pk=item.pk).image == image
    assert Municipality.objects.get(pk=municipality.pk).image == image
    assert Image.objects.count() == 1  # one upload, used twice

    reader = Client()
    pages = [item.get_absolute_url(), municipality.get_absolute_url()]
    # The focal point in the middle: the subject, at 67 % across, is right of the crop's centre.
    for url in pages:
        _shown, urls = header_urls(parse(reader.get(url)))
        x, _y = red_centre(fetch_picture(reader, urls[0]))
        assert x > 0.7

    set_focal_point(staff_client, image, FOCAL)

    for url in pages:
        shown, urls = header_urls(parse(reader.get(url)))
        assert shown["img"]["alt"] == "Stalls of vegetables at the new market"
        assert {source["type"] for source in shown["sources"]} >= {"image/webp"}
        assert image.file.url not in urls  # never the uploaded original
        for rendition_url in urls:
            picture = fetch_picture(reader, rendition_url)
            assert picture.width / picture.height == pytest.approx(16 / 9, abs=0.01)
            x, y = red_centre(picture)
            assert x == pytest.approx(0.5, abs=0.02), rendition_url
            assert y == pytest.approx(0.5, abs=0.02), rendition_url

    # The shared link's card: 1200 × 630, the subject in its middle too.
    meta = parse(reader.get(item.get_absolute_url())).meta
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")
    assert meta["og:image:alt"] == "Stalls of vegetables at the new market"
    card = fetch_picture(reader, meta["og:image"])
    assert (card.format, card.size) == ("JPEG", (1200, 630))
    assert red_centre(card) == pytest.approx((0.5, 0.5), abs=0.02)


def test_the_alt_text_is_the_images_in_the_readers_language_or_english_marked(staff_client, db):
    image = make_library_image(alt_en="The town hall", alt_fr="L'hôtel de ville")
    item = make_news("With a picture", image=image)
    with translation.override("fr"):
        fr = parse(Client().get(item.get_absolute_url()))
    assert fr.pictures[0]["img"]["alt"] == "L'hôtel de ville"
    assert "lang" not in fr.pictures[0]["img"]
    with translation.override("km"):
        km = parse(Client().get(item.get_absolute_url()))
    assert km.pictures[0]["img"]["alt"] == "The town hall"
    assert km.pictures[0]["img"]["lang"] == "en"


def test_the_item_form_no_longer_asks_for_alt_text(staff_client, db):
    page = markup(staff_client.get(reverse("admin:news_newsitem_add")))
    assert 'name="image"' in page
    assert "image_alt" not in page
    page = markup(staff_client.get(reverse("admin:partners_municipality_add")))
    assert 'name="image"' in page
    assert "image_alt" not in page


@pytest.mark.parametrize("value", ["999999", "-1", "abc", "1 OR 1=1", "9" * 40])
def test_choosing_an_image_that_does_not_exist_is_refused(staff_client, db, value):
    response = staff_client.post(
        reverse("admin:news_newsitem_add"), news_post(image=value, **EMPTY_DOCUMENTS)
    )
    assert_form_shown_again_with(response)
    assert "image" in response.context["adminform"].form.errors
    assert not NewsItem.objects.exists()


def test_a_program_page_shows_its_header_image_and_shares_it(staff_client, db):
    image = make_library_image(image_bytes((1600, 1200)), alt_en="Rice fields")
    page = make_page("The LED framework", image=image)
    parsed = parse(Client().get(page.get_absolute_url()))
    assert parsed.pictures[0]["img"]["alt"] == "Rice fields"
    assert parsed.meta["og:image"].endswith(".jpg")
    assert parsed.meta["og:image:width"] == "1200"


def test_pages_without_an_image_share_the_site_settings_default_image(staff_client, db):
    page = make_page("The LED framework")
    meta = parse(Client().get(page.get_absolute_url())).meta
    assert meta["og:image"].endswith("/static/img/og-default.png")
    assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")

    card = make_library_image(image_bytes((1600, 900)), alt_en="The MPED logo")
    settings_url = reverse("admin:pages_sitesettings_change", args=[SiteSettings.load().pk])
    data = admin_form_data(staff_client.get(settings_url))
    data["share_image"] = str(card.pk)
    data["_publish_draft"] = "Publish changes"  # the settings' changes are a draft until then
    response = staff_client.post(settings_url, data)
    assert response.status_code == 302, form_errors(response)

    for url in ["/en/", page.get_absolute_url()]:
        meta = parse(Client().get(url)).meta
        assert "/media/library/renditions/" in meta["og:image"]
        assert meta["og:image"].endswith(".jpg")
        assert meta["og:image:alt"] == "The MPED logo"
        assert (meta["og:image:width"], meta["og:image:height"]) == ("1200", "630")


def test_an_image_whose_file_is_gone_does_not_break_the_page(db, media_root):
    image = make_library_image()
    item = make_news("With a picture", image=image)
    image.file.storage.delete(image.file.name)
    for rendition in image.renditions.all():
        rendition.file.storage.delete(rendition.file.name)

    response = Client().get(item.get_absolute_url())
    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_of",
    [
        lambda: make_news("Item", image=make_library_image()).get_absolute_url(),
        lambda: make_municipality("Town", image=make_library_image()).get_absolute_url(),
        lambda: make_page("Page", image=make_library_image()).get_absolute_url(),
    ],
    ids=["news item", "municipality", "program page"],
)
def test_a_page_with_an_image_asks_no_query_more_than_one_without(db, uncached, url_of):
    url = url_of()
    client = Client()
    client.get(url)  # sessions, content types: whatever a first request loads once
    with CaptureQueriesContext(connection) as with_image:
        assert client.get(url).status_code == 200
    model = {"news": NewsItem, "partners": Municipality}.get(url.split("/")[2])
    if model is not None:
        model.objects.update(image=None)
    else:
        from pages.models import ProgramPage

        ProgramPage.objects.update(image=None)
    with CaptureQueriesContext(connection) as without:
        assert client.get(url).status_code == 200
    assert len(with_image) == len(without)


def test_an_image_chosen_in_a_draft_of_a_live_item_shows_once_it_is_published(editor, publisher):
    """An editor's change to a live item waits in its draft (editorial/drafts.py): the draft
    holds the chosen image's number; readers see the new image once a publisher publishes."""
    old = make_library_image(name="old.png", alt_en="The old market")
    new = make_library_image(name="new.png", alt_en="The new market hall")
    item = make_news("Market halls", image=old)
    data = admin_form_data(editor.get(change_url(item)))
    data["image"] = str(new.pk)
    response = editor.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)

    from editorial import drafts

    assert drafts.draft_for(item).data["fields"]["image_id"] == new.pk
    assert NewsItem.objects.get(pk=item.pk).image == old
    reader = Client()
    shown = parse(reader.get(item.get_absolute_url())).pictures[0]["img"]
    assert shown["alt"] == "The old market"

    data = admin_form_data(publisher.get(change_url(item)))
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)
    assert NewsItem.objects.get(pk=item.pk).image == new
    shown = parse(reader.get(item.get_absolute_url())).pictures[0]["img"]
    assert shown["alt"] == "The new market hall"
