"""Library images' renditions (library/renditions.py, library/images.py, {% picture %}): real
image files saved through the model into a real database and media folder, the renditions
opened with Pillow and their pixels read.

Each test photo is a plain background with one bright red square: where the square lands in
a rendition shows where the crop was taken."""

import io
import logging
import os
from html.parser import HTMLParser

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import translation
from PIL import ExifTags, ImageChops, ImageDraw, features
from PIL import Image as PILImage

from library import renditions
from library.models import Image, Rendition

pytestmark = pytest.mark.django_db

RED = (230, 20, 30)
PATCH = 120  # pixels, in the original


def photo(size, patch_centre, fmt="PNG", orientation=None):
    """A picture of `size` as displayed, a red square centred at `patch_centre` (pixels). With
    an EXIF `orientation` of 6, the pixels are stored turned a quarter to the left (as a camera
    held upright writes them), so that only the orientation tag puts them right."""
    picture = PILImage.new("RGB", size, (70, 110, 140))
    draw = ImageDraw.Draw(picture)
    # Some structure, so that the encoders have something to do.
    for x in range(0, size[0], 200):
        draw.line((x, 0, x, size[1]), fill=(90, 130, 90), width=6)
    x, y = patch_centre
    half = PATCH // 2
    draw.rectangle((x - half, y - half, x + half - 1, y + half - 1), fill=RED)
    options = {}
    if orientation == 6:
        picture = picture.transpose(PILImage.Transpose.ROTATE_90)
        exif = PILImage.Exif()
        exif[ExifTags.Base.Orientation] = 6
        options["exif"] = exif.tobytes()
    buffer = io.BytesIO()
    picture.save(buffer, fmt, **options)
    return buffer.getvalue()


def make_image(content, name="market.png", focal=(50, 50), **extra):
    image = Image(
        title=extra.pop("title", "Market day"),
        alt_en=extra.pop("alt_en", "Stalls at the market in Siem Reap"),
        file=ContentFile(content, name=name),
        focal_x=focal[0],
        focal_y=focal[1],
        **extra,
    )
    image.save()
    return image


def open_rendition(name):
    with default_storage.open(name, "rb") as handle:
        picture = PILImage.open(handle)
        picture.load()
    return picture.convert("RGB")


def patch_box(picture):
    """The bounding box of the red square's pixels in `picture` (lossy encoders blur its edges
    a little; the thresholds leave them out)."""
    red, green, blue = picture.split()
    mask = ImageChops.multiply(
        red.point(lambda v: 255 if v > 170 else 0),
        ImageChops.multiply(
            green.point(lambda v: 255 if v < 90 else 0), blue.point(lambda v: 255 if v < 100 else 0)
        ),
    )
    return mask.getbbox()


def patch_centre(picture):
    """Where the red square's centre is, as fractions of the picture's width and height."""
    box = patch_box(picture)
    assert box, "the red square is not in the rendition"
    left, top, right, bottom = box
    return ((left + right) / 2 / picture.width, (top + bottom) / 2 / picture.height)


def rendition(image, spec, fmt, width=None):
    rows = image.renditions.filter(spec=spec, format=fmt).order_by("-width")
    if width:
        rows = rows.filter(width=width)
    return rows.first()


def formats():
    return ["avif", "webp"] if features.check("avif") else ["webp"]


# Crops around the focal point -------------------------------------------------------------------

