"""The history's compare view, as a publisher uses it: rich text as the words readers see, with
the words removed and added marked; each field once, once per language; nothing a body holds
reaches the page as markup; a bad choice of versions is a page that says so, never a 500."""

import json
import re

import pytest
from django.urls import reverse
from reversion.models import Version

from news.models import NewsItem
from pages.models import SiteSettings

from .helpers import (
    HOSTILE_HTML,
    add_news_via_admin,
    admin_form_data,
    change_url,
    form_errors,
    make_municipality,
    make_page,
    make_partnership,
    visible_text,
)


def edit_in_admin(client, obj, **changes):
    data = admin_form_data(client.get(change_url(obj)))
    # A live item's changes are a draft until published: "Publish changes" does both at once
    # (for an item that is not live, a plain save).
    data["_publish_draft"] = "Publish changes"
    data.update(changes)
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, form_errors(response)
    obj.refresh_from_db()
    return obj


def compare_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_compare", args=[obj.pk])


def compare_last_two(client, obj):
    older, newer = Version.objects.get_for_object(obj).order_by("-pk")[:2][::-1]
    response = client.get(compare_url(obj), {"version_id1": older.pk, "version_id2": newer.pk})
    assert response.status_code == 200
    return response


def fields_shown(response):
    """{label: the HTML of its diff} for each changed field the page shows, and the labels in
    order (to count them)."""
    sections = re.findall(
        r'<section class="compare-field">\s*<h2>(.*?)</h2>(.*?)</section>',
        response.content.decode(),
        flags=re.S,
    )
    return dict(sections), [label for label, _diff in sections]


def add_draft(client):
    """A draft news item saved from the admin, in English and French."""
    return add_news_via_admin(
        client,
        is_published="",
        title_fr="Le conseil ouvre un marché",
        body_fr="<p>Le marché ouvre chaque samedi.</p>",
    )


@pytest.fixture
def twice_edited(publisher):
    """A news item whose English and French title and body a publisher changed twice."""
    item = add_draft(publisher)
    edit_in_admin(
        publisher,
        item,
        title_en="Council opens a weekly farmers' market",
        body_en="<p>The market opens every Saturday morning.</p><p>Farmers sell rice and fish.</p>",
        title_fr="Le conseil ouvre un marché hebdomadaire",
        body_fr="<p>Le marché ouvre chaque samedi matin.</p>",
    )
    edit_in_admin(
        publisher,
        item,
        title_en="Council opens a daily farmers' market",
        body_en=(
            "<p>The market opens every <strong>Sunday</strong> morning.</p>"
            "<p>Farmers sell rice and fish.</p>"
        ),
        title_fr="Le conseil ouvre un marché quotidien",
        body_fr="<p>Le marché ouvre chaque dimanche matin.</p>",
    )
    return item


def test_the_body_is_compared_as_text_with_the_removed_and_added_words_marked(
    publisher, twice_edited
):
    response = compare_last_two(publisher, twice_edited)
    shown, _labels = fields_shown(response)

    english = shown["Body (English)"]
    assert "The market opens every <del>Saturday</del><ins>Sunday</ins> morning." in english
    # The unchanged paragraph is there in full, as text.
    assert ">Farmers sell rice and fish.</p>" in english
    french = shown["Body (French)"]
    assert "Le marché ouvre chaque <del>samedi</del><ins>dimanche</ins> matin." in french
    assert "<del>weekly</del><ins>daily</ins>" in shown["Title (English)"]
    assert "<del>hebdomadaire</del><ins>quotidien</ins>" in shown["Title (French)"]

    # The body's HTML is not shown as text, escaped or not.
    page = response.content.decode()
    assert "&lt;p&gt;" not in page and "&lt;strong&gt;" not in page
    text = visible_text(response)
    assert "<p>" not in text and "<strong>" not in text
    assert "Saturday" in text and "Sunday" in text and "samedi" in text and "dimanche" in text


def test_each_field_is_shown_once_in_each_language(publisher, twice_edited):
    response = compare_last_two(publisher, twice_edited)
    _shown, labels = fields_shown(response)

    # Not django-modeltranslation's copy of the English ("title") beside "title [en]"; the
    # Khmer texts, unchanged, are left out.
    assert labels == ["Title (English)", "Title (French)", "Body (English)", "Body (French)"]


