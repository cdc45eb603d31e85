"""Drafts of live items (editorial/drafts.py): a change to a published item waits, out of
readers' sight, until a publisher publishes it (now or at a set time) or someone discards it."""

import datetime

import pytest
from django.forms import modelform_factory
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from editorial import drafts
from editorial.models import Draft, EventAction, WorkflowEvent
from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Municipality
from reviews.models import ReviewLink

from .helpers import (
    add_pairing_row,
    admin_form_data,
    change_url,
    count_queries,
    form_errors,
    make_document,
    make_member,
    make_municipality,
    make_news,
    make_page,
    pdf_bytes,
    today,
    visible_text,
)


def news_form(item, **changes):
    """A valid form of the item's texts in English and French and its partners, as changed."""
    fields = ["title_en", "title_fr", "summary_en", "body_en", "body_fr", "partners"]
    Form = modelform_factory(NewsItem, fields=fields)
    data = {
        "title_en": item.title_en,
        "title_fr": item.title_fr or "",
        "summary_en": item.summary_en,
        "body_en": item.body_en,
        "body_fr": item.body_fr or "",
        "partners": [str(pk) for pk in item.partners.values_list("pk", flat=True)],
    }
    data.update(changes)
    form = Form(data, instance=drafts.draft_instance(item))
    assert form.is_valid(), form.errors
    return form


@pytest.mark.django_db
def test_the_api_keeps_a_draft_out_of_the_row_until_published(django_user_model):
    editor = django_user_model.objects.create_user("ed", "ed@example.org", "x")
    town = make_municipality("Town of Zephyrvale")
    item = make_news("Old title", body_en="<p>Old body.</p>")
    assert drafts.draft_for(item) is None

    form = news_form(
        item,
        title_en="Quokkaberry title",
        title_fr="Titre quokkaberry",
        body_fr="<p>Corps quokkaberry.</p>",
        partners=[str(town.pk)],
    )
    draft = drafts.save_draft(item, form, editor)

    assert drafts.draft_for(item) == draft
    assert draft.data["fields"]["title_en"] == "Quokkaberry title"
    assert draft.data["fields"]["title_fr"] == "Titre quokkaberry"
    assert draft.data["m2m"]["partners"] == [town.pk]
    row = NewsItem.objects.get(pk=item.pk)
    assert (row.title_en, row.title_fr, list(row.partners.all())) == ("Old title", None, [])

    # The form's copy has the draft's values; it cannot be saved over the live row.
    proposed = drafts.draft_instance(row)
    assert proposed.title_en == "Quokkaberry title"
    assert list(proposed.partners.all()) == [town]
    with pytest.raises(RuntimeError):
        proposed.save()

    drafts.publish_draft(draft, by=editor)
    row = NewsItem.objects.get(pk=item.pk)
    assert row.title_en == "Quokkaberry title"
    assert row.title_fr == "Titre quokkaberry"
    assert row.body_fr == "<p>Corps quokkaberry.</p>"
    assert list(row.partners.all()) == [town]
    assert row.is_live
    assert drafts.draft_for(row) is None
    actions = list(
        WorkflowEvent.objects.filter(object_id=str(item.pk)).values_list("action", flat=True)
    )
    assert actions == [EventAction.PUBLISHED, EventAction.DRAFT_SAVED]


@pytest.mark.django_db
def test_discarding_a_draft_leaves_the_live_item_untouched(django_user_model):
    editor = django_user_model.objects.create_user("ed", "ed@example.org", "x")
    item = make_news("Kept title")
    draft = drafts.save_draft(item, news_form(item, title_en="Thrown away"), editor)
    drafts.discard_draft(draft, by=editor)
    assert not Draft.objects.exists()
    assert NewsItem.objects.get(pk=item.pk).title_en == "Kept title"
    assert WorkflowEvent.objects.filter(action=EventAction.DISCARDED).count() == 1


@pytest.mark.django_db
def test_serialize_holds_each_language_files_relations_and_inline_rows():
    page = make_page("A page of points")
    page.points.create(text_en="First point", order=1)
    data = drafts.serialize(ProgramPage.objects.get(pk=page.pk))
    assert data["fields"]["title_en"] == "A page of points"
    assert "title" not in data["fields"]  # each language's column, not the copy
    assert "is_published" not in data["fields"]
    assert [row["fields"]["text_en"] for row in data["inlines"]["points"]] == ["First point"]
    report = make_news("A report", kind="report")
    data = drafts.serialize(report)
    document = report.documents.get().document
    assert [row["fields"] for row in data["inlines"]["documents"]] == [
        {"document_id": document.pk, "role": "report", "order": 0}
    ]
    assert data["m2m"] == {"partners": []}


