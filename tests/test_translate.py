"""Translating side by side (editorial/translate.py): the translate view of an item and a
language, its progress, saving a translation as a draft (a live item) or with the row (a new
one), its inline rows, its permissions and bad input; and the dashboard's "Needs translation"."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from reversion.models import Version

from editorial import drafts
from editorial.models import Draft
from news.models import Kind, NewsItem
from pages.models import PageFigure, PagePoint

from .helpers import (
    admin_form_data,
    change_url,
    form_errors,
    make_news,
    make_page,
    markup,
    visible_text,
)

pytestmark = pytest.mark.django_db


def translate_url(obj, lang="fr"):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_translate", args=[obj.pk, lang])


def public(obj, lang):
    """The item's public page in `lang`, as a reader sees it."""
    with translation.override(lang):
        url = obj.get_absolute_url()
    response = Client().get(url)
    assert response.status_code == 200, url
    return markup(response)


def translate(client, obj, lang="fr", publish=False, **fields):
    """Open the translate view, fill in `fields` (by form name) and save; the response."""
    page = client.get(translate_url(obj, lang))
    assert page.status_code == 200
    data = {"_version_token": page.context["version_token"]}
    for name in page.context["form"].fields:
        data[name] = page.context["form"][name].value() or ""
    data.update(fields)
    if publish:
        data["_save_and_publish"] = "Save and publish"
    return client.post(translate_url(obj, lang), data)


def a_report(**extra):
    return make_news(
        "Local economic development in Kampot",
        kind=Kind.REPORT,
        summary="What the partners learned in 2025.",
        body="<p>The <strong>province</strong> grew.</p>",
        **extra,
    )


def test_the_view_shows_english_read_only_and_the_french_fields_with_the_progress(staff_client):
    item = a_report(title_fr="Le développement économique local à Kampot")
    response = staff_client.get(translate_url(item))
    assert response.status_code == 200
    page = response.content.decode()
    text = visible_text(response)
    # Title, summary and body have English text; one of them has its French.
    assert "1 of 3 fields translated" in text
    assert '<progress class="translate-bar" max="3" value="1"' in page
    # English on the left, marked as English, the body as its rendered HTML.
    assert re.search(
        r'<div class="translate-english translate-rich" lang="en"><p>The <strong>province', page
    )
    # The French fields, in the form's order, the body with the change form's rich-text editor.
    names = re.findall(r'name="((?:title|summary|body|meta_description)_\w\w)"', page)
    assert names == ["title_fr", "summary_fr", "body_fr"]
    assert re.search(r'<textarea[^>]*name="body_fr"[^>]*data-django-prose-editor', page)
    assert 'value="Le développement économique local à Kampot"' in page
    assert '<div class="translate-input" lang="fr">' in page
    # No field with no English text (the search description) to translate.
    assert "meta_description" not in page
    # Khmer: nothing yet.
    khmer = staff_client.get(translate_url(item, "km"))
    assert "0 of 3 fields translated" in visible_text(khmer)
    assert '<div class="translate-input" lang="km">' in khmer.content.decode()
    # One field: the singular.
    town = make_news("Solo", summary="")
    NewsItem.objects.filter(pk=town.pk).update(summary_en="")
    assert "0 of 1 field translated" in visible_text(staff_client.get(translate_url(town)))


def test_the_change_form_links_to_each_language_s_translate_view(staff_client):
    item = a_report()
    page = staff_client.get(change_url(item)).content.decode()
    assert f'href="{translate_url(item, "fr")}">Translate into French</a>' in page
    assert f'href="{translate_url(item, "km")}">Translate into Khmer</a>' in page
    # Not on the add form.
    assert (
        "Translate into"
        not in staff_client.get(reverse("admin:news_newsitem_add")).content.decode()
    )


