"""Moderation: an editor submits a draft for review with a message, the publishers are emailed
(each in their language, from the task worker) and find it at the top of the dashboard; a
publisher sends it back with a comment (the editor is emailed), the editor resubmits, and a
publisher publishes or schedules it. Every step is on the item's history page. Bad input is
a 4xx that says what is wrong; a save over a newer version is refused and loses nothing.

The email tests commit for real (transactional_db): the worker, like the real one, runs the
tasks queued once the step's transaction committed."""

import datetime
import re

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from editorial import drafts, moderation
from editorial.models import Draft, DraftState, EventAction, WorkflowEvent
from news.models import Kind, NewsItem

from .helpers import (
    change_url,
    form_data,
    make_news,
    make_page,
    news_post,
    review,
    review_url,
    run_worker,
    submit,
    visible_text,
)

INDEX = "/admin/"


def history_url(item):
    opts = item._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_history", args=[item.pk])


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def to(address):
    return [message for message in mail.outbox if address in message.to]


def section_html(response, key):
    page = response.content.decode()
    found = re.search(rf'<section[^>]*id="dashboard-{key}".*?</section>', page, re.S)
    return found.group(0) if found else None


def steps(item):
    return list(
        WorkflowEvent.objects.filter(object_id=str(item.pk))
        .order_by("at", "pk")
        .values_list("action", "user__email", "message")
    )


def test_the_whole_review_of_a_new_report_emails_each_person_in_their_language(
    transactional_db, people
):
    editor, publisher = people["editor"], people["publisher_fr"]
    item = make_news(
        "Budget report",
        kind=Kind.REPORT,
        published=False,
        title_fr="Rapport budgétaire",
    )
    response = editor.get(change_url(item))
    assert 'name="_submit_for_review" value="Submit for review"' in response.content.decode()
    assert "Message to the publishers (optional)" in visible_text(response)

    response = submit(editor, item, "Please check the figures in table 2.")
    assert response.status_code == 302 and response["Location"] == change_url(item)
    page = visible_text(editor.get(change_url(item)))
    assert "submitted for review: the publishers are emailed" in page
    assert "In review since" in page and "submitted by Eda Writer" in page
    draft = Draft.objects.get(object_id=str(item.pk))
    assert (draft.state, draft.submitted_by, draft.data) == (
        DraftState.IN_REVIEW,
        editor.user,
        None,
    )

    # The publishers are emailed by the worker, not the request: not the editors, not the
    # inactive publisher, each in their own language, with the item's admin link.
    assert mail.outbox == []
    run_worker()
    assert recipients() == ["pub-en@example.org", "pub-fr@example.org"]
    french, english = to("pub-fr@example.org")[0], to("pub-en@example.org")[0]
    assert "Rapport budgétaire" in french.subject and "(Rapport)" in french.body
    assert "Budget report" in english.subject and "(Report)" in english.body
    assert "Waiting for your review" in english.subject
    assert "Eda Writer asks you to review" in english.body
    assert "Please check the figures in table 2." in english.body
    link = f"http://127.0.0.1:8000{change_url(item)}"
    assert link in english.body and link in french.body

    # Both see it at the top of the dashboard, with the count.
    for client in (publisher, editor):
        response = client.get(INDEX)
        sections = re.findall(r'<section[^>]*id="dashboard-([a-z-]+)"', response.content.decode())
        assert sections[0] == "review"
        text = visible_text(section_html(response, "review"))
        assert "Waiting for review" in text and "1 in all" in text
        assert "Budget report" in text and "by Eda Writer" in text
        assert f'href="{change_url(item)}"' in section_html(response, "review")

    # The publisher opens it: what changed (a new item: all of it) and the review form.
    page = visible_text(publisher.get(change_url(item)))
    assert "What changed" in page and "This item was never published" in page
    assert "Publish now" in page and "Send back" in page and "Schedule" in page
    # The editor has no review form.
    assert "Send back" not in visible_text(editor.get(change_url(item)))

    # Sent back: a comment is required.
    mail.outbox.clear()
    response = review(publisher, item, "send_back", "   ")
    assert response.status_code == 400
    assert "Write what needs to change" in visible_text(response)
    assert Draft.objects.get(pk=draft.pk).state == DraftState.IN_REVIEW
    response = review(publisher, item, "send_back", "Table 2 does not add up.")
    assert response.status_code == 302
    assert Draft.objects.get(pk=draft.pk).state == DraftState.SENT_BACK
    run_worker()
    assert recipients() == ["editor@example.org"]
    assert "Sent back to you" in mail.outbox[0].subject
    assert "Table 2 does not add up." in mail.outbox[0].body
    assert link in mail.outbox[0].body
    page = visible_text(editor.get(change_url(item)))
    assert "Sent back by Paul" in page and "Table 2 does not add up." in page
    assert "0 in all" in visible_text(section_html(publisher.get(INDEX), "review"))

    # The editor fixes it and submits it again; the publisher publishes it.
    mail.outbox.clear()
    response = submit(editor, item, "Fixed.", summary_en="Table 2 now adds up.")
    assert response.status_code == 302
    run_worker()
    assert recipients() == ["pub-en@example.org", "pub-fr@example.org"]
    mail.outbox.clear()
    response = review(publisher, item, "publish")
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.is_published and item.is_live
    assert not Draft.objects.filter(object_id=str(item.pk)).exists()
    assert Client().get(item.get_absolute_url()).status_code == 200
    run_worker()
    assert "editor@example.org" in recipients()
    assert "[MPED] Published" in to("editor@example.org")[0].subject

    # Every step on the history page: who, when, what, and the message.
    assert steps(item) == [
        (EventAction.SUBMITTED, "editor@example.org", "Please check the figures in table 2."),
        (EventAction.SENT_BACK, "pub-fr@example.org", "Table 2 does not add up."),
        (EventAction.SUBMITTED, "editor@example.org", "Fixed."),
        (EventAction.PUBLISHED, "pub-fr@example.org", ""),
    ]
    history = publisher.get(history_url(item))
    text = visible_text(history)
    assert "Review steps" in text
    rows = re.findall(r"<tr>(.*?)</tr>", history.content.decode().split("review-steps")[-1], re.S)
    cells = [visible_text(row) for row in rows]
    assert any("Submitted for review" in row and "Please check the figures" in row for row in cells)
    assert any("Sent back" in row and "Table 2 does not add up." in row for row in cells)
    assert any("Published" in row and "Paul" in row for row in cells)