@pytest.mark.django_db
def test_a_scheduled_draft_is_applied_when_due(django_user_model):
    publisher = django_user_model.objects.create_user("pub", "pub@example.org", "x")
    item = make_news("Before the hour")
    draft = drafts.save_draft(item, news_form(item, title_en="After the hour"), publisher)
    later = timezone.now() + datetime.timedelta(minutes=1)
    drafts.publish_draft(draft, by=publisher, at=later)
    assert Draft.objects.get().publish_at == later
    assert drafts.publish_due_drafts() == 0
    assert NewsItem.objects.get(pk=item.pk).title_en == "Before the hour"
    assert drafts.publish_due_drafts(now=later) == 1
    assert NewsItem.objects.get(pk=item.pk).title_en == "After the hour"
    assert not Draft.objects.exists()


# Through the admin ------------------------------------------------------------------------------

# A word no other text has, to look for on every public route.
WORD = "Zanzibarite"
WORD_FR = "Zanzibarienne"
LONG_AGO = timezone.now() - datetime.timedelta(days=400)


def public_routes(item, town):
    """Every public address that could show the report or the town, in English and French."""
    routes = []
    for lang in ("en", "fr"):
        routes += [
            f"/{lang}/",
            f"/{lang}/news/",
            f"/{lang}/news/?kind=report",
            item.get_absolute_url().replace("/en/", f"/{lang}/", 1),
            f"/{lang}/news/feed/",
            f"/{lang}/news/feed/atom/",
            f"/{lang}/news/feed/report/",
            f"/{lang}/search/?q={WORD}",
            f"/{lang}/search/?q={WORD_FR}",
            f"/{lang}/partners/",
            town.get_absolute_url().replace("/en/", f"/{lang}/", 1),
            f"/{lang}/partners/data/",
            f"/{lang}/partners/data/municipalities.csv",
            f"/{lang}/partners/data/municipalities.geojson",
            f"/{lang}/partners/data/partnerships.csv",
            f"/{lang}/partners/data/partnerships.geojson",
        ]
    return [*routes, "/sitemap.xml", "/sitemap-news.xml"]


def assert_nothing_of_the_draft(routes, item, client=None):
    client = client or Client()
    for url in routes:
        # A review link to a live item sends to its public page.
        response = client.get(url, follow="/review/" in url)
        assert response.status_code == 200, url
        content = b"".join(response) if response.streaming else response.content
        text = content.decode()
        if "/search/" in url:
            # The search page repeats what was asked: it must find nothing.
            assert item.slug not in text, url
            text = text.replace(WORD, "").replace(WORD_FR, "")
        assert WORD not in text and WORD_FR not in text, url


def live_report():
    item = make_news(
        "Market halls in the Mekong delta",
        kind=Kind.REPORT,
        body_en="<p>The halls opened in March.</p>",
        title_fr="Les halles du delta du Mékong",
        body_fr="<p>Les halles ont ouvert en mars.</p>",
    )
    NewsItem.objects.filter(pk=item.pk).update(updated_at=LONG_AGO, published_at=LONG_AGO)
    item.refresh_from_db()
    return item


def edit(client, obj, **changes):
    """Open the item's change form and save it with `changes` (its other fields as shown)."""
    data = admin_form_data(client.get(change_url(obj)))
    data.update(changes)
    return client.post(change_url(obj), data)