def test_an_editor_s_translation_of_a_live_item_waits_as_a_draft_until_published(
    editor, publisher, uncached
):
    item = a_report()
    response = translate(
        editor,
        item,
        title_fr="Développement économique local à Kampot",
        summary_fr="Ce que les partenaires ont appris en 2025.",
        body_fr="<p>La <strong>province</strong> a grandi.</p><script>alert(1)</script>",
    )
    assert response.status_code == 302
    assert response.url == translate_url(item)
    item.refresh_from_db()
    assert not item.title_fr  # the row is untouched
    draft = drafts.live_draft_for(item)
    assert draft.data["fields"]["title_fr"] == "Développement économique local à Kampot"
    assert draft.data["fields"]["body_fr"] == "<p>La <strong>province</strong> a grandi.</p>"
    assert "Développement" not in public(item, "fr")
    assert "Local economic development in Kampot" in public(item, "fr")
    after = editor.get(translate_url(item))
    assert "saved as a draft" in visible_text(after)
    assert "3 of 3 fields translated" in visible_text(after)
    assert "Save and publish" not in after.content.decode()  # an editor's
    assert "Translated into French (a draft" in visible_text(editor.get("/admin/"))

    # The publisher sees the draft's French, adds to it and publishes.
    page = publisher.get(translate_url(item))
    assert 'value="Développement économique local à Kampot"' in page.content.decode()
    assert "Save and publish" in page.content.decode()
    response = translate(publisher, item, publish=True, title_fr="Le développement à Kampot")
    assert response.status_code == 302
    assert not Draft.objects.exists()
    item.refresh_from_db()
    assert item.title_fr == "Le développement à Kampot"
    french = public(item, "fr")
    assert "<h1>Le développement à Kampot</h1>" in french
    assert "<p>La <strong>province</strong> a grandi.</p>" in french
    assert "alert(1)" not in french
    # English readers see the English.
    assert "<h1>Local economic development in Kampot</h1>" in public(item, "en")


def test_a_translation_joins_a_draft_that_exists_and_shows_its_values(editor):
    item = a_report()
    form = editor.get(change_url(item))
    data = admin_form_data(form)
    data["title_en"] = "Kampot: the draft's new title"
    assert editor.post(change_url(item), data).status_code == 302
    page = editor.get(translate_url(item))
    assert "Kampot: the draft's new title" in visible_text(page)
    assert translate(editor, item, title_fr="Kampot : le nouveau titre").status_code == 302
    data = drafts.live_draft_for(item).data["fields"]
    assert data["title_en"] == "Kampot: the draft's new title"
    assert data["title_fr"] == "Kampot : le nouveau titre"
    item.refresh_from_db()
    assert item.title_en == "Local economic development in Kampot"


def test_a_never_published_item_is_saved_with_a_revision_that_says_so(editor):
    item = a_report(published=False)
    response = translate(editor, item, title_fr="Un rapport", summary_fr="Un résumé.")
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.title_fr, item.summary_fr, item.is_published) == (
        "Un rapport",
        "Un résumé.",
        False,
    )
    assert not Draft.objects.exists()
    version = Version.objects.get_for_object(item).first()
    assert version.revision.comment == "Translated into French."
    assert version.revision.user == editor.user
    history = visible_text(editor.get(reverse("admin:news_newsitem_history", args=[item.pk])))
    assert "Translated into French." in history
    # Nothing changed: nothing saved.
    count = Version.objects.get_for_object(item).count()
    response = translate(editor, item)
    assert "Nothing changed" in visible_text(editor.get(response.url))
    assert Version.objects.get_for_object(item).count() == count


