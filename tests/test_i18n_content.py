"""Content in English, French and Khmer (django-modeltranslation): staff write each text in
each language in the admin; readers see their language, or the English text marked with
lang="en" and a note that it is not yet translated; search, the demo content and the history
follow. Real requests through the test client, a real database."""

import html
import importlib
import re
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import get_language_info, gettext
from reversion.models import Version

from news.models import Kind, NewsItem
from pages.models import PageFigure, PagePoint, ProgramPage, SiteSettings
from partners.models import Country, Municipality
from website.menus import ensure_menus
from website.models import MenuLink, Target

from .helpers import (
    HOSTILE_HTML,
    add_news_via_admin,
    admin_form_data,
    change_url,
    form_errors,
    make_library_image,
    make_member,
    make_municipality,
    make_news,
    make_page,
    make_partnership,
    news_post,
    visible_text,
)

pytestmark = pytest.mark.usefixtures("uncached")

LANGUAGES = ["en", "fr", "km"]


def note(lang):
    """The note next to an English text shown for a missing translation, in `lang`."""
    with translation.override(lang):
        return f'<small class="translation-note">({gettext("Not yet translated")})</small>'


def block_note(lang):
    with translation.override(lang):
        return gettext("Not yet translated: the text below is in %(language)s.") % {
            "language": get_language_info("en")["name_translated"]
        }


# Helpers ----------------------------------------------------------------------------------------


def url_in(lang, viewname, *args):
    with translation.override(lang):
        return reverse(viewname, args=args)


def get_in(client, lang, viewname, *args, **params):
    """The page in `lang`: at its address in that language, asked for in that language (so it
    works with the language in the address or only in the browser's Accept-Language)."""
    return client.get(url_in(lang, viewname, *args), params, HTTP_ACCEPT_LANGUAGE=lang)


def markup(response):
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def main(response):
    """The page's main content, without the header and footer (the site's own texts)."""
    page = markup(response)
    return page[page.index("<main") : page.index("</main>")]


def untranslated(value):
    """How an English text shown for a missing translation appears in the page."""
    return f'<span class="untranslated" lang="en">{value}</span>'


def translated_item(**extra):
    item = make_news(
        "Market opens in Kang Meas",
        slug="market-opens",
        summary="A weekly market for local farmers.",
        body="<p>The market opens every Saturday.</p>",
        **extra,
    )
    item.title_fr = "Un marché ouvre à Kang Meas"
    item.summary_fr = "Un marché hebdomadaire pour les agriculteurs de la région."
    item.body_fr = "<p>Le marché ouvre tous les samedis.</p>"
    item.save()
    return item


# Readers ----------------------------------------------------------------------------------------


def test_a_news_item_translated_in_french_shows_its_french_texts_on_the_french_page(client, db):
    item = translated_item()

    response = get_in(client, "fr", "news:detail", item.slug)
    page = main(response)
    assert "<h1>Un marché ouvre à Kang Meas</h1>" in page
    assert "Un marché hebdomadaire pour les agriculteurs de la région." in page
    assert "<p>Le marché ouvre tous les samedis.</p>" in page
    assert "Market opens in Kang Meas" not in page
    assert "every Saturday" not in page
    assert "translation-note" not in page and 'class="untranslated"' not in page
    assert "<title>Un marché ouvre à Kang Meas" in markup(response)

    english = markup(get_in(client, "en", "news:detail", item.slug))
    assert "<h1>Market opens in Kang Meas</h1>" in english
    assert "Un marché" not in english and "translation-note" not in english

    for lang, title in [("fr", "Un marché ouvre à Kang Meas"), ("en", "Market opens in Kang Meas")]:
        for view in ["home", "news:list"]:
            assert title in markup(get_in(client, lang, view)), (lang, view)