def test_an_editors_draft_of_a_live_report_reaches_no_reader_until_it_is_published(
    editor, publisher
):
    item = live_report()
    town = make_municipality("Town of Riverside", summary_en="A town on the river.")
    Municipality.objects.filter(pk=town.pk).update(updated_at=LONG_AGO)
    link = ReviewLink.make(item)
    routes = [*public_routes(item, town), f"/en/review/{link.token}/"]
    reader = Client()
    # Every page is cached for readers before the edit.
    for url in routes[:4]:
        reader.get(url)
    assert reader.get(routes[3])["X-Cache"] == "hit"

    response = edit(
        editor,
        item,
        title_en=f"Market halls: {WORD} edition",
        body_en=f"<p>The {WORD} halls opened in May.</p>",
        title_fr=f"Les halles {WORD_FR}",
        body_fr=f"<p>Les halles {WORD_FR} ont ouvert en mai.</p>",
    )
    assert response.status_code == 302, form_errors(response)
    response = edit(editor, town, summary_en=f"A {WORD} town on the river.")
    assert response.status_code == 302, form_errors(response)

    # The rows are as they were; every public route, cached or not, shows the live version.
    item.refresh_from_db()
    assert item.title_en == "Market halls in the Mekong delta" and item.updated_at == LONG_AGO
    assert_nothing_of_the_draft(routes, item)
    page = visible_text(reader.get(item.get_absolute_url()))
    assert "The halls opened in March." in page
    assert f"Page Updated: {today()}" not in page
    # Nor to a member, nor to staff looking at the public site.
    member = Client()
    member.force_login(make_member())
    assert_nothing_of_the_draft([item.get_absolute_url(), f"/en/search/?q={WORD}"], item, member)
    assert_nothing_of_the_draft([item.get_absolute_url()], item, editor)

    # The editor's form shows the draft, and says so.
    form = editor.get(change_url(item))
    html = form.content.decode()
    assert f'value="Market halls: {WORD} edition"' in html
    assert f"Les halles {WORD_FR}" in html
    text = visible_text(form)
    assert "Readers see the live version; your changes are a draft." in text
    assert "Compare with live" in text and "Discard draft" in text
    assert 'name="_publish_draft"' not in html  # an editor's
    # The list says so, and filters on it.
    listing = visible_text(editor.get(reverse("admin:news_newsitem_changelist")))
    assert "Live + draft" in listing
    pending = editor.get(reverse("admin:news_newsitem_changelist") + "?pending_draft=yes")
    assert "Market halls in the Mekong delta" in visible_text(pending)
    none = editor.get(reverse("admin:news_newsitem_changelist") + "?pending_draft=no")
    assert "Market halls in the Mekong delta" not in visible_text(none)
    towns = visible_text(editor.get(reverse("admin:partners_municipality_changelist")))
    assert "Live + draft" in towns
    # Compare with live: the words removed and added.
    compare = editor.get(reverse("admin:news_newsitem_draft_compare", args=[item.pk]))
    assert compare.status_code == 200
    assert WORD in visible_text(compare) and "Title (French)" in visible_text(compare)

    # The publisher publishes the changes (the form as the draft has it).
    form = publisher.get(change_url(item))
    assert 'value="Publish changes"' in form.content.decode()
    data = admin_form_data(form)
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(change_url(item), data)
    assert response.status_code == 302, form_errors(response)
    assert "are published: readers see them now" in visible_text(publisher.get(response.url))
    item.refresh_from_db()
    assert item.title_en == f"Market halls: {WORD} edition"
    assert item.title_fr == f"Les halles {WORD_FR}"
    assert drafts.draft_for(item) is None
    page = reader.get(item.get_absolute_url())
    assert page["X-Cache"] == "miss"  # the cached page rolled over
    assert f"The {WORD} halls opened in May." in visible_text(page)
    assert f"Page Updated: {today()}" in visible_text(page)
    assert f"Les halles {WORD_FR}" in visible_text(
        reader.get(item.get_absolute_url().replace("/en/", "/fr/", 1))
    )
    assert WORD in visible_text(reader.get(f"/en/search/?q={WORD}"))
    assert WORD in reader.get("/en/news/feed/").content.decode()
    # The history says who published what.
    actions = WorkflowEvent.objects.filter(object_id=str(item.pk)).values_list("action", flat=True)
    assert list(actions)[:2] == [EventAction.PUBLISHED, EventAction.DRAFT_SAVED]
    # The town's draft still waits.
    assert WORD not in reader.get(town.get_absolute_url()).content.decode()


def test_documents_chosen_in_a_draft_appear_only_once_it_is_published(editor, publisher):
    item = live_report()
    old = item.documents.get().document
    new = make_document("New edition", pdf_bytes(pages=3), name="new-edition.pdf")
    response = edit(editor, item, **{"documents-0-document": str(new.pk)})
    assert response.status_code == 302, form_errors(response)
    assert [link.document for link in item.documents.all()] == [old]
    rows = drafts.draft_for(item).data["inlines"]["documents"]
    assert [row["fields"]["document_id"] for row in rows] == [new.pk]
    # Readers get the old document; the draft's is offered by no live item.
    page = Client().get(item.get_absolute_url()).content.decode()
    assert old.get_absolute_url() in page and new.get_absolute_url() not in page
    assert Client().get(new.get_absolute_url()).status_code == 404
    # The form shows the draft's choice.
    assert "New edition" in editor.get(change_url(item)).content.decode()

    data = admin_form_data(publisher.get(change_url(item)))
    data["_publish_draft"] = "Publish changes"
    assert publisher.post(change_url(item), data).status_code == 302
    assert [link.document for link in item.documents.all()] == [new]
    page = Client().get(item.get_absolute_url()).content.decode()
    assert new.get_absolute_url() in page
    assert Client().get(new.get_absolute_url()).status_code == 200


