"""A press feature with no body and no article may not be published (its subscribers would
get an empty alert): refused with a message in the admin form, the list's bulk action and
editorial.workflow.publish() (every other path: reviews, drafts, schedules), nothing lost. It
may still be saved as a draft."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from editorial import workflow
from editorial.models import Draft
from news.models import Kind, NewsItem

from .helpers import (
    form_errors,
    make_member,
    make_news,
    news_post,
    review,
    run_worker,
    visible_text,
)


def django_user(client):
    return get_user_model().objects.get(pk=client.session["_auth_user_id"])


REFUSED = "A press feature needs a body or at least one article before it is published"


def test_the_admin_form_refuses_to_publish_an_empty_press_feature(staff_client, db):
    response = staff_client.post(
        reverse("admin:news_newsitem_add"), news_post(kind=Kind.PRESS, body_en="<p></p>")
    )
    assert response.status_code == 200
    assert REFUSED in visible_text(response)
    assert not NewsItem.objects.exists()


def test_an_empty_press_feature_may_be_saved_as_a_draft(staff_client, db):
    data = news_post(kind=Kind.PRESS, body_en="")
    del data["is_published"]
    response = staff_client.post(reverse("admin:news_newsitem_add"), data)
    assert response.status_code == 302, form_errors(response)
    assert not NewsItem.objects.get().is_published


def test_a_press_feature_with_only_an_article_is_published(staff_client, db):
    data = news_post(
        kind=Kind.PRESS,
        body_en="",
        **{
            "articles-TOTAL_FORMS": "1",
            "articles-0-title_en": "Markets that work",
            "articles-0-publication": "Economics Today",
            "articles-0-url": "https://example.org/markets",
            "articles-0-note_en": "",
            "articles-0-order": "1",
        },
    )
    response = staff_client.post(reverse("admin:news_newsitem_add"), data)
    assert response.status_code == 302, form_errors(response)
    assert NewsItem.objects.get().is_published


def test_the_bulk_action_publishes_the_others_and_says_why_not_the_empty_one(staff_client, db):
    empty = make_news("Empty feature", kind=Kind.PRESS, published=False, body="")
    story = make_news("Ready story", published=False)
    response = staff_client.post(
        reverse("admin:news_newsitem_changelist"),
        {"action": "publish_now", "_selected_action": [empty.pk, story.pk]},
        follow=True,
    )
    page = visible_text(response)
    assert "1 item published." in page
    assert "Not published: “Empty feature”" in page and REFUSED in page
    empty.refresh_from_db()
    story.refresh_from_db()
    assert not empty.is_published and story.is_published
    assert empty.title == "Empty feature"


def test_publish_refuses_an_empty_press_feature_on_every_path(db, django_user_model):
    by = django_user_model.objects.create_user("pub", "pub@example.org", "x")
    empty = make_news("Empty feature", kind=Kind.PRESS, published=False, body="")
    with pytest.raises(workflow.PublishingRefused, match=REFUSED):
        workflow.publish(empty, by=by)
    empty.refresh_from_db()
    assert not empty.is_published and empty.alerts_queued_at is None
    assert mail.outbox == []


def test_a_publisher_reviewing_an_empty_press_feature_is_told_why_and_it_stays_a_draft(
    people,
):
    editor, publisher = people["editor"], people["publisher_en"]
    data = news_post(kind=Kind.PRESS, body_en="")
    data.pop("is_published")
    data["_submit_for_review"] = "Submit for review"
    data["review_message"] = "Ready?"
    assert editor.post(reverse("admin:news_newsitem_add"), data).status_code == 302
    item = NewsItem.objects.get()
    response = review(publisher, item, "publish")
    assert response.status_code == 400
    assert REFUSED in visible_text(response)
    item.refresh_from_db()
    assert not item.is_published
    assert Draft.objects.filter(object_id=str(item.pk)).exists()


def test_a_press_feature_emptied_before_its_alert_is_sent_sends_none(
    staff_client, transactional_db
):
    make_member("press@example.org", alerts_press=True)
    by = django_user(staff_client)
    emptied = make_news("Emptied", kind=Kind.PRESS, published=False, body="<p>Text.</p>")
    kept = make_news("Kept", kind=Kind.PRESS, published=False, body="<p>Text.</p>")
    workflow.publish(emptied, by=by)
    workflow.publish(kept, by=by)
    # Emptied after publishing, before the worker sends the alerts.
    NewsItem.objects.filter(pk=emptied.pk).update(body_en="", body_fr="", body_km="")
    run_worker()
    assert [message.subject for message in mail.outbox] == ["[MPED] New press feature: Kept"]