def test_the_inline_rows_are_translated_with_the_item(editor, publisher, uncached):
    page = make_page("Economic growth", summary="Growth.")
    first = PagePoint.objects.create(page=page, text="Markets open", order=1)
    second = PagePoint.objects.create(page=page, text="Roads built", order=2)
    figure = PageFigure.objects.create(page=page, value="24", label="provinces", order=1)
    response = editor.get(translate_url(page, "km"))
    text = visible_text(response)
    assert "Point 1: text" in text and "Point 2: text" in text
    assert "Figure 1: label" in text
    assert "0 of 6 fields translated" in text
    response = translate(
        editor, page, "km", **{"points-1-text_km": "ផ្លូវ", "figures-0-label_km": "ខេត្ត"}
    )
    assert response.status_code == 302
    second.refresh_from_db()
    assert not second.text_km  # a live page: in its draft
    rows = drafts.live_draft_for(page).data["inlines"]
    assert [row["fields"]["text_km"] for row in rows["points"]] == [None, "ផ្លូវ"]
    assert rows["figures"][0]["fields"]["label_km"] == "ខេត្ត"
    assert "2 of 6 fields translated" in visible_text(editor.get(translate_url(page, "km")))

    assert translate(publisher, page, "km", publish=True).status_code == 302
    second.refresh_from_db()
    figure.refresh_from_db()
    first.refresh_from_db()
    assert (second.text_km, figure.label_km, first.text_km) == ("ផ្លូវ", "ខេត្ត", None)
    khmer = public(page, "km")
    assert "ផ្លូវ" in khmer and "ខេត្ត" in khmer


def test_a_new_page_s_rows_are_saved_at_once(editor):
    page = make_page("Draft page", published=False)
    point = PagePoint.objects.create(page=page, text="Markets open", order=1)
    assert translate(editor, page, **{"points-0-text_fr": "Marchés ouverts"}).status_code == 302
    point.refresh_from_db()
    assert point.text_fr == "Marchés ouverts"


def test_only_staff_who_may_change_the_item_translate_it(django_user_model, editor, client):
    item = a_report()
    viewer = django_user_model.objects.create_user("viewer", "v@example.org", "x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_newsitem"))
    reader = Client()
    reader.force_login(viewer)
    assert reader.get(translate_url(item)).status_code == 403
    assert reader.post(translate_url(item), {"title_fr": "Pirate"}).status_code == 403
    item.refresh_from_db()
    assert not item.title_fr
    assert "Translate into" not in reader.get(change_url(item)).content.decode()
    # Not logged in: the login page.
    response = client.get(translate_url(item))
    assert response.status_code == 302 and "/login/" in response.url
    # An editor translates the site settings as a draft (test_sitesettings_drafts.py).
    from pages.models import SiteSettings

    settings_row = SiteSettings.objects.first() or SiteSettings.objects.create()
    assert editor.get(translate_url(settings_row)).status_code == 200


def test_the_site_settings_are_translated_by_a_publisher(publisher):
    from pages.models import SiteSettings

    row = SiteSettings.objects.first() or SiteSettings.objects.create()
    row.tagline_en = "Partners for local economic development"
    row.save()
    # Always live: saved and published at once (a plain save would be a draft).
    response = translate(
        publisher, row, publish=True, tagline_fr="Des partenaires pour le développement"
    )
    assert response.status_code == 302, form_errors(response)
    row.refresh_from_db()
    assert row.tagline_fr == "Des partenaires pour le développement"


def test_an_unknown_language_or_item_is_a_404(staff_client):
    item = a_report()
    for lang in ["en", "de", "xx"]:
        response = staff_client.get(translate_url(item).replace("/fr/", f"/{lang}/"))
        assert response.status_code == 404, lang
    missing = translate_url(item).replace(f"/{item.pk}/", "/999999/")
    assert staff_client.get(missing).status_code == 404
    assert staff_client.get(translate_url(item).replace(f"/{item.pk}/", "/abc/")).status_code == 404


def test_bad_input_shows_the_form_again_with_the_errors_and_saves_nothing(editor):
    item = a_report(published=False)
    too_long = "x" * 251
    response = translate(editor, item, title_fr=too_long, summary_fr="Un résumé gardé.")
    assert response.status_code == 400
    text = visible_text(response)
    assert "Please correct the errors below: nothing was saved." in text
    assert "Ensure this value has at most 250 characters (it has 251)." in text
    page = response.content.decode()
    assert too_long in page and "Un résumé gardé." in page  # nothing typed is lost
    item.refresh_from_db()
    assert not item.title_fr and not item.summary_fr


