"""The whole review loop in a real Chromium, as two people in two browser contexts: an editor
changes a live report's title and body in English and French, previews it unsaved (readers
still see the old text), and submits it for review; the publisher gets the email and the
dashboard entry and sends it back with a comment; the editor gets that email, fixes the text
and submits it again; the publisher schedules it a few seconds ahead (a minute in real life);
readers see the old version until then and the new one after, with Page Updated moving then.
The steps' screenshots are docs/workflow-*.png, shown in the staff guide. Skips without
Chromium."""

import datetime
import re
import time

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

from editorial.models import Draft, DraftState, EventAction, WorkflowEvent
from news.models import Kind, NewsItem

from .helpers import BROWSER_PASSWORD, DOCS, Visitor, make_news, run_worker

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 900}
OLD_TITLE = "Local budgets in Battambang"
OLD_TITLE_FR = "Les budgets locaux à Battambang"
NEW_TITLE = "Local budgets in Battambang and Siem Reap"
FIXED_TITLE = "Local budgets in Battambang and Siem Reap: a field report"
NEW_TITLE_FR = "Les budgets locaux à Battambang et Siem Reap"
OLD_BODY = "Three communes planned their budgets with their partners."
NEW_BODY = "Five communes planned their budgets with their partners."
NEW_BODY_FR = "Cinq communes ont planifié leur budget avec leurs partenaires."
# A few seconds rather than the minute a publisher would choose: the test waits for it.
SCHEDULE_DELAY = datetime.timedelta(seconds=15)


def make_person(django_user_model, username, codenames, **extra):
    """Staff with these rights on news items (the groups come from migrations that a live
    server test's flush undoes) and a confirmed address."""
    user = django_user_model.objects.create_user(
        username, f"{username}@example.org", BROWSER_PASSWORD, is_staff=True, **extra
    )
    user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="news", codename__in=codenames)
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def screenshot(page, name, full_page=False):
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / name, full_page=full_page)


def log_in(person, email):
    person.goto("/admin/")
    person.log_in(email, path=person.page.url.removeprefix(person.site))


def emails_to(address):
    return [message for message in mail.outbox if address in message.to]


def admin_path(message):
    found = re.search(r"http://[^/\s]+(/admin/\S+/change/)", message.body)
    assert found, message.body
    return found.group(1)


def page_updated(page):
    return page.locator(".page-updated time").inner_text()


