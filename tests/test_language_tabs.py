"""A change form's languages as sections (editorial/language_tabs.py), as the server draws them:
what a browser without JavaScript shows, and what language-tabs.js turns into tabs. One section
per language, English first, holding that language's column of every translated field in the
form's order; the other fields stay in their fieldsets. A language lacking text where the saved
English has some is marked, with a count. The form still saves every language."""

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from library.models import Image
from news.models import NewsItem
from pages.models import SiteSettings

from .helpers import (
    admin_form_data,
    change_url,
    form_errors,
    make_document,
    make_library_image,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    markup,
    visible_text,
)


class Sections(HTMLParser):
    """The form's fieldsets in order: for a language section its id, classes, legend and the
    names of its fields; for another fieldset, the names of its fields."""

    def __init__(self):
        super().__init__()
        self.fieldsets = []  # [attributes, legend, names]
        self.open = []  # the fieldsets being read: the outermost collects
        self.in_legend = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "fieldset":
            if not self.open:
                self.fieldsets.append([attrs, "", []])
            self.open.append(tag)
        elif tag == "legend" and self.open:
            self.in_legend = True
        elif (
            tag in {"input", "textarea", "select"}
            and self.open
            and attrs.get("name")
            and attrs.get("type") != "hidden"
        ):
            self.fieldsets[-1][2].append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "fieldset" and self.open:
            self.open.pop()
        elif tag == "legend":
            self.in_legend = False

    def handle_data(self, data):
        if self.in_legend:
            self.fieldsets[-1][1] += data

    @classmethod
    def of(cls, response):
        parser = cls()
        parser.feed(markup(response))
        return parser

    @property
    def languages(self):
        return {
            attrs["id"].removeprefix("language-"): {
                "classes": attrs["class"].split(),
                "legend": " ".join(legend.split()),
                "fields": names,
                "data": attrs,
            }
            for attrs, legend, names in self.fieldsets
            if "language-section" in attrs.get("class", "")
        }

    def order(self):
        return [
            attrs.get("id", "other")
            for attrs, _legend, _names in self.fieldsets
            if "language-section" in attrs.get("class", "") or attrs.get("aria-labelledby")
        ]


@pytest.fixture
def item(db):
    return make_news(
        "Kampot councils plan their water budget",
        published=False,
        summary="Three councils planned their budget.",
        body="<p>The councils met in March.</p>",
        title_fr="Les communes de Kampot planifient leur budget de l'eau",
    )


def test_a_news_items_form_has_a_section_per_language_english_first(staff_client, item):
    response = staff_client.get(change_url(item))
    assert response.status_code == 200
    sections = Sections.of(response)
    languages = sections.languages
    assert list(languages) == ["en", "fr", "km"]
    for lang, section in languages.items():
        # Every translated field's column in that language, in the form's order.
        assert section["fields"] == [
            f"title_{lang}",
            f"summary_{lang}",
            f"body_{lang}",
            f"meta_description_{lang}",
        ]
        assert section["data"]["data-lang"] == lang
        assert section["data"]["data-fields"] == "title summary body meta_description"
    assert languages["en"]["legend"] == "English"
    assert languages["fr"]["legend"].startswith("Français")
    assert languages["km"]["legend"].startswith("ខ្មែរ")
    # The sections come where the title was: after the first fieldset (kind, slug), before the
    # image; the search engines' fieldset had only a translated field and is gone.
    fields_outside = [name for attrs, _l, names in sections.fieldsets for name in names]
    assert "slug" in sections.fieldsets[0][2] and "kind" in sections.fieldsets[0][2]
    assert not any(name.startswith("title_") for name in sections.fieldsets[0][2])
    ids = [attrs.get("id") for attrs, _legend, _names in sections.fieldsets]
    assert ids[1:4] == ["language-en", "language-fr", "language-km"]
    assert "Search engines and sharing" not in visible_text(response)
    assert "Image" in visible_text(response)
    # Every field once, nowhere else.
    assert fields_outside.count("title_fr") == 1
    # The script and its styles come with the form (static files: no inline code).
    page = markup(response)
    assert "/static/editorial/language-tabs.js" in page
    assert "/static/editorial/language-tabs.css" in page