def test_a_scheduled_review_goes_public_at_its_time(transactional_db, people):
    editor, publisher = people["editor"], people["publisher_en"]
    item = make_page("Water programme", published=False)
    assert submit(editor, item).status_code == 302
    when = timezone.now() + datetime.timedelta(hours=2)
    response = review(publisher, item, "schedule", when=when)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.is_published and not item.is_live
    assert abs((item.published_at - when).total_seconds()) < 1
    assert Client().get(item.get_absolute_url()).status_code == 404
    assert steps(item)[-1][:2] == (EventAction.SCHEDULED, "pub-en@example.org")
    run_worker()
    assert "[MPED] Scheduled" in to("editor@example.org")[0].subject


def test_a_change_to_a_live_item_is_reviewed_against_the_live_version_then_published(people):
    editor, publisher = people["editor"], people["publisher_en"]
    item = make_news(
        "Clean water for Kampot",
        summary="Wells for three villages.",
        body="<p>The council dug three wells.</p>",
        title_fr="De l'eau propre pour Kampot",
    )
    response = submit(
        editor,
        item,
        "French title fixed, one more well.",
        title_fr="De l'eau potable pour Kampot",
        body_en="<p>The council dug four wells.</p>",
    )
    assert response.status_code == 302
    draft = Draft.objects.get(object_id=str(item.pk))
    assert draft.state == DraftState.IN_REVIEW and draft.data is not None
    # Readers still see the live version, in both languages.
    reader = Client()
    page = visible_text(reader.get(item.get_absolute_url()))
    assert "three wells" in page and "four wells" not in page
    page = visible_text(reader.get(item.get_absolute_url().replace("/en/", "/fr/", 1)))
    assert "De l'eau propre pour Kampot" in page

    # The publisher sees what changed against the live version, field by field.
    response = publisher.get(change_url(item))
    panel = re.search(r'<section[^>]*id="review".*?</section>', response.content.decode(), re.S)
    text = visible_text(panel.group(0))
    assert "Title (French)" in text and "Body (English)" in text
    assert "Title (English)" not in text and "Summary" not in text
    assert "<del>propre</del>" in panel.group(0) and "<ins>potable</ins>" in panel.group(0)
    assert "<del>three</del>" in panel.group(0) and "<ins>four</ins>" in panel.group(0)

    assert review(publisher, item, "publish", "Thanks!").status_code == 302
    item.refresh_from_db()
    assert item.body_en == "<p>The council dug four wells.</p>"
    assert item.title_fr == "De l'eau potable pour Kampot"
    assert not Draft.objects.filter(object_id=str(item.pk)).exists()
    assert "four wells" in visible_text(reader.get(item.get_absolute_url()))
    assert [step[0] for step in steps(item)][-2:] == [EventAction.SUBMITTED, EventAction.PUBLISHED]
    assert steps(item)[-1][2] == "Thanks!"