# (size, the square's centre in pixels, {spec: where its centre lands, as fractions}). The
# crop's free axis puts the square in the middle (0.5) unless an edge stops it; along the other
# axis the crop is the whole image, so the square stays where it is in the original.
CASES = {
    "square": (
        (3000, 3000),
        (1800, 1350),
        {
            "card": (0.6, 0.5),
            "header": (0.6, 0.5),
            "social": (0.6, 0.5),
            "full": (0.6, 0.45),
        },
    ),
    "wide, near the left edge": (
        (4000, 1500),
        (1200, 900),
        {
            "card": (0.5, 0.6),  # 2250 wide: room to centre it
            "header": (1200 / 2667, 0.6),  # 2667 wide: the left edge stops it at 0.45
            "social": (1200 / 2857, 0.6),  # 2857 wide: 0.42
            "full": (0.3, 0.6),
        },
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_each_place_crops_around_the_focal_point(case):
    size, centre, expected = CASES[case]
    focal = (round(centre[0] * 100 / size[0]), round(centre[1] * 100 / size[1]))
    image = make_image(photo(size, centre), focal=focal)
    assert (image.width, image.height) == size
    for spec, (x, y) in expected.items():
        for fmt in ["jpeg"] if spec == "social" else formats():
            row = rendition(image, spec, fmt)
            picture = open_rendition(row.file.name)
            assert picture.size == (row.width, row.height)
            found_x, found_y = patch_centre(picture)
            assert found_x == pytest.approx(x, abs=0.015), (spec, fmt)
            assert found_y == pytest.approx(y, abs=0.015), (spec, fmt)
            # The pixels around the point are the square's, the ones well away from it not.
            px, py = round(x * picture.width), round(y * picture.height)
            red, green, blue = picture.getpixel((px, py))
            assert red > 180 and green < 80 and blue < 90, (spec, fmt)
            far = picture.getpixel(((px + picture.width // 2) % picture.width, py))
            assert far[0] < 150, (spec, fmt)


def test_the_shapes_and_sizes_of_each_place():
    image = make_image(photo((3000, 2000), (1500, 1000)))
    made = {(r.spec, r.format): [] for r in image.renditions.all()}
    for row in image.renditions.order_by("width"):
        made[(row.spec, row.format)].append((row.width, row.height))
        assert open_rendition(row.file.name).size == (row.width, row.height)
    for fmt in formats():
        assert made[("card", fmt)] == [(400, 267), (800, 533)]
        assert made[("header", fmt)] == [(800, 450), (1200, 675), (1600, 900)]
        assert made[("full", fmt)] == [(480, 320), (800, 533), (1200, 800)]
    assert made[("social", "jpeg")] == [(1200, 630)]
    assert set(made) == {
        (spec, fmt) for spec in ("card", "header", "full") for fmt in formats()
    } | {("social", "jpeg")}


def test_the_exif_orientation_is_applied_before_cropping():
    # Displayed 3000 × 1500 (stored 1500 × 3000, turned by its EXIF tag), the square right of
    # the middle at mid-height.
    content = photo((3000, 1500), (1800, 750), fmt="JPEG", orientation=6)
    with PILImage.open(io.BytesIO(content)) as stored:
        assert stored.size == (1500, 3000)
    image = make_image(content, name="upright.jpg", focal=(60, 50))
    assert (image.width, image.height) == (3000, 1500)
    card = open_rendition(rendition(image, "card", "webp").file.name)  # 2250 × 1500 crop
    assert card.size == (800, 533)
    assert patch_centre(card) == pytest.approx((0.5, 0.5), abs=0.015)
    full = open_rendition(rendition(image, "full", "webp").file.name)
    assert full.size == (1200, 600)
    assert patch_centre(full) == pytest.approx((0.6, 0.5), abs=0.015)


def test_a_small_original_is_never_enlarged():
    image = make_image(photo((600, 400), (300, 200)), focal=(50, 50))
    rows = list(image.renditions.all())
    assert rows
    for row in rows:
        picture = open_rendition(row.file.name)
        assert picture.size == (row.width, row.height)
        assert row.width <= 600 and row.height <= 400
    widths = {
        (r.spec, r.format): sorted(
            x.width for x in rows if (x.spec, x.format) == (r.spec, r.format)
        )
        for r in rows
    }
    assert widths[("card", "webp")] == [400]  # 800 would be wider than the original
    assert widths[("header", "webp")] == [600]  # the crop's own width, not 800
    assert widths[("full", "webp")] == [480]
    assert widths[("social", "jpeg")] == [600]  # 600 × 315, the card's shape, not enlarged
    assert (rendition(image, "social", "jpeg").height) == 315
    card = renditions.picture(image, "card")
    assert card.srcset.count(" 400w") == 1 and "800w" not in card.srcset
    assert (card.width, card.height) == (400, 267)


@pytest.mark.skipif(not features.check("avif"), reason="this Pillow cannot write AVIF")
def test_avif_and_webp_are_both_made():
    image = make_image(photo((1700, 1000), (850, 500)))
    for spec in ("card", "header", "full"):
        avif = rendition(image, spec, "avif")
        webp = rendition(image, spec, "webp")
        assert avif.width == webp.width
        with default_storage.open(avif.file.name, "rb") as handle:
            assert handle.read(12)[4:12] in (b"ftypavif", b"ftypavis")
        with default_storage.open(webp.file.name, "rb") as handle:
            head = handle.read(12)
            assert head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    social = rendition(image, "social", "jpeg")
    with default_storage.open(social.file.name, "rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"
    sources = dict(renditions.picture(image, "header").sources)
    assert list(sources) == ["image/avif", "image/webp"]


# Made once, removed when no longer named -------------------------------------------------------


def stored_state(image):
    """Each rendition row's file and the file's modification time in nanoseconds."""
    return {
        row.pk: (row.file.name, os.stat(default_storage.path(row.file.name)).st_mtime_ns)
        for row in image.renditions.all()
    }


def test_saving_again_makes_nothing_again():
    image = make_image(photo((1700, 1000), (850, 500)))
    before = stored_state(image)
    assert len(before) == len(renditions.planned(image))
    image.title = "Market day in Siem Reap"
    image.save()
    Image.objects.get(pk=image.pk).save()
    assert stored_state(image) == before


def test_moving_the_focal_point_makes_new_renditions_and_removes_the_old(
    django_capture_on_commit_callbacks,
):
    image = make_image(photo((3000, 3000), (600, 600)), focal=(20, 20))
    old = {row.file.name for row in image.renditions.all()}
    assert all(default_storage.exists(name) for name in old)
    old_card = renditions.picture(image, "card")

    with django_capture_on_commit_callbacks(execute=True):
        image.focal_x, image.focal_y = 70, 80
        image.save()

    new = {row.file.name for row in image.renditions.all()}
    assert new and not new & old
    assert all(default_storage.exists(name) for name in new)
    assert not any(default_storage.exists(name) for name in old)
    assert set(image.renditions.values_list("focal_x", "focal_y")) == {(70, 80)}
    assert renditions.picture(image, "card").src != old_card.src
    # The red square is at (20 %, 20 %): the card now crops around (70 %, 80 %), away from it.
    card = open_rendition(rendition(image, "card", "webp").file.name)
    assert patch_box(card) is None


def test_replacing_the_file_makes_new_renditions(django_capture_on_commit_callbacks):
    image = make_image(photo((1700, 1000), (850, 500)))
    old = {row.file.name for row in image.renditions.all()}
    with django_capture_on_commit_callbacks(execute=True):
        image.file = ContentFile(photo((1000, 1600), (500, 800)), name="market.png")
        image.save()
    assert (image.width, image.height) == (1000, 1600)
    new = {row.file.name for row in image.renditions.all()}
    assert new and not new & old
    assert not any(default_storage.exists(name) for name in old)
    full = rendition(image, "full", "webp")
    assert (full.width, full.height) == (800, 1280)


def test_deleting_the_image_removes_its_renditions(django_capture_on_commit_callbacks):
    image = make_image(photo((1700, 1000), (850, 500)))
    names = [row.file.name for row in image.renditions.all()]
    with django_capture_on_commit_callbacks(execute=True):
        Image.objects.filter(pk=image.pk).delete()  # as the admin's bulk action deletes
    assert not Rendition.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_make_renditions_makes_what_is_missing():
    image = make_image(photo((1700, 1000), (850, 500)))
    rows = list(image.renditions.order_by("pk"))
    default_storage.delete(rows[0].file.name)  # a file lost, its row kept
    rows[1].delete()  # a row lost, its file kept
    Image.objects.filter(pk=image.pk).update(width=0, height=0)  # a size never read
    out = io.StringIO()
    call_command("make_renditions", stdout=out)
    image.refresh_from_db()
    assert (image.width, image.height) == (1700, 1000)
    assert {row.file.name for row in image.renditions.all()} == {
        item.name for item in renditions.planned(image)
    }
    assert all(default_storage.exists(item.name) for item in renditions.planned(image))
    assert "2 renditions made" in out.getvalue()
    out = io.StringIO()
    call_command("make_renditions", stdout=out)
    assert "0 renditions made" in out.getvalue()


def test_cleanup_files_keeps_the_renditions_of_images_and_removes_the_others():
    kept = make_image(photo((1700, 1000), (850, 500)))
    gone = make_image(photo((1700, 1000), (850, 500)), name="gone.png")
    kept_names = [item.name for item in renditions.planned(kept)]
    gone_names = [row.file.name for row in gone.renditions.all()]
    # Files whose rows are not there (a save not yet committed when the command lists rows):
    # still named by the image, so kept.
    kept.renditions.filter(spec="card").delete()
    # An image deleted whose files were left behind (its deletion's on_commit never ran here).
    gone.delete()
    # A rendition for a focal point the image no longer has.
    stale = kept_names[0].replace(f"-{kept.focal_x}-{kept.focal_y}-", "-10-10-")
    default_storage.save(stale, ContentFile(b"old"))
    assert all(default_storage.exists(name) for name in [*kept_names, *gone_names, stale])

    call_command("cleanup_files", stdout=io.StringIO())

    assert all(default_storage.exists(name) for name in kept_names)
    assert default_storage.exists(kept.file.name)
    assert not any(default_storage.exists(name) for name in [*gone_names, stale])


# A file that cannot be read --------------------------------------------------------------------


def test_a_corrupt_file_is_logged_and_shows_nothing(caplog):
    caplog.set_level(logging.WARNING, logger="library")
    image = make_image(b"\x89PNG\r\n\x1a\n not really a picture", name="broken.png")
    assert (image.width, image.height) == (0, 0)
    assert not image.renditions.exists()
    assert "Could not read the size of image file" in caplog.text
    assert renditions.picture(image, "card") is None
    html = Template('{% load library %}[{% picture image "card" %}]').render(
        Context({"image": image})
    )
    assert html == "[]"
    assert "has no known size" in caplog.text
    errors = io.StringIO()
    call_command("make_renditions", stdout=io.StringIO(), stderr=errors)
    assert f"Image {image.pk}: its file {image.file.name} cannot be read." in errors.getvalue()


def test_a_place_that_does_not_exist_is_a_clear_error():
    image = make_image(photo((900, 600), (450, 300)))
    with pytest.raises(ValueError, match="No rendition spec 'banner': one of card, header"):
        renditions.picture(image, "banner")


def test_a_file_broken_after_upload_still_renders(caplog, django_capture_on_commit_callbacks):
    image = make_image(photo((1700, 1000), (850, 500)))
    with default_storage.open(image.file.name, "wb") as handle:
        handle.write(b"garbage")
    caplog.set_level(logging.WARNING, logger="library")
    with django_capture_on_commit_callbacks(execute=True):
        image.focal_x = 10
        image.save()  # the new renditions cannot be made: logged, the save goes through
    assert "Could not read image file" in caplog.text
    assert Image.objects.get(pk=image.pk).focal_x == 10
    assert not image.renditions.exists()
    html = Template('{% load library %}{% picture image "card" %}').render(
        Context({"image": image})
    )
    assert html.startswith("<picture>")  # its addresses answer 404 until it is fixed


# The template tag ------------------------------------------------------------------------------


class Elements(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.found = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))

    def all(self, tag):
        return [attrs for name, attrs in self.found if name == tag]


def render(template, **context):
    return Template("{% load library %}" + template).render(Context(context))


def test_picture_markup():
    image = make_image(photo((3000, 2000), (1500, 1000)))
    html = render(
        '{% picture image "card" sizes="(max-width: 30rem) 100vw, 25rem" class="card-image" %}',
        image=image,
    )
    elements = Elements(html)
    assert [name for name, _ in elements.found] == ["picture"] + ["source"] * len(formats()) + [
        "img"
    ]
    sources = elements.all("source")
    assert [source["type"] for source in sources] == [f"image/{fmt}" for fmt in formats()]
    for source, fmt in zip(sources, formats(), strict=True):
        urls = [part.strip().split(" ") for part in source["srcset"].split(",")]
        assert [width for _url, width in urls] == ["400w", "800w"]
        for url, width in urls:
            assert url.startswith("/media/library/renditions/") and url.endswith(f".{fmt}")
            name = url.removeprefix("/media/")
            assert default_storage.exists(name)
            assert open_rendition(name).width == int(width[:-1])
        assert source["sizes"] == "(max-width: 30rem) 100vw, 25rem"
    (img,) = elements.all("img")
    assert img["src"].endswith("-card-50-50-800.webp")
    assert img["srcset"] == sources[-1]["srcset"]
    assert (img["width"], img["height"]) == ("800", "533")
    assert img["alt"] == "Stalls at the market in Siem Reap" and "lang" not in img
    assert img["class"] == "card-image"
    assert img["loading"] == "lazy" and img["decoding"] == "async"

    header = Elements(render('{% picture image "header" loading="eager" %}', image=image))
    (img,) = header.all("img")
    assert (img["width"], img["height"], img["sizes"]) == ("1200", "675", "100vw")
    assert img["loading"] == "eager" and "class" not in img


def test_picture_alt_text_in_the_readers_language_or_english_marked():
    image = make_image(photo((1700, 1000), (850, 500)), alt_fr="")
    with translation.override("fr"):
        (img,) = Elements(render('{% picture image "full" %}', image=image)).all("img")
    assert img["alt"] == "Stalls at the market in Siem Reap" and img["lang"] == "en"
    image.alt_fr = "Des étals au marché de Siem Reap"
    image.save()
    with translation.override("fr"):
        (img,) = Elements(render('{% picture image "full" %}', image=image)).all("img")
    assert img["alt"] == "Des étals au marché de Siem Reap" and "lang" not in img
    (img,) = Elements(render('{% picture image "full" alt="" %}', image=image)).all("img")
    assert img["alt"] == "" and "lang" not in img


def test_no_image_renders_nothing():
    assert render('[{% picture None "card" %}][{% picture image "header" %}]', image=None) == "[][]"
    assert render("[{% social_url None %}]") == "[]"


def test_social_url():
    image = make_image(photo((3000, 2000), (1500, 1000)))
    url = render("{% social_url image %}", image=image)
    assert url == renditions.social_url(image)
    assert url.startswith("/media/library/renditions/") and url.endswith("-social-50-50-1200.jpg")
    assert open_rendition(url.removeprefix("/media/")).size == (1200, 630)


def test_rendering_pictures_costs_no_query_per_image():
    images = [make_image(photo((900, 600), (450, 300)), title=f"Image {n}") for n in range(5)]
    template = Template(
        '{% load library %}{% for image in images %}{% picture image "card" %}'
        '{% picture image "header" %}{% social_url image %}{% endfor %}'
    )

    def queries(count):
        with CaptureQueriesContext(connection) as captured:
            chosen = list(Image.objects.filter(pk__in=[i.pk for i in images[:count]]))
            html = template.render(Context({"images": chosen}))
        assert html.count("<picture>") == 2 * count
        return len(captured)

    assert queries(1) == queries(5) == 1


def test_rendering_pictures_of_rows_that_point_at_images_costs_one_query():
    """As a page loads its items with select_related("image") (Rendition points at Image as a
    content item's image field does)."""
    images = [make_image(photo((900, 600), (450, 300)), title=f"Image {n}") for n in range(4)]
    template = Template(
        '{% load library %}{% for row in rows %}{% picture row.image "card" %}{% endfor %}'
    )

    def queries(count):
        rows = Rendition.objects.filter(
            spec="social", image__in=[image.pk for image in images[:count]]
        ).select_related("image")
        with CaptureQueriesContext(connection) as captured:
            html = template.render(Context({"rows": rows}))
        assert html.count("<picture>") == count
        return len(captured)

    assert queries(1) == queries(4) == 1


# On a page, through HTTP -----------------------------------------------------------------------


def test_a_news_page_with_a_corrupt_image_file_answers_200(client, uncached, caplog):
    from .helpers import make_news

    caplog.set_level(logging.WARNING, logger="library")
    broken = make_image(b"GIF89a broken", name="broken.gif")
    item = make_news("Broken picture", image=broken)
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert b"<picture>" not in response.content
    assert "has no known size" in caplog.text

    # A file that was fine when uploaded and broke later: the page still shows the renditions.
    fine = make_image(photo((1700, 1000), (850, 500)))
    with default_storage.open(fine.file.name, "wb") as handle:
        handle.write(b"garbage")
    fine.title = "Saved again with its file broken"
    fine.save()
    item.image = fine
    item.save()
    response = client.get(item.get_absolute_url())
    assert response.status_code == 200
    assert response.content.count(b"<picture>") == 1


def test_a_french_page_marks_the_english_alt_text(client, uncached):
    from .helpers import make_news

    image = make_image(photo((1700, 1000), (850, 500)), alt_fr="")
    item = make_news("Market", image=image)
    with translation.override("fr"):
        url = item.get_absolute_url()
    assert url.startswith("/fr/")
    response = client.get(url)
    assert response.status_code == 200
    pictures = [
        attrs for attrs in Elements(response.content.decode()).all("img") if "srcset" in attrs
    ]
    assert len(pictures) == 1
    assert pictures[0]["alt"] == "Stalls at the market in Siem Reap"
    assert pictures[0]["lang"] == "en"
