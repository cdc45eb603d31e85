"""Drafts of live items (editorial/drafts.py): a change to a published item waits, out of
readers' sight, until a publisher publishes it (now or at a set time) or someone discards it."""

import datetime

import pytest
from django.forms import modelform_factory
from django.utils import timezone

from editorial import drafts
from editorial.models import Draft, EventAction, WorkflowEvent
from news.models import NewsItem
from pages.models import ProgramPage

from .helpers import make_municipality, make_news, make_page


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
    assert data["fields"]["pdf"].endswith(".pdf")
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