def test_a_scheduled_change_to_a_live_item_waits_for_its_time(people):
    editor, publisher = people["editor"], people["publisher_en"]
    item = make_news("Road repairs", body="<p>Work starts in May.</p>")
    submit(editor, item, body_en="<p>Work starts in June.</p>")
    when = timezone.now() + datetime.timedelta(hours=3)
    assert review(publisher, item, "schedule", when=when).status_code == 302
    draft = Draft.objects.get(object_id=str(item.pk))
    assert abs((draft.publish_at - when).total_seconds()) < 1
    # Decided: no longer waiting for review.
    assert "0 in all" in visible_text(section_html(publisher.get(INDEX), "review"))
    assert steps(item)[-1][:2] == (EventAction.SCHEDULED, "pub-en@example.org")
    reader = Client()
    assert "May" in visible_text(reader.get(item.get_absolute_url()))

    assert drafts.publish_due_drafts(now=when + datetime.timedelta(seconds=1)) == 1
    item.refresh_from_db()
    assert item.body_en == "<p>Work starts in June.</p>"
    assert "June" in visible_text(reader.get(item.get_absolute_url()))


def test_bad_review_input_is_a_clear_4xx(people):
    editor, publisher = people["editor"], people["publisher_en"]
    item = make_news("Market day", published=False)
    submit(editor, item)

    missing = reverse("admin:news_newsitem_review", args=[999999])
    response = publisher.post(missing, {"action": "publish"})
    assert response.status_code == 404
    assert "This item does not exist" in visible_text(response)
    not_a_number = reverse("admin:news_newsitem_review", args=["abc"])
    assert publisher.post(not_a_number, {"action": "publish"}).status_code == 404

    # An editor may not decide.
    response = review(editor, item, "publish")
    assert response.status_code == 403
    assert "Only a publisher" in visible_text(response)
    response = review(editor, item, "send_back", "No.")
    assert response.status_code == 403

    response = review(publisher, item, "dance")
    assert response.status_code == 400
    assert "Choose Publish now, Schedule or Send back." in visible_text(response)
    response = review(publisher, item, "schedule")
    assert response.status_code == 400
    assert "Give the date and time to publish it at." in visible_text(response)
    response = review(publisher, item, "schedule", when=timezone.now() - datetime.timedelta(days=1))
    assert response.status_code == 400
    assert "Choose a time in the future" in visible_text(response)
    response = publisher.post(
        review_url(item), {"action": "schedule", "publish_at_0": "31/31/2026", "publish_at_1": "x"}
    )
    assert response.status_code == 400
    assert "Enter a valid date" in visible_text(response)
    # The page shows the comment typed, ready to send again.
    response = publisher.post(
        review_url(item), {"action": "schedule", "comment": "Kept text", "publish_at_0": ""}
    )
    assert response.status_code == 400 and "Kept text" in response.content.decode()
    assert publisher.get(review_url(item)).status_code == 405

    item.refresh_from_db()
    assert not item.is_published
    assert Draft.objects.get(object_id=str(item.pk)).state == DraftState.IN_REVIEW
    assert [step[0] for step in steps(item)] == [EventAction.SUBMITTED]

    # Once decided, a second decision is refused: nothing changes.
    assert review(publisher, item, "send_back", "Shorter, please.").status_code == 302
    response = review(publisher, item, "publish")
    assert response.status_code == 409
    assert "not waiting for review any more" in visible_text(response)
    item.refresh_from_db()
    assert not item.is_published


def test_the_dashboard_s_review_section_costs_the_same_queries_with_more_items(people):
    editor, publisher = people["editor"], people["publisher_en"]
    # One query per kind of item listed: one of each kind to begin with.
    submit(editor, make_news("First for review", published=False))
    submit(editor, make_page("A page for review", published=False))
    publisher.get(INDEX)
    with CaptureQueriesContext(connection) as few:
        response = publisher.get(INDEX)
    assert "2 in all" in visible_text(section_html(response, "review"))
    for number in range(15):
        item = make_news(f"Story {number}", published=False)
        submit(editor, item)
        make_page(f"Page {number}", published=False)
        submit(editor, make_page(f"Other page {number}", published=False))
    publisher.get(INDEX)  # caches that expired meanwhile filled again, as before `few`
    with CaptureQueriesContext(connection) as many:
        response = publisher.get(INDEX)
    text = visible_text(section_html(response, "review"))
    assert "32 in all" in text and "the first 10 below" in text
    # The longest waiting first.
    assert text.index("First for review") < text.index("Story 0")
    assert len(many) == len(few)