def test_a_missing_french_translation_shows_the_english_text_marked_as_english(client, db):
    item = make_news(
        "Market opens in Kang Meas",
        slug="market-opens",
        summary="A weekly market for local farmers.",
        body="<p>The market opens every Saturday.</p>",
    )

    page = markup(get_in(client, "fr", "news:detail", item.slug))
    assert f"<h1>{untranslated('Market opens in Kang Meas')} {note('fr')}</h1>" in page
    assert f"{untranslated('A weekly market for local farmers.')} {note('fr')}" in page
    # Rich text: the note once, before the block, which is marked as English.
    body = page[page.index('<div class="rich-text">') :]
    assert body.startswith(
        f'<div class="rich-text"><p class="translation-note">{block_note("fr")}</p>'
        '<div class="untranslated" lang="en"><p>The market opens every Saturday.</p></div></div>'
    )
    assert block_note("fr") != block_note("en")  # the note is in the reader's language
    # The page's <title> cannot hold markup: the plain English text.
    assert "<title>Market opens in Kang Meas" in page
    assert '<html lang="fr">' in page

    listing = markup(get_in(client, "fr", "news:list"))
    assert f"{untranslated('Market opens in Kang Meas')}</a> {note('fr')}" in listing
    assert f"{untranslated('A weekly market for local farmers.')} {note('fr')}" in listing


def test_a_missing_khmer_translation_shows_the_english_text_marked_as_english(client, db):
    item = translated_item()
    item.title_km = "ផ្សារបើកនៅកងមាស"
    item.save()

    page = markup(get_in(client, "km", "news:detail", item.slug))
    assert "<h1>ផ្សារបើកនៅកងមាស</h1>" in page
    assert untranslated("A weekly market for local farmers.") in page
    assert (
        '<div class="untranslated" lang="en"><p>The market opens every Saturday.</p></div>' in page
    )
    assert "Un marché" not in page  # Khmer falls back to English, not to French
    assert '<html lang="km">' in page


def test_program_pages_points_figures_and_site_texts_follow_the_language(client, db):
    page = make_page("Local finance", summary="Budgets that work.", nav_title="Finance")
    page.title_fr = "Finances locales"
    page.nav_title_fr = "Finances"
    page.save()
    # In the header menu (staff add it there), under the page's own navigation title.
    header = ensure_menus()["header"]
    MenuLink.objects.create(menu=header, target=Target.PAGE, page=page, order=35)
    PagePoint.objects.create(
        page=page, text="Train clerks", text_fr="Former les greffiers", order=1
    )
    PagePoint.objects.create(page=page, text="Publish budgets", order=2)
    PageFigure.objects.create(page=page, value=1621, label="councils", label_fr="conseils")
    site = SiteSettings.load()
    site.site_name_fr = "Partenaires municipaux"
    site.save()

    french = markup(get_in(client, "fr", "pages:detail", page.slug))
    assert "<h1>Finances locales</h1>" in french
    assert "<li>Former les greffiers</li>" in french
    assert f"<li>{untranslated('Publish budgets')} " in french
    assert "<dt>conseils</dt>" in french
    assert ">Finances</a>" in french  # the menu
    assert "Partenaires municipaux" in french  # the header
    # Without a French menu title, the menu shows the French title before the English menu
    # title; with neither, the English one, marked (and without a note, in the menu).
    page.nav_title_fr = ""
    page.save()
    assert ">Finances locales</a>" in markup(get_in(client, "fr", "pages:detail", page.slug))
    khmer = markup(get_in(client, "km", "pages:detail", page.slug))
    assert f">{untranslated('Finance')}</a></li>" in khmer
    assert f"<dt>{untranslated('councils')} " in khmer


def test_partner_texts_follow_the_language_and_names_stay_as_they_are(client, db):
    newell = make_municipality(
        "County of Newell",
        region="Alberta",
        summary="Works with Kang Meas District.",
        summary_fr="Travaille avec le district de Kang Meas.",
        description="<p>A county in Alberta.</p>",
    )
    kang_meas = make_municipality("Kang Meas District", country=Country.CAMBODIA)
    make_partnership(newell, kang_meas, focus="LED strategic planning", focus_fr="Planification")

    page = markup(get_in(client, "fr", "partners:detail", newell.slug))
    assert "<h1>County of Newell</h1>" in page
    assert "Travaille avec le district de Kang Meas." in page
    assert '<div class="untranslated" lang="en"><p>A county in Alberta.</p></div>' in page
    assert '">Planification</td>' in page
    listing = markup(get_in(client, "fr", "partners:list"))
    assert "Travaille avec le district de Kang Meas." in listing
    khmer = markup(get_in(client, "km", "partners:detail", newell.slug))
    assert untranslated("LED strategic planning") in khmer