def replace_text(page, selector, text):
    """Type `text` over the whole content of a rich-text field (a ProseMirror element)."""
    body = page.locator(f"{selector} .ProseMirror[contenteditable=true]")
    body.click()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def test_an_editor_and_a_publisher_review_a_change_to_a_live_report(
    browser, site, django_user_model
):
    cache.clear()
    mail.outbox.clear()
    report = make_news(
        OLD_TITLE,
        kind=Kind.REPORT,
        slug="local-budgets-in-battambang",
        summary="How communes plan their budgets.",
        body=f"<p>{OLD_BODY}</p>",
        title_fr=OLD_TITLE_FR,
        body_fr="<p>Trois communes ont planifié leur budget avec leurs partenaires.</p>",
        days_ago=40,
    )
    long_ago = timezone.now() - datetime.timedelta(days=40)
    NewsItem.objects.filter(pk=report.pk).update(updated_at=long_ago)
    editor_user = make_person(
        django_user_model,
        "editor",
        ["view_newsitem", "add_newsitem", "change_newsitem"],
        first_name="Eda",
    )
    make_person(
        django_user_model,
        "publisher",
        ["view_newsitem", "add_newsitem", "change_newsitem", "publish_newsitem"],
        first_name="Paul",
        language="fr",
    )
    with translation.override("en"):
        english_path = report.get_absolute_url()
    with translation.override("fr"):
        french_path = report.get_absolute_url()
    change_path = reverse("admin:news_newsitem_change", args=[report.pk])
    old_date = date_format(timezone.localtime(long_ago), "j F Y")
    today = date_format(timezone.localtime(), "j F Y")

    reader = Visitor(browser, site, viewport=VIEWPORT)
    reader.goto(english_path)
    assert reader.page.locator("h1").inner_text() == OLD_TITLE
    assert page_updated(reader.page) == old_date

    # 1. The editor changes the live report in English and French.
    editor = Visitor(browser, site, viewport=VIEWPORT)
    log_in(editor, "editor@example.org")
    editor.goto(change_path)
    form = editor.page
    form.locator("#id_title_en").fill(NEW_TITLE)
    replace_text(form, ".field-body_en", NEW_BODY)
    form.get_by_role("tab", name="Français").click()  # each language is a tab
    form.locator("#id_title_fr").fill(NEW_TITLE_FR)
    replace_text(form, ".field-body_fr", NEW_BODY_FR)
    form.get_by_role("tab", name="English").click()
    screenshot(form, "workflow-1-edit.png")

    # Preview, unsaved, in a new tab; readers still see the old text.
    with editor.context.expect_page() as opened:
        form.get_by_role("button", name="Preview").click()
    tab = opened.value
    tab.wait_for_load_state("networkidle")
    frame = tab.frame_locator("iframe.preview-frame-desktop")
    assert frame.locator("h1").inner_text() == NEW_TITLE
    assert NEW_BODY in frame.locator(".rich-text").inner_text()
    tab.locator(".preview-toolbar").get_by_role("link", name="Français").click()
    tab.wait_for_load_state("networkidle")
    frame = tab.frame_locator("iframe.preview-frame-desktop")
    assert frame.locator("h1").inner_text() == NEW_TITLE_FR
    screenshot(tab, "workflow-2-preview.png")
    tab.close()
    reader.goto(english_path)
    assert reader.page.locator("h1").inner_text() == OLD_TITLE

    # 2. Submit for review, with a message: the form is saved as a draft, then submitted.
    form.locator("#id_review_message").fill("New figures from Siem Reap; French updated too.")
    form.get_by_role("button", name="Submit for review").click()
    form.wait_for_load_state("networkidle")
    assert "submitted for review" in form.locator(".messagelist").inner_text()
    assert "In review since" in form.locator(".review-banner").inner_text()
    screenshot(form, "workflow-3-submitted.png")
    draft = Draft.objects.get(object_id=str(report.pk))
    assert draft.state == DraftState.IN_REVIEW
    reader.goto(english_path)
    assert reader.page.locator("h1").inner_text() == OLD_TITLE

    # 3. The publisher is emailed (in French, their language) and finds it on the dashboard.
    run_worker()
    [message] = emails_to("publisher@example.org")
    assert NEW_TITLE_FR not in message.subject  # the live title until it is published
    assert OLD_TITLE_FR in message.subject and "(Rapport)" in message.body
    assert admin_path(message) == change_path
    publisher = Visitor(browser, site, viewport=VIEWPORT)
    log_in(publisher, "publisher@example.org")
    publisher.goto("/admin/")
    review = publisher.page.locator("#dashboard-review")
    assert "1 in all" in review.inner_text() and OLD_TITLE in review.inner_text()
    screenshot(publisher.page, "workflow-4-dashboard.png")

    # What changed, then sent back with a comment.
    publisher.goto(admin_path(message))
    page = publisher.page
    changes = page.locator(".review-changes")
    assert "Title (English)" in changes.inner_text() and "Body (French)" in changes.inner_text()
    assert changes.locator("ins").first.is_visible()
    screenshot(page, "workflow-5-review.png", full_page=True)
    page.get_by_role("button", name="Send back").click()
    page.wait_for_load_state("networkidle")
    assert "Write what needs to change" in page.locator("#content").inner_text()
    page.locator("#id_review_comment").fill("Please say it is a field report in the title.")
    page.get_by_role("button", name="Send back").click()
    page.wait_for_load_state("networkidle")
    assert "is sent back" in page.locator(".messagelist").inner_text()

    # 4. The editor gets the comment, fixes the title and submits again.
    mail.outbox.clear()
    run_worker()
    [message] = emails_to("editor@example.org")
    assert "Please say it is a field report in the title." in message.body
    editor.goto(admin_path(message))
    assert "Sent back by Paul" in form.locator(".review-banner").inner_text()
    assert form.locator("#id_title_en").input_value() == NEW_TITLE  # the draft's text
    screenshot(form, "workflow-6-sent-back.png")
    form.locator("#id_title_en").fill(FIXED_TITLE)
    form.locator("#id_review_message").fill("Done.")
    form.get_by_role("button", name="Submit for review").click()
    form.wait_for_load_state("networkidle")
    assert "In review since" in form.locator(".review-banner").inner_text()

    # 5. The publisher schedules it a little ahead.
    run_worker()
    publisher.goto(change_path)
    publish_at = timezone.localtime(timezone.now() + SCHEDULE_DELAY).replace(microsecond=0)
    page.locator("#id_review_publish_at_0").fill(publish_at.strftime("%Y-%m-%d"))
    page.locator("#id_review_publish_at_1").fill(publish_at.strftime("%H:%M:%S"))
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "is scheduled" in page.locator(".messagelist").inner_text()
    screenshot(page, "workflow-7-scheduled.png")

    # Readers see the old version until then (the page cache too), the new one after.
    reader.goto(english_path)
    assert reader.page.locator("h1").inner_text() == OLD_TITLE
    assert page_updated(reader.page) == old_date
    reader.goto(french_path)
    assert reader.page.locator("h1").inner_text() == OLD_TITLE_FR
    assert timezone.now() < publish_at, "too slow: the old version was checked after the time"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        reader.goto(english_path)
        if reader.page.locator("h1").inner_text() != OLD_TITLE:
            break
        reader.page.wait_for_timeout(500)
    assert timezone.now() >= publish_at
    assert reader.page.locator("h1").inner_text() == FIXED_TITLE
    assert NEW_BODY in reader.page.locator(".rich-text").inner_text()
    assert page_updated(reader.page) == today
    reader.goto(french_path)
    assert reader.page.locator("h1").inner_text() == NEW_TITLE_FR
    assert NEW_BODY_FR in reader.page.locator(".rich-text").inner_text()
    assert not Draft.objects.filter(object_id=str(report.pk)).exists()

    # 6. Every step in the item's history.
    publisher.goto(reverse("admin:news_newsitem_history", args=[report.pk]))
    steps = publisher.page.locator("#review-steps tbody tr").all_inner_texts()
    assert any("Submitted for review" in step and "New figures" in step for step in steps)
    assert any("Sent back" in step and "field report in the title" in step for step in steps)
    assert any("Scheduled" in step and "Paul" in step for step in steps)
    assert any("Published" in step for step in steps)
    actions = list(
        WorkflowEvent.objects.filter(object_id=str(report.pk), action__in=["submitted"])
        .order_by("at")
        .values_list("user", flat=True)
    )
    assert actions == [editor_user.pk, editor_user.pk]
    assert EventAction.SENT_BACK in set(
        WorkflowEvent.objects.filter(object_id=str(report.pk)).values_list("action", flat=True)
    )
    screenshot(publisher.page, "workflow-8-history.png", full_page=True)

    for person in (editor, publisher, reader):
        person.check()
        person.close()