def test_a_save_over_someone_else_s_newer_version_is_refused(editor, publisher):
    item = a_report()
    opened = editor.get(translate_url(item))
    token = opened.context["version_token"]
    # Meanwhile a publisher saves a draft of the item.
    assert translate(publisher, item, title_fr="Le titre du rédacteur en chef").status_code == 302
    response = editor.post(
        translate_url(item),
        {"_version_token": token, "title_fr": "Mon titre", "summary_fr": "", "body_fr": ""},
    )
    assert response.status_code == 409
    assert "Someone else (publishers@example.org) saved this item" in visible_text(response)
    assert "Mon titre" in response.content.decode()
    assert drafts.live_draft_for(item).data["fields"]["title_fr"] == "Le titre du rédacteur en chef"
    # Saving again from the refused page replaces it, as in the change form.
    again = response.context["version_token"]
    response = editor.post(
        translate_url(item),
        {"_version_token": again, "title_fr": "Mon titre", "summary_fr": "", "body_fr": ""},
    )
    assert response.status_code == 302
    assert drafts.live_draft_for(item).data["fields"]["title_fr"] == "Mon titre"


def test_the_view_costs_the_same_queries_with_two_or_twelve_points(staff_client):
    page = make_page("Counted")
    PagePoint.objects.bulk_create(
        [PagePoint(page=page, text=f"Point {n}", order=n) for n in range(2)]
    )

    def queries():
        staff_client.get(translate_url(page))
        with CaptureQueriesContext(connection) as captured:
            assert staff_client.get(translate_url(page)).status_code == 200
        return len(captured)

    few = queries()
    PagePoint.objects.bulk_create(
        [PagePoint(page=page, text=f"Point {n}", order=n) for n in range(2, 12)]
    )
    assert queries() == few
    assert few <= 20


# The dashboard ----------------------------------------------------------------------------------


def section_html(response, key):
    found = re.search(
        rf'<section[^>]*id="dashboard-{key}".*?</section>', response.content.decode(), re.S
    )
    return found.group(0) if found else ""


def test_the_dashboard_counts_what_needs_translation_per_language_and_links_to_it(staff_client):
    untranslated = a_report()
    french_only = make_news("French done", title_fr="Fait", summary_fr="Fait.")
    page = make_page("Growth", title_fr="Croissance", body_fr="<p>Corps.</p>")
    response = staff_client.get("/admin/")
    french = section_html(response, "translation-fr")
    khmer = section_html(response, "translation-km")
    assert "Needs translation: French" in visible_text(french)
    assert "1 in all" in visible_text(french)
    assert "3 in all" in visible_text(khmer)
    news_list = reverse("admin:news_newsitem_changelist")
    assert f'href="{news_list}?missing_translation=fr">News items: show all 1</a>' in french
    assert f'href="{news_list}?missing_translation=km">News items: show all 2</a>' in khmer
    pages = reverse("admin:pages_programpage_changelist")
    assert f'href="{pages}?missing_translation=km">Program pages: show all 1</a>' in khmer
    assert "Program pages" not in french
    # Each listed item opens its translate view.
    assert f'href="{translate_url(untranslated, "fr")}">' in french
    assert f'href="{translate_url(french_only, "km")}">' in khmer
    assert f'href="{translate_url(page, "km")}">' in khmer
    assert translate_url(french_only, "fr") not in french
    # The change list's filter shows the same items.
    listed = staff_client.get(f"{news_list}?missing_translation=km")
    assert listed.status_code == 200
    assert "Local economic development in Kampot" in visible_text(listed)
    assert "French done" in visible_text(listed)