def test_discarding_a_draft_in_the_admin_leaves_the_live_item(
    editor, django_capture_on_commit_callbacks
):
    item = live_report()
    edit(editor, item, title_en=f"{WORD} title")
    url = reverse("admin:news_newsitem_draft_discard", args=[item.pk])
    confirm = editor.get(url)
    assert confirm.status_code == 200 and "Yes, discard the draft" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # files go once it is committed
        response = editor.post(url)
    assert response.status_code == 302
    assert "is discarded" in visible_text(editor.get(response.url))
    item.refresh_from_db()
    assert item.title_en == "Market halls in the Mekong delta"
    assert drafts.draft_for(item) is None
    assert item.documents.count() == 1
    assert WorkflowEvent.objects.filter(action=EventAction.DISCARDED).count() == 1
    form = visible_text(editor.get(change_url(item)))
    assert "your changes are a draft" not in form
    assert "Saving keeps your changes as a draft" in form
    # Nothing to discard any more.
    assert editor.post(url).status_code == 302
    assert Draft.objects.count() == 0


def test_a_scheduled_draft_is_published_by_the_first_request_after_its_time(publisher):
    item = live_report()
    reader = Client()
    reader.get(item.get_absolute_url())
    later = timezone.localtime() + datetime.timedelta(minutes=1)
    response = edit(
        publisher,
        item,
        title_en=f"{WORD} at the hour",
        _schedule_draft="Schedule changes",
        draft_publish_at_0=later.date().isoformat(),
        draft_publish_at_1=later.strftime("%H:%M:%S"),
    )
    assert response.status_code == 302, form_errors(response)
    assert "are scheduled: readers see them from" in visible_text(publisher.get(response.url))
    draft = drafts.draft_for(item)
    assert draft.publish_at == later.replace(microsecond=0)
    assert "Scheduled: the draft replaces the live version at" in visible_text(
        publisher.get(change_url(item))
    )
    # Scheduling started a new content version, which lasts until the draft's time.
    assert reader.get(item.get_absolute_url())["X-Cache"] == "miss"
    page = reader.get(item.get_absolute_url())
    assert page["X-Cache"] == "hit" and WORD not in page.content.decode()

    # The minute passes (here: the time is set just past). No job runs: the next request of
    # anyone publishes it first, and the cached page rolls over.
    draft.publish_at = timezone.now() - datetime.timedelta(seconds=1)
    draft.save()
    page = reader.get(item.get_absolute_url())
    assert page["X-Cache"] == "miss"
    assert f"{WORD} at the hour" in visible_text(page)
    assert not Draft.objects.exists()
    item.refresh_from_db()
    assert item.title_en == f"{WORD} at the hour" and item.is_live
    assert reader.get(item.get_absolute_url())["X-Cache"] == "hit"


@pytest.mark.parametrize(
    ("when", "message"),
    [
        ({}, "Choose when to publish the changes."),
        (
            {"draft_publish_at_0": "2020-01-01", "draft_publish_at_1": "10:00:00"},
            "Choose a time in the future",
        ),
        ({"draft_publish_at_0": "someday", "draft_publish_at_1": "25:99"}, "Enter a valid date."),
    ],
)
def test_a_bad_schedule_time_is_a_form_error_and_nothing_is_saved(publisher, when, message):
    item = live_report()
    response = edit(publisher, item, title_en=f"{WORD}", _schedule_draft="Schedule", **when)
    assert response.status_code == 200
    assert message in visible_text(response)
    assert "Please correct the error" in visible_text(response)
    assert f'value="{WORD}"' in response.content.decode()  # the input is kept
    assert not Draft.objects.exists()