def test_a_language_lacking_text_where_english_has_some_is_marked_with_a_count(staff_client, item):
    languages = Sections.of(staff_client.get(change_url(item))).languages
    assert "language-missing" not in languages["en"]["classes"]
    assert "to translate" not in languages["en"]["legend"]
    # French has its title, not the summary nor the body; the description is empty in English.
    assert "language-missing" in languages["fr"]["classes"]
    assert languages["fr"]["legend"] == "Français — 2 to translate"
    assert languages["fr"]["data"]["data-missing"] == "2"
    assert languages["km"]["legend"] == "ខ្មែរ — 3 to translate"
    # For the script that updates the marks while the translator types.
    assert languages["fr"]["data"]["data-mark-one"] == "1 to translate"
    assert languages["fr"]["data"]["data-mark-many"] == "%(count)d to translate"

    NewsItem.objects.filter(pk=item.pk).update(
        summary_fr="Trois communes ont planifié leur budget.", body_fr="<p>En mars.</p>"
    )
    languages = Sections.of(staff_client.get(change_url(item))).languages
    assert languages["fr"]["classes"] == ["module", "language-section"]
    assert languages["fr"]["legend"] == "Français"
    # One left: the singular.
    NewsItem.objects.filter(pk=item.pk).update(title_km="ទឹកសម្រាប់កំពត", summary_km="ក", body_km="")
    languages = Sections.of(staff_client.get(change_url(item))).languages
    assert languages["km"]["legend"] == "ខ្មែរ — 1 to translate"


def test_blank_text_counts_as_missing_and_an_empty_english_asks_nothing(staff_client, item):
    NewsItem.objects.filter(pk=item.pk).update(
        summary_fr="   ", body_fr="<p>En mars.</p>", meta_description_fr="Une description"
    )
    languages = Sections.of(staff_client.get(change_url(item))).languages
    assert languages["fr"]["legend"] == "Français — 1 to translate"


def test_the_add_form_has_the_sections_and_no_marks(staff_client, db):
    response = staff_client.get(reverse("admin:news_newsitem_add"))
    languages = Sections.of(response).languages
    assert list(languages) == ["en", "fr", "km"]
    assert all("language-missing" not in section["classes"] for section in languages.values())


def test_a_live_items_form_marks_what_its_draft_lacks(staff_client, db):
    """A live item's form shows its draft (editorial/drafts_admin.py): the marks are the
    draft's, so a French text saved into the draft takes the French mark away."""
    live = make_news("Water for Kampot", summary="Clean water.", body="<p>Wells.</p>")
    response = staff_client.get(change_url(live))
    assert "language-missing" in Sections.of(response).languages["fr"]["classes"]
    data = admin_form_data(response)
    data.update(title_fr="De l'eau pour Kampot", summary_fr="De l'eau propre.")
    data["body_fr"] = "<p>Des puits.</p>"
    data["_continue"] = "1"
    saved = staff_client.post(change_url(live), data)
    assert saved.status_code == 302, form_errors(saved)
    live.refresh_from_db()
    assert not live.title_fr  # kept in the draft until a publisher publishes it
    languages = Sections.of(staff_client.get(change_url(live))).languages
    assert "language-missing" not in languages["fr"]["classes"]
    assert "language-missing" in languages["km"]["classes"]


def test_the_form_without_javascript_saves_every_language(staff_client, item):
    response = staff_client.get(change_url(item))
    data = admin_form_data(response)
    data.update(
        title_en="Kampot councils plan their water budget",
        summary_fr="Trois communes ont planifié leur budget.",
        body_fr="<p>Les communes se sont réunies en mars.</p>",
        title_km="ឃុំកំពតរៀបចំថវិកាទឹក",
        summary_km="ឃុំបីបានរៀបចំថវិកា។",
        body_km="<p>ឃុំបានជួបគ្នានៅខែមីនា។</p>",
        meta_description_en="How three councils plan their water budget.",
    )
    saved = staff_client.post(change_url(item), data)
    assert saved.status_code == 302, form_errors(saved)
    item.refresh_from_db()
    assert item.summary_fr == "Trois communes ont planifié leur budget."
    assert item.body_fr == "<p>Les communes se sont réunies en mars.</p>"
    assert item.title_km == "ឃុំកំពតរៀបចំថវិកាទឹក"
    assert item.body_km == "<p>ឃុំបានជួបគ្នានៅខែមីនា។</p>"
    assert item.meta_description_en == "How three councils plan their water budget."
    languages = Sections.of(staff_client.get(change_url(item))).languages
    # French and Khmer now lack only the description, which English has now.
    assert languages["fr"]["legend"] == "Français — 1 to translate"
    assert languages["km"]["legend"] == "ខ្មែរ — 1 to translate"