def test_a_script_in_a_body_never_reaches_the_compare_page_as_markup(publisher):
    item = add_draft(publisher)
    edit_in_admin(publisher, item, body_en=HOSTILE_HTML + "<p>Market day moved.</p>")
    assert "<script" not in item.body_en  # sanitised on save

    # And an older version stored before a rule of the sanitiser existed.
    older = Version.objects.get_for_object(item).order_by("pk").first()
    data = json.loads(older.serialized_data)
    data[0]["fields"]["body_en"] = (
        '<p>Old words.</p><script>alert("stored")</script>'
        '<p onclick="alert(2)">Clicked <img src=x onerror=alert(3)></p>'
    )
    older.serialized_data = json.dumps(data)
    older.save()

    response = compare_last_two(publisher, item)
    english = fields_shown(response)[0]["Body (English)"]
    assert "<ins>Market day moved.</ins>" in english
    for hostile in ["<script", "<img", "<iframe", "onerror", "onclick", "javascript:", "style="]:
        assert hostile not in english.lower(), hostile

    newest = Version.objects.get_for_object(item).order_by("-pk").first()
    response = publisher.get(compare_url(item), {"version_id1": older.pk, "version_id2": newest.pk})
    english = fields_shown(response)[0]["Body (English)"]
    assert "<del>Old</del><ins>Safe</ins> words." in english and "Clicked" in english
    assert "alert" not in english
    for hostile in ["<script", "<img", "onerror", "onclick"]:
        assert hostile not in english.lower(), hostile


def test_program_pages_partners_and_site_settings_are_compared_per_language(publisher):
    page = make_page("Local economic development")
    canadian = make_municipality("Town of Compare", region="Alberta")
    cambodian = make_municipality("Compare Commune", country="KH")
    partnership = make_partnership(canadian, cambodian, focus="Markets")
    settings_row = SiteSettings.load()
    cases = [
        (page, "summary_fr", "Summary (French)"),
        (canadian, "summary_fr", "Summary (French)"),
        (partnership, "focus_fr", "Focus (French)"),
        (settings_row, "tagline_fr", "Tagline (French)"),
    ]
    for obj, field, label in cases:
        edit_in_admin(publisher, obj, **{field: "Des marchés pour les agriculteurs"})
        edit_in_admin(publisher, obj, **{field: "Des marchés pour les pêcheurs"})
        _shown, labels = fields_shown(compare_last_two(publisher, obj))
        assert labels == [label], obj
        diff = fields_shown(compare_last_two(publisher, obj))[0][label]
        assert "<del>agriculteurs</del><ins>pêcheurs</ins>" in diff, obj


def test_a_partnership_shows_the_partner_that_changed_and_not_the_other(publisher):
    canadian = make_municipality("Town of Compare", region="Alberta")
    first = make_municipality("First Commune", country="KH")
    second = make_municipality("Second Commune", country="KH")
    partnership = make_partnership(canadian, first, focus="Markets")
    edit_in_admin(publisher, partnership, focus_en="Markets and roads")
    edit_in_admin(publisher, partnership, cambodian=second.pk)

    shown, labels = fields_shown(compare_last_two(publisher, partnership))
    assert len(labels) == 1 and labels[0].startswith("Cambodian local government")
    assert "<del>First Commune</del><ins>Second Commune</ins>" in shown[labels[0]]


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({}, 400),
        ({"version_id1": "first", "version_id2": "{newer}"}, 400),
        ({"version_id1": "{older}", "version_id2": "2.5"}, 400),
        ({"version_id1": "-1", "version_id2": "{newer}"}, 400),
        ({"version_id1": "{older}", "version_id2": "99999999999999999999999"}, 400),
        ({"version_id1": "{older}", "version_id2": "987654"}, 404),
        ({"version_id1": "{older}", "version_id2": "{other}"}, 404),
    ],
)
def test_a_bad_choice_of_versions_is_a_page_that_says_so(publisher, twice_edited, params, status):
    older, newer = Version.objects.get_for_object(twice_edited).order_by("-pk")[:2][::-1]
    other = add_news_via_admin(publisher, slug="another-item", title_en="Another item")
    ids = {
        "older": older.pk,
        "newer": newer.pk,
        "other": Version.objects.get_for_object(other).get().pk,
    }
    query = {name: value.format(**ids) for name, value in params.items()}

    response = publisher.get(compare_url(twice_edited), query)

    assert response.status_code == status
    text = visible_text(response)
    assert "These versions cannot be compared" in text
    assert "Back to the history" in text


@pytest.mark.parametrize("object_id", ["not-a-number", "987654", "1%00"])
def test_comparing_an_item_that_does_not_exist_is_a_404(publisher, twice_edited, object_id):
    older, newer = Version.objects.get_for_object(twice_edited).order_by("-pk")[:2][::-1]
    url = compare_url(twice_edited).replace(f"/{twice_edited.pk}/", f"/{object_id}/")
    response = publisher.get(url, {"version_id1": older.pk, "version_id2": newer.pk})
    assert response.status_code == 404


def test_staff_without_a_right_to_news_cannot_read_its_versions(
    publisher, twice_edited, client, django_user_model
):
    nobody = django_user_model.objects.create_user("nobody", "n@example.org", "x", is_staff=True)
    client.force_login(nobody)
    older, newer = Version.objects.get_for_object(twice_edited).order_by("-pk")[:2][::-1]
    response = client.get(
        compare_url(twice_edited), {"version_id1": older.pk, "version_id2": newer.pk}
    )
    assert response.status_code == 403
    assert NewsItem.objects.filter(pk=twice_edited.pk).exists()