def test_a_live_program_pages_points_wait_in_its_draft(editor, publisher):
    page = make_page("Local finance")
    page.points.create(text_en="Budgets in public", order=1)
    page.points.create(text_en="Audits every year", order=2)
    data = admin_form_data(editor.get(change_url(page)))
    data["points-0-text_en"] = f"Budgets in {WORD}"
    data["points-1-DELETE"] = "on"
    add_pairing_row(data, "points", text_en=f"A new {WORD} point", order="3")
    response = editor.post(change_url(page), data)
    assert response.status_code == 302, form_errors(response)
    public = Client().get(page.get_absolute_url()).content.decode()
    assert WORD not in public and "Audits every year" in public
    assert page.points.count() == 2

    # The form shows the draft's rows: changed, removed, added.
    form = publisher.get(change_url(page))
    rows = form.context["inline_admin_formsets"][0].formset.forms
    assert [row["text_en"].value() for row in rows][:2] == [
        f"Budgets in {WORD}",
        f"A new {WORD} point",
    ]
    data = admin_form_data(form)
    # admin_form_data leaves out extra rows: the draft's new row is one, kept here.
    add_pairing_row(data, "points", text_en=f"A new {WORD} point", order="3")
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(change_url(page), data)
    assert response.status_code == 302, form_errors(response)
    texts = list(page.points.order_by("order").values_list("text_en", flat=True))
    assert texts == [f"Budgets in {WORD}", f"A new {WORD} point"]
    public = Client().get(page.get_absolute_url()).content.decode()
    assert f"A new {WORD} point" in public and "Audits every year" not in public


def test_a_publisher_who_unticks_publish_unpublishes_with_the_forms_content(publisher):
    item = live_report()
    response = edit(publisher, item, title_en=f"{WORD} draft")
    assert response.status_code == 302
    response = edit(publisher, item, is_published="")
    assert response.status_code == 302, form_errors(response)
    item.refresh_from_db()
    assert not item.is_published and item.title_en == f"{WORD} draft"
    assert drafts.draft_for(item) is None
    assert Client().get(item.get_absolute_url()).status_code == 404
    # A draft again: saving changes the row.
    edit(publisher, item, title_en="Back to work")
    item.refresh_from_db()
    assert item.title_en == "Back to work"


def test_the_dashboard_lists_drafts_of_live_items_in_constant_queries(editor):
    def drafts_section():
        response = editor.get(reverse("admin:index"))
        return visible_text(response).split("Drafts of live items", 1)[1].split("Drafts in")[0]

    assert "No live item has a pending draft." in drafts_section()
    edit(editor, make_news("First live story"), title_en=f"First {WORD}")
    edit(editor, make_municipality("Town of Drafts"), summary_en=WORD)
    edit(editor, make_page("Live page"), summary_en=WORD)
    section = drafts_section()
    assert "First live story" in section and "Town of Drafts" in section
    assert "Live page" in section and "Draft saved" in section and "3 in all" in section
    queries = count_queries(editor, reverse("admin:index"))
    for number in range(12):
        edit(editor, make_news(f"Live story {number}"), title_en=f"{WORD} {number}")
    for number in range(3):
        edit(editor, make_municipality(f"Town {number}"), summary_en=WORD)
        edit(editor, make_page(f"Page {number}"), summary_en=WORD)
    # A query for the count, one for the list, one per kind of item listed: the same.
    assert count_queries(editor, reverse("admin:index")) == queries
    section = drafts_section()
    assert "21 in all" in section and "the first 10 below" in section


def test_saving_a_live_items_form_unchanged_makes_no_draft(editor):
    item = live_report()
    response = edit(editor, item)
    assert response.status_code == 302, form_errors(response)
    assert "Nothing changed" in visible_text(editor.get(response.url))
    assert drafts.draft_for(item) is None
    # A draft changed back to the live text is gone.
    edit(editor, item, title_en=f"{WORD} title")
    assert drafts.draft_for(item) is not None
    edit(editor, item, title_en="Market halls in the Mekong delta")
    assert drafts.draft_for(item) is None
    assert "Live + draft" not in visible_text(editor.get(reverse("admin:news_newsitem_changelist")))


# A news item's form uploads no file any more (its documents and image are chosen from the media
# library): the files a draft uploads are tested with the library's own forms.


@pytest.mark.django_db
def test_a_scheduled_draft_applied_by_a_french_request_is_recorded_in_the_sites_language(
    django_user_model,
):
    from reversion.models import Version

    publisher = django_user_model.objects.create_user("pub", "pub@example.org", "x")
    item = make_news("Before the hour")
    draft = drafts.save_draft(item, news_form(item, title_en="After the hour"), publisher)
    drafts.publish_draft(draft, by=publisher, at=timezone.now() + datetime.timedelta(minutes=1))
    # The server last served a French page; then the time comes and the next request, before
    # its own language is known, applies the draft.
    Client().get("/fr/news/")
    Draft.objects.update(publish_at=timezone.now() - datetime.timedelta(seconds=1))
    drafts.forget_due_time()
    Client().get("/fr/news/")
    assert NewsItem.objects.get(pk=item.pk).title_en == "After the hour"
    comment = Version.objects.get_for_object(item).first().revision.comment
    assert comment.startswith("Published"), comment