def test_a_failed_save_keeps_the_sections_and_the_typed_text(staff_client, item):
    data = admin_form_data(staff_client.get(change_url(item)))
    data.update(title_en="", summary_fr="Trois communes.")
    response = staff_client.post(change_url(item), data)
    assert response.status_code == 200
    languages = Sections.of(response).languages
    assert list(languages) == ["en", "fr", "km"]
    page = markup(response)
    assert "Trois communes." in page
    # The error is inside the English section, where the script looks for it.
    english = page[page.index('id="language-en"') : page.index('id="language-fr"')]
    assert "errorlist" in english


def test_inline_rows_keep_their_languages_side_by_side(staff_client, item):
    """An article row of a news item (an inline) is not split: its title columns stay in it."""
    languages = Sections.of(staff_client.get(change_url(item))).languages
    assert not any(
        name.startswith("articles-") for section in languages.values() for name in section["fields"]
    )


@pytest.mark.parametrize(
    ("make", "first_fields"),
    [
        (lambda: make_page("Water"), ["title", "nav_title", "summary", "body"]),
        (lambda: make_municipality("Kampot"), ["summary", "description", "meta_description"]),
        (
            lambda: make_partnership(
                make_municipality("Brandon"),
                make_municipality("Kampot", country="KH"),
            ),
            None,
        ),
        (lambda: make_library_image(title="A field", alt_en="Rice"), ["alt"]),
        (lambda: make_document("A report"), ["title"]),
        (lambda: SiteSettings.load(), ["site_name", "short_name", "tagline", "footer_text"]),
    ],
    ids=["program page", "municipality", "partnership", "image", "document", "site settings"],
)
def test_every_translated_change_form_has_the_sections(staff_client, db, make, first_fields):
    obj = make()
    response = staff_client.get(change_url(obj))
    assert response.status_code == 200
    languages = Sections.of(response).languages
    assert list(languages) == ["en", "fr", "km"]
    fields = languages["fr"]["data"]["data-fields"].split()
    if first_fields:
        assert fields[: len(first_fields)] == first_fields
    assert languages["km"]["fields"][0].endswith("_km")


def test_an_image_form_without_english_alt_text_asks_nothing(staff_client, db):
    image = make_library_image(title="A field")
    Image.objects.filter(pk=image.pk).update(alt_en="")
    languages = Sections.of(staff_client.get(change_url(image))).languages
    assert all("language-missing" not in section["classes"] for section in languages.values())


def test_a_change_list_does_not_load_the_tabs(staff_client, item):
    page = markup(staff_client.get(reverse("admin:news_newsitem_changelist")))
    assert "language-tabs.js" not in page


# The Khmer font in the admin ---------------------------------------------------------------------


def test_every_admin_page_loads_the_sites_khmer_font(staff_client, item):
    for url in [
        reverse("admin:index"),
        reverse("admin:news_newsitem_changelist"),
        change_url(item),
    ]:
        assert '<link rel="stylesheet" href="/static/css/admin-khmer.css">' in markup(
            staff_client.get(url)
        )
    css = Path(finders.find("css/admin-khmer.css")).read_text(encoding="utf-8")
    for weight in ["400", "700"]:
        font = f"fonts/noto-sans-khmer-khmer-{weight}-normal.woff2"
        assert f'url("../{font}")' in css
        assert finders.find(font)
    assert '"Noto Sans Khmer",\n    sans-serif' in css