def test_an_image_description_missing_in_french_is_the_english_one_marked(staff_client, db):
    client = Client()
    # The description is the library image's, in each language it has.
    image = make_library_image(alt_en="Stalls of vegetables")
    item = make_news("Market", image=image)
    page = markup(get_in(client, "fr", "news:detail", item.slug))
    assert re.search(r'<img [^>]*alt="Stalls of vegetables" lang="en"[^>]*class="news-image"', page)
    english = markup(get_in(client, "en", "news:detail", item.slug))
    assert re.search(r'<img [^>]*alt="Stalls of vegetables" class="news-image"', english)


@pytest.mark.parametrize(
    "view, args",
    [
        ("home", ()),
        ("news:list", ()),
        ("news:detail", ("story-1",)),
        ("partners:detail", ("town-1",)),
    ],
)
def test_queries_per_page_are_the_same_in_every_language(client, demo, view, args):
    town = make_municipality("Town 1", region="Alberta", summary="A town.", summary_fr="Une ville.")
    commune = make_municipality("Commune 1", country=Country.CAMBODIA)
    make_partnership(town, commune, focus="Planning")
    story = make_news("Story 1", kind=Kind.PRESS, body="<p>Text.</p>", title_fr="Histoire 1")
    story.partners.add(town, commune)

    counts = {}
    for lang in LANGUAGES:
        get_in(client, lang, view, *args)  # the first request of a language loads its catalogue
        with CaptureQueriesContext(connection) as queries:
            response = get_in(client, lang, view, *args)
        assert response.status_code == 200
        counts[lang] = len(queries)
    assert counts["fr"] == counts["en"] == counts["km"], counts


# Staff ------------------------------------------------------------------------------------------


def test_staff_translate_a_news_item_in_the_admin_and_see_each_version(staff_client, db):
    item = add_news_via_admin(staff_client)
    form = staff_client.get(change_url(item))
    content = form.content.decode()
    for lang in LANGUAGES:
        for field in ["title", "summary", "body", "meta_description"]:
            assert f'name="{field}_{lang}"' in content, (field, lang)
    # The rich-text editor for each language's body.
    for lang in LANGUAGES:
        assert re.search(rf'<textarea[^>]*name="body_{lang}"[^>]*data-django-prose-editor', content)
    data = admin_form_data(form)
    data.update(
        title_fr="Un marché pour les agriculteurs",
        summary_fr="Le district de Kang Meas ouvre un marché hebdomadaire.",
        body_fr="<p>Le marché ouvre tous les samedis.</p>",
        title_km="ផ្សារសម្រាប់កសិករ",
        # A live item: the translations wait in its draft until this publishes them.
        _publish_draft="Publish changes",
    )
    response = staff_client.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)

    item.refresh_from_db()
    assert item.slug == "council-opens-a-farmers-market"  # one address, in English
    reader = Client()
    english = markup(get_in(reader, "en", "news:detail", item.slug))
    assert "<h1>Council opens a farmers' market</h1>" in english
    french = markup(get_in(reader, "fr", "news:detail", item.slug))
    assert "<h1>Un marché pour les agriculteurs</h1>" in french
    assert "<p>Le marché ouvre tous les samedis.</p>" in french
    khmer = markup(get_in(reader, "km", "news:detail", item.slug))
    assert "<h1>ផ្សារសម្រាប់កសិករ</h1>" in khmer
    assert untranslated("Kang Meas District opened a weekly market for local farmers.") in khmer

    # The history keeps every language: restoring the first version takes the French back out.
    first = Version.objects.get_for_object(item).order_by("pk").first()
    url = reverse("admin:news_newsitem_revision", args=[item.pk, first.pk])
    assert staff_client.post(url, admin_form_data(staff_client.get(url))).status_code == 302
    item.refresh_from_db()
    assert not item.title_fr and not item.title_km
    french = markup(get_in(reader, "fr", "news:detail", item.slug))
    assert untranslated("Council opens a farmers' market") in french