def test_a_second_save_over_a_newer_version_is_refused_and_loses_nothing(
    role_client, django_user_model
):
    first = role_client("Editors")
    second = Client()
    other = django_user_model.objects.create_user(
        "second@example.org", "second@example.org", "x", is_staff=True, first_name="Sam"
    )
    other.groups.add(Group.objects.get(name="Editors"))
    second.force_login(other)
    item = make_news("Harvest festival", published=False)

    # Both open the item.
    first_data = form_data(first.get(change_url(item)))
    second_data = form_data(second.get(change_url(item)))
    assert first_data["_version_token"] == second_data["_version_token"]

    first_data["summary_en"] = "The first person's summary."
    assert first.post(change_url(item), first_data).status_code == 302

    second_data["summary_en"] = "The second person's summary."
    response = second.post(change_url(item), second_data)
    assert response.status_code == 200
    text = visible_text(response)
    assert "Someone else (editors@example.org) saved this item at" in text
    assert "Your changes are below, not saved." in text
    # The second person's input is still in the form; the first's text is what is saved.
    assert "The second person&#x27;s summary." in response.content.decode() or (
        "The second person's summary." in response.content.decode()
    )
    item.refresh_from_db()
    assert item.summary_en == "The first person's summary."

    # Warned, they may save again: now from the version they were shown.
    data = form_data(response)
    data["summary_en"] = "The second person's summary."
    assert second.post(change_url(item), data).status_code == 302
    item.refresh_from_db()
    assert item.summary_en == "The second person's summary."


def test_your_own_form_from_before_your_last_save_is_not_refused(role_client):
    client = role_client("Editors")
    item = make_news("Fish market", published=False)
    data = form_data(client.get(change_url(item)))
    data["summary_en"] = "First save."
    assert client.post(change_url(item), data).status_code == 302
    data["summary_en"] = "Second save, from the same page (the browser's Back button)."
    assert client.post(change_url(item), data).status_code == 302
    item.refresh_from_db()
    assert item.summary_en.startswith("Second save")


def test_a_form_shown_again_for_an_error_keeps_the_version_it_was_opened_from(role_client):
    client = role_client("Editors")
    item = make_news("Rice prices", published=False)
    data = form_data(client.get(change_url(item)))
    data["title_en"] = ""  # an error of its own: the form is shown again
    response = client.post(change_url(item), data)
    assert response.status_code == 200
    assert "saved this item" not in visible_text(response)
    NewsItem.objects.filter(pk=item.pk).update(summary_en="Changed meanwhile.")
    again = form_data(response)
    again["title_en"] = "Rice prices"
    response = client.post(change_url(item), again)
    assert response.status_code == 200
    assert "saved this item" in visible_text(response)
    item.refresh_from_db()
    assert item.summary_en == "Changed meanwhile."


def test_a_new_item_is_submitted_from_the_add_form(people):
    editor = people["editor"]
    data = form_data_of_add(editor)
    response = editor.post(reverse("admin:news_newsitem_add"), data)
    assert response.status_code == 302
    item = NewsItem.objects.get(slug="council-opens-a-farmers-market")
    assert not item.is_published
    draft = Draft.objects.get(object_id=str(item.pk))
    assert (draft.state, draft.message) == (DraftState.IN_REVIEW, "New market story.")
    assert steps(item) == [(EventAction.SUBMITTED, "editor@example.org", "New market story.")]


def form_data_of_add(client):
    data = news_post()
    data.pop("is_published")
    data["_submit_for_review"] = "Submit for review"
    data["review_message"] = "New market story."
    return data


def test_a_second_save_of_a_live_item_over_a_newer_draft_is_refused(people):
    first, second = people["editor"], people["other_editor"]
    item = make_news("Bridge opens", summary="The bridge opens in May.")
    first_data = form_data(first.get(change_url(item)))
    second_data = form_data(second.get(change_url(item)))
    first_data["summary_en"] = "The bridge opens in June."
    assert first.post(change_url(item), first_data).status_code == 302
    assert Draft.objects.get(object_id=str(item.pk)).data is not None

    second_data["summary_en"] = "The bridge opens in July."
    response = second.post(change_url(item), second_data)
    assert response.status_code == 200
    assert "saved this item" in visible_text(response)
    assert "The bridge opens in July." in response.content.decode()
    draft = Draft.objects.get(object_id=str(item.pk))
    assert draft.data["fields"]["summary_en"] == "The bridge opens in June."
    item.refresh_from_db()
    assert item.summary_en == "The bridge opens in May."


def test_submitting_a_live_item_without_a_draft_says_there_is_nothing_to_submit(role_client):
    publisher = role_client("Publishers")
    item = make_news("Old news", published=True)
    Draft.objects.all().delete()
    with pytest.raises(moderation.NothingToSubmit):
        moderation.submit(item, publisher.user, "")
    assert not Draft.objects.exists()
