"""Submit for review for municipalities and partnerships (issue 16), through the admin as the
Editors and Publishers roles: an editor submits a new draft or a change to a live one, a
publisher previews what changed, then publishes it or sends it back with a comment. The news
items' and program pages' review: tests/test_moderation.py."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import Draft, DraftState, EventAction, WorkflowEvent
from partners.models import Country, Partnership

from .helpers import (
    change_url,
    make_municipality,
    make_partnership,
    markup,
    review,
    submit,
    visible_text,
)

INDEX = "/admin/"
PARTNERS = "/en/partners/"


@pytest.fixture
def towns(db):
    return {
        "canadian": make_municipality("Town of Banff", Country.CANADA),
        "cambodian": make_municipality("Kampot", Country.CAMBODIA),
    }


def draft_of(obj):
    return Draft.objects.filter(
        content_type__app_label=obj._meta.app_label,
        content_type__model=obj._meta.model_name,
        object_id=str(obj.pk),
    ).first()


def steps(obj):
    """The review's steps (not each save of the draft): (action, message), oldest first."""
    return list(
        WorkflowEvent.objects.filter(
            content_type__model=obj._meta.model_name, object_id=str(obj.pk)
        )
        .exclude(action=EventAction.DRAFT_SAVED)
        .order_by("at", "pk")
        .values_list("action", "message")
    )


def review_panel(client, obj):
    page = markup(client.get(change_url(obj)))
    found = re.search(r'<section[^>]*id="review".*?</section>', page, re.S)
    return found.group(0) if found else ""


def waiting(client):
    page = client.get(INDEX).content.decode()
    found = re.search(r'<section[^>]*id="dashboard-review".*?</section>', page, re.S)
    return visible_text(found.group(0)) if found else ""


# Municipalities ----------------------------------------------------------------------------------


def test_a_new_municipality_is_submitted_then_published(editor, publisher):
    town = make_municipality("Town of Canmore", Country.CANADA, published=False)
    assert submit(editor, town, "Ready for readers.").status_code == 302
    draft = draft_of(town)
    assert draft.state == DraftState.IN_REVIEW and draft.data is None
    assert "Town of Canmore" in waiting(publisher)
    assert "Town of Canmore" not in visible_text(Client().get(PARTNERS))

    assert "Publish now" in visible_text(review_panel(publisher, town))
    assert review(publisher, town, "publish", "Welcome.").status_code == 302
    town.refresh_from_db()
    assert town.is_published
    assert "Town of Canmore" in visible_text(Client().get(PARTNERS))
    assert Client().get(town.get_absolute_url()).status_code == 200
    assert draft_of(town) is None
    assert steps(town)[-2:] == [
        (EventAction.SUBMITTED, "Ready for readers."),
        (EventAction.PUBLISHED, "Welcome."),
    ]


def test_a_change_to_a_live_municipality_is_previewed_sent_back_and_resubmitted(
    editor, publisher, towns
):
    town = towns["canadian"]
    reader = Client()
    response = submit(editor, town, "New region.", region="Alberta Rockies")
    assert response.status_code == 302
    town.refresh_from_db()
    assert town.region != "Alberta Rockies"
    assert "Alberta Rockies" not in visible_text(reader.get(town.get_absolute_url()))

    # The publisher sees what changed against the live town, then the compare page.
    panel = review_panel(publisher, town)
    assert "Province" in visible_text(panel) and "<ins>" in panel and "Rockies" in panel
    compare = publisher.get(reverse("admin:partners_municipality_draft_compare", args=[town.pk]))
    assert "Alberta Rockies" in visible_text(compare)

    response = review(publisher, town, "send_back", "Say which province.")
    assert response.status_code == 302
    assert draft_of(town).state == DraftState.SENT_BACK
    page = visible_text(editor.get(change_url(town)))
    assert "Sent back by" in page and "Say which province." in page
    assert "Town of Banff" not in waiting(publisher)

    assert submit(editor, town, "Province named.", region="Alberta").status_code == 302
    assert review(publisher, town, "publish").status_code == 302
    town.refresh_from_db()
    assert town.region == "Alberta" and town.is_published
    assert "Alberta" in visible_text(reader.get(town.get_absolute_url()))
    assert [action for action, _message in steps(town)][-4:] == [
        EventAction.SUBMITTED,
        EventAction.SENT_BACK,
        EventAction.SUBMITTED,
        EventAction.PUBLISHED,
    ]


def test_an_editor_cannot_decide_a_municipality_s_review(editor, towns):
    town = make_municipality("Town of Jasper", Country.CANADA, published=False)
    submit(editor, town)
    assert review(editor, town, "publish").status_code == 403
    town.refresh_from_db()
    assert not town.is_published
    assert draft_of(town).state == DraftState.IN_REVIEW


# Partnerships ------------------------------------------------------------------------------------


def test_a_new_partnership_is_submitted_then_published(editor, publisher, towns):
    pairing = make_partnership(
        towns["canadian"], towns["cambodian"], is_published=False, focus="Tourism"
    )
    assert "Tourism" not in visible_text(Client().get(PARTNERS))
    assert submit(editor, pairing, "Signed last week.").status_code == 302
    assert draft_of(pairing).state == DraftState.IN_REVIEW
    assert "Banff" in waiting(publisher)

    assert review(publisher, pairing, "publish").status_code == 302
    pairing.refresh_from_db()
    assert pairing.is_published
    assert "Tourism" in visible_text(Client().get(PARTNERS))
    assert [action for action, _message in steps(pairing)][-2:] == [
        EventAction.SUBMITTED,
        EventAction.PUBLISHED,
    ]


def test_a_change_to_a_live_partnership_is_sent_back_then_published(editor, publisher, towns):
    pairing = make_partnership(towns["canadian"], towns["cambodian"], focus="Tourism")
    reader = Client()
    assert submit(editor, pairing, focus_en="Tourism and waste").status_code == 302
    pairing.refresh_from_db()
    assert pairing.focus == "Tourism"
    assert "Tourism and waste" not in visible_text(reader.get(PARTNERS))

    panel = review_panel(publisher, pairing)
    assert "Focus (English)" in visible_text(panel) and "<ins>" in panel

    assert review(publisher, pairing, "send_back", "Waste is next year.").status_code == 302
    assert draft_of(pairing).state == DraftState.SENT_BACK
    assert "Waste is next year." in visible_text(editor.get(change_url(pairing)))
    assert Partnership.objects.get().focus == "Tourism"

    assert submit(editor, pairing, focus_en="Tourism and markets").status_code == 302
    assert review(publisher, pairing, "publish", "Good.").status_code == 302
    pairing.refresh_from_db()
    assert pairing.focus == "Tourism and markets" and pairing.is_published
    assert "Tourism and markets" in visible_text(reader.get(PARTNERS))
    assert draft_of(pairing) is None


def test_a_partnership_cannot_be_scheduled_and_says_so(editor, publisher, towns):
    pairing = make_partnership(towns["canadian"], towns["cambodian"], is_published=False)
    submit(editor, pairing)
    response = review(publisher, pairing, "schedule")
    assert response.status_code == 400
    assert "publish it now instead" in visible_text(response)
    pairing.refresh_from_db()
    assert not pairing.is_published