def test_the_english_title_and_summary_stay_required_the_others_not(staff_client, db):
    response = staff_client.post(
        reverse("admin:news_newsitem_add"), news_post(title_en="", summary_en="")
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert {"title_en", "summary_en"} <= set(errors)
    assert not {"title_fr", "title_km", "summary_fr"} & set(errors)


def test_hostile_html_in_a_french_body_is_sanitised(staff_client, db):
    item = add_news_via_admin(staff_client, body_fr=HOSTILE_HTML, body_km="<p></p>")

    assert "<p>Safe words.</p>" in item.body_fr
    for danger in ["<script", "onerror", "javascript:", "style=", "<iframe"]:
        assert danger not in item.body_fr
    assert item.body_km == ""  # an empty editor is no translation
    page = markup(get_in(Client(), "fr", "news:detail", item.slug))
    assert "Safe words." in page
    page = re.sub(r'<script type="application/ld\+json">.*?</script>', "", page, flags=re.S)
    for danger in ["<script", "alert(1)", "onerror", "javascript:", "style=", "<iframe"]:
        assert danger not in page
    # Khmer readers get the English body, as the Khmer one is empty.
    khmer = markup(get_in(Client(), "km", "news:detail", item.slug))
    assert "The market opens every Saturday." in khmer


def test_a_french_body_saved_outside_the_admin_is_sanitised_too(db):
    item = make_news("Plain", body="<p>Fine.</p>")
    item.body_fr = '<p onclick="x()">Bien.</p><script>alert(1)</script>'
    item.save()
    item.refresh_from_db()
    assert item.body_fr == "<p>Bien.</p>"
    assert item.body_en == "<p>Fine.</p>"


def test_the_missing_translation_filter_shows_exactly_the_items_without_one(staff_client, db):
    complete = make_news("Complete", body="<p>Text.</p>")
    for lang, suffix in [("fr", "FR"), ("km", "KM")]:
        for field in ["title", "summary", "body"]:
            value = getattr(complete, f"{field}_en").replace("Complete", f"Complete {suffix}")
            setattr(complete, f"{field}_{lang}", value)
    complete.save()
    french_only = make_news("French only", body="<p>Text.</p>")
    french_only.title_fr, french_only.summary_fr = "Français seulement", "Résumé."
    french_only.body_fr = "<p>Texte.</p>"
    french_only.save()
    no_body = make_news("No body anywhere")  # its body is empty in English too
    no_body.title_fr, no_body.summary_fr = "Sans texte", "Résumé."
    no_body.save()
    make_news("Summary missing", title_fr="Résumé manquant")
    make_news("Untouched")

    url = reverse("admin:news_newsitem_changelist")

    def listed(**params):
        response = staff_client.get(url, params)
        assert response.status_code == 200
        return {item.title for item in response.context["cl"].result_list}

    assert listed(missing_translation="fr") == {"Summary missing", "Untouched"}
    assert listed(missing_translation="km") == {
        "French only",
        "No body anywhere",
        "Summary missing",
        "Untouched",
    }
    assert len(listed()) == 5
    page = visible_text(staff_client.get(url))
    assert "missing translation" in page.lower() and "French" in page and "Khmer" in page
    assert "not yet translated" in page.lower()
    rows = {
        item.title: item
        for item in staff_client.get(url).context["cl"].result_list
        if item.title in {"Complete", "French only", "Untouched"}
    }
    admin_obj = staff_client.get(url).context["cl"].model_admin
    assert admin_obj.missing_translations(rows["Complete"]) == "—"
    assert admin_obj.missing_translations(rows["French only"]) == "Khmer"
    assert admin_obj.missing_translations(rows["Untouched"]) == "French, Khmer"


def test_the_filter_works_for_pages_and_partners_too(staff_client, db):
    make_page("Translated page", title_fr="Page traduite", body_fr="<p>Corps.</p>")
    make_page("English page")
    make_municipality("Town A", summary="A town.", summary_fr="Une ville.")
    make_municipality("Town B", summary="A town.")
    for name, expected in [
        ("pages_programpage", {"English page"}),
        ("partners_municipality", {"Town B"}),
    ]:
        response = staff_client.get(
            reverse(f"admin:{name}_changelist"), {"missing_translation": "fr"}
        )
        assert {str(obj) for obj in response.context["cl"].result_list} == expected


def test_site_settings_are_edited_in_each_language(staff_client, demo):
    url = reverse("admin:pages_sitesettings_change", args=[1])
    data = admin_form_data(staff_client.get(url))
    data.update(tagline_fr="Des villes qui aident des villes.", tagline_km="")
    data["_publish_draft"] = "Publish changes"  # the settings' changes are a draft until then
    response = staff_client.post(url, data)
    assert response.status_code == 302, form_errors(response)
    assert "Des villes qui aident des villes." in markup(get_in(Client(), "fr", "home"))
    khmer = markup(get_in(Client(), "km", "home"))
    english = SiteSettings.load().tagline_en
    assert f'<p class="lead">{untranslated(english)} ' in khmer


def test_a_new_site_settings_row_has_no_english_in_its_other_languages(db):
    site = SiteSettings.load()
    assert site.site_name_en == "Municipal Partners for Economic Development"
    assert site.site_name_fr is None and site.short_name_km is None


# Search -----------------------------------------------------------------------------------------


def search_titles(client, lang, query):
    response = get_in(client, lang, "search:results", q=query)
    assert response.status_code == 200
    return [hit.title for hit in response.context["hits"]], response


def test_search_finds_every_languages_text_and_shows_the_readers_language(client, db):
    item = translated_item()
    item.title_km = "ផ្សារបើកនៅកងមាស"
    item.save()
    make_news("Roads in Takeo", summary="New roads for farmers.")
    page = make_page("Local finance", summary="Budgets.")
    page.summary_fr = "Des budgets municipaux."
    page.save()

    assert search_titles(client, "fr", "agriculteurs")[0] == ["Un marché ouvre à Kang Meas"]
    # Every language's text is searched: the English page finds the French words, and says so.
    titles, response = search_titles(client, "en", "agriculteurs")
    assert titles == ["Market opens in Kang Meas"]
    assert "Found in the French text" in markup(response)
    assert search_titles(client, "fr", "budgets municipaux")[0] == ["Local finance"]
    # English texts are searched in every language: what is not yet translated is found too.
    titles, response = search_titles(client, "fr", "roads")
    assert titles == ["Roads in Takeo"]
    page_html = markup(response)
    assert f"{untranslated('Roads in Takeo')}</a> {note('fr')}" in page_html
    assert '<p class="search-snippet" lang="en">' in page_html
    # Khmer: a word inside Khmer text (written without spaces between words).
    assert search_titles(client, "km", "កងមាស")[0] == ["ផ្សារបើកនៅកងមាស"]
    assert search_titles(client, "km", "saturday")[0] == ["ផ្សារបើកនៅកងមាស"]
    assert search_titles(client, "en", "កងមាស")[0] == ["Market opens in Kang Meas"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search on PostgreSQL")
def test_postgresql_stems_french_words_in_french(client, db):
    item = translated_item()
    item.summary_fr = "Les agricultrices vendent leurs légumes."
    item.save()
    # French stemming: "légume" finds "légumes"; the stored vector is the database's own.
    assert search_titles(client, "fr", "légume")[0] == ["Un marché ouvre à Kang Meas"]
    assert search_titles(client, "fr", '"vendent leurs"')[0] == ["Un marché ouvre à Kang Meas"]
    assert search_titles(client, "fr", "market -saturday")[0] == []


def test_members_only_french_text_is_searched_for_members_only(client, db):
    item = translated_item(is_members_only=True)
    item.body_fr = "<p>Le tapirisme des marchés.</p>"
    item.save()
    assert search_titles(client, "fr", "tapirisme")[0] == []
    client.force_login(make_member())
    assert search_titles(client, "fr", "tapirisme")[0] == ["Un marché ouvre à Kang Meas"]


# Demo content, migrations -----------------------------------------------------------------------


def test_the_demo_content_is_in_english_french_and_khmer(client, demo):
    french = visible_text(get_in(client, "fr", "home"))
    for part in [
        "Partenaires municipaux pour le développement économique",
        "Les dernières nouvelles",
        "Nouveau rapport : encourager la participation des femmes à la politique locale",
        "Le Canada à l’honneur",
        "Offrir un cadre au développement économique local",
        "Partenaires canadiens",
    ]:
        assert part in french, part
    assert "translation-note" not in markup(get_in(client, "fr", "home"))  # all in French
    # The program sections' full texts are on their pages (the home page shows cards).
    framework = visible_text(get_in(client, "fr", "pages:detail", "led-framework"))
    assert "Favoriser le leadership politique, surtout chez les femmes et les jeunes" in framework
    league = visible_text(get_in(client, "fr", "pages:detail", "about-the-league"))
    assert "1 621" in league or "1\xa0621" in league
    khmer = markup(get_in(client, "km", "home"))
    assert "ដៃគូក្រុងសម្រាប់ការអភិវឌ្ឍសេដ្ឋកិច្ច" in khmer
    assert "ព័ត៌មានថ្មីៗ" in khmer
    # Bodies are not translated into Khmer yet: English, marked.
    khmer_framework = markup(get_in(client, "km", "pages:detail", "led-framework"))
    assert '<div class="untranslated" lang="en"><p>Cambodia' in khmer_framework
    # Samples stay marked as samples in every language.
    partners = markup(get_in(client, "fr", "partners:list"))
    assert "Une entrée d’exemple pour le quatrième partenaire canadien" in partners


def test_the_demo_reset_puts_back_every_language(client, demo):
    NewsItem.objects.filter(slug="canada-in-the-spotlight").update(
        title_fr="Modifié", title_km=None
    )
    call_command("load_demo_content", stdout=StringIO())
    assert "Modifié" in visible_text(get_in(client, "fr", "news:list"))
    with translation.override("fr"):  # the command writes the columns it names, whatever
        call_command("load_demo_content", "--reset", stdout=StringIO())
    item = NewsItem.objects.get(slug="canada-in-the-spotlight")
    assert (item.title_en, item.title_fr) == ("Canada in the spotlight", "Le Canada à l’honneur")
    assert item.title_km == "កាណាដាទទួលបានការចាប់អារម្មណ៍"


HOME_TEXTS_MOVED = [
    "signup_prompt",
    "signup_link_text",
    "latest_heading",
    "partners_heading",
    "partners_intro",
]


def test_the_migration_puts_the_texts_written_before_in_the_english_columns(db, monkeypatch):
    item = make_news("Written before", body="<p>Old text.</p>")
    page = make_page("Old page")
    NewsItem.objects.filter(pk=item.pk).update(title_en=None, body_en=None, title_fr="x")
    ProgramPage.objects.filter(pk=page.pk).update(title_en=None)
    for app, name in [
        ("news", "0009_content_in_each_language"),
        ("pages", "0005_content_in_each_language"),
    ]:
        migration = importlib.import_module(f"{app}.migrations.{name}")
        # The image's alt text columns went with the move to the media library (news 0014), the
        # home page's texts with its blocks (pages 0009).
        gone = {"image_alt", *HOME_TEXTS_MOVED}
        for model_name, fields in migration.TRANSLATED.items():
            kept = [field for field in fields if field not in gone]
            monkeypatch.setitem(migration.TRANSLATED, model_name, kept)
        state = MigrationLoader(connection).project_state((app, name))
        migration.fill_english(state.apps, SimpleNamespace(connection=connection))
    item.refresh_from_db()
    page.refresh_from_db()
    assert (item.title_en, item.body_en, item.title_fr) == (
        "Written before",
        "<p>Old text.</p>",
        None,
    )
    assert page.title_en == "Old page"
    assert Municipality.objects.count() == 0
