"""An editor writes a report, a publisher schedules it, it appears by itself, a bad edit is
undone from the history: the whole editorial journey in a real Chromium on the live server,
with nothing loaded from another host (the rich-text editor's files included)."""

import datetime
import time
from importlib import import_module
from urllib.parse import urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from news.models import NewsItem

from .helpers import DOCS

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 800}
PASSWORD = "Mekong-river-barge-93-lotus"
TITLE = "Local budgets in Battambang: a field report"
SUMMARY = "How three communes planned their budgets with their Canadian partners."
FIRST_PARAGRAPH = "The communes met every month to set their priorities."
BOLD_WORDS = "Roads came first"
SECOND_PARAGRAPH = "The partners shared what worked in Ontario and what did not."
IMAGE_ALT = "Commune councillors around a table covered in budget sheets"
SCHEDULE_DELAY = datetime.timedelta(seconds=5)


def make_groups_if_flushed():
    """The "Editors" and "Publishers" groups come from data migrations; a live-server test that
    ran before this one flushed the database, so make them again the way the migrations do."""
    if Group.objects.filter(name__in=["Editors", "Publishers"]).count() == 2:
        return
    apps = MigrationExecutor(connection).loader.project_state().apps
    import_module("accounts.migrations.0002_editors_group").create_editors(apps, None)
    import_module("news.migrations.0003_editors_see_alert_emails").allow_editors(apps, None)
    import_module("accounts.migrations.0004_publishers_group").create_publishers(apps, None)
    # The library's permissions (the editor uploads the item's photo there).
    import_module("library.migrations.0003_roles").grant(apps, None)


def staff_in(django_user_model, group, username):
    user = django_user_model.objects.create_user(
        username, f"{username}@example.org", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=group))
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def make_pdf(path, pages=2):
    sheets = []
    for number in range(1, pages + 1):
        sheet = Image.new("RGB", (595, 842), "white")
        draw = ImageDraw.Draw(sheet)
        draw.rectangle((0, 0, 595, 140), fill=(11, 79, 108))
        draw.text((50, 50), f"Field report, page {number}", fill="white", font_size=36)
        for line in range(20):  # lines of "text", so the first-page picture looks like a page
            draw.rectangle((50, 190 + 28 * line, 545 - 60 * (line % 3), 202 + 28 * line), "grey")
        sheets.append(sheet)
    sheets[0].save(path, "PDF", save_all=True, append_images=sheets[1:])
    return path


def make_jpeg(path):
    picture = Image.new("RGB", (1600, 900), (46, 125, 160))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((200, 250, 1400, 650), fill=(240, 200, 90))
    draw.ellipse((650, 300, 950, 600), fill=(180, 60, 50))
    picture.save(path, "JPEG", quality=85)
    return path


class Person:
    """One browser context (one person's cookies) that remembers every request it made and
    every script error its pages raised."""

    def __init__(self, browser, site_url):
        self.site = site_url
        self.context = browser.new_context(viewport=VIEWPORT)
        self.requests = []
        self.errors = []
        self.context.on("request", lambda request: self.requests.append(request.url))
        self.context.on("response", self.on_response)
        self.context.on(
            "page",  # this one and any the site opens (a link to a new tab)
            lambda page: page.on("pageerror", lambda error: self.errors.append(f"{error}")),
        )
        self.page = self.context.new_page()

    def on_response(self, response):
        # A page may be a 404 (the visitor's, on purpose); what it loads may not fail. The
        # admin has no favicon, so Chromium's own request for /favicon.ico is let off.
        is_page = response.request.resource_type == "document"
        if response.status >= 500 or (
            response.status >= 400 and not is_page and urlsplit(response.url).path != "/favicon.ico"
        ):
            self.errors.append(f"{response.status} {response.url}")

    def goto(self, path):
        response = self.page.goto(self.site + path)
        self.page.wait_for_load_state("networkidle")
        return response

    def check(self):
        """Nothing so far came from another host, failed on the server or broke a script."""
        own_host = urlsplit(self.site).netloc
        foreign = [url for url in self.requests if urlsplit(url).netloc != own_host]
        assert not foreign, f"requests to other hosts: {foreign}"
        assert not self.errors, self.errors

    def log_in_to_admin(self, username):
        self.goto(reverse("admin:index"))  # sends staff to the site's login page (allauth's)
        self.page.get_by_label("Email").fill(f"{username}@example.org")
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.locator("main").get_by_role("button", name="Sign In").click()
        self.page.wait_for_load_state("networkidle")
        assert self.page.locator("#user-tools strong").text_content() == username

    def save(self):
        self.page.get_by_role("button", name="Save", exact=True).first.click()
        self.page.wait_for_load_state("networkidle")

    def messages(self):
        return self.page.locator(".messagelist").inner_text()

    def open_item_in_admin(self, title):
        self.goto(reverse("admin:news_newsitem_changelist"))
        self.page.locator("#result_list").get_by_role("link", name=title, exact=True).click()
        self.page.wait_for_load_state("networkidle")

    def close(self):
        self.context.close()


def screenshot(page, name, full_page=False):
    DOCS.mkdir(exist_ok=True)
    page.screenshot(path=DOCS / name, full_page=full_page)


def test_an_editor_drafts_a_publisher_schedules_it_appears_and_a_bad_edit_is_reverted(
    browser,
    site,
    django_user_model,
    tmp_path,
):
    cache.clear()
    make_groups_if_flushed()
    staff_in(django_user_model, "Editors", "editor")
    staff_in(django_user_model, "Publishers", "publisher")
    pdf = make_pdf(tmp_path / "field-report.pdf")
    jpeg = make_jpeg(tmp_path / "councillors.jpg")

    # 1. The editor writes the report as a draft, without the publishing controls.
    editor = Person(browser, site)
    editor.log_in_to_admin("editor")
    page = editor.page
    editor.goto(reverse("admin:news_newsitem_add"))
    assert page.locator("h1").inner_text() == "Add news item"
    assert page.locator("#id_is_published").count() == 0, "editors must not be able to publish"
    assert page.locator("#id_published_at_0").count() == 0
    page.locator("#id_kind").select_option(label="Report")
    page.locator("#id_title_en").fill(TITLE)
    page.locator("#id_summary_en").fill(SUMMARY)
    # The textarea is replaced by the editor: a contenteditable ProseMirror element.
    body = page.locator(".field-body_en .ProseMirror[contenteditable=true]")
    body.wait_for()
    assert not page.locator("#id_body_en").is_visible()
    body.click()
    page.keyboard.type(FIRST_PARAGRAPH + " ")
    bold = page.locator(".field-body_en").get_by_role("button", name="bold", exact=True)
    bold.click()
    page.keyboard.type(BOLD_WORDS)
    bold.click()
    page.keyboard.type(".")
    page.keyboard.press("Enter")
    page.keyboard.type(SECOND_PARAGRAPH)
    assert body.locator("p").count() == 2
    assert body.locator("strong").inner_text() == BOLD_WORDS
    # The report's PDF goes to the media library, from the documents' chooser, chosen at once.
    page.locator("#documents-group .add-row a").click()
    row = page.locator("#documents-group tr.dynamic-documents").first
    row.get_by_role("button", name="Choose a document").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("summary", has_text="Upload a new document").click()
    dialog.locator("input[type=file]").set_input_files(pdf)
    dialog.locator("#chooser-upload-title_en").fill("Field report")
    dialog.get_by_role("button", name="Upload and choose").click()
    expect(dialog).to_be_hidden()
    # The photo goes to the media library, from the chooser's dialog, and is chosen at once.
    chooser = page.locator(".field-image [data-library-chooser]")
    chooser.get_by_role("button", name="Choose an image").click()
    dialog = page.get_by_role("dialog")
    dialog.locator("summary", has_text="Upload a new image").click()
    dialog.locator("input[type=file]").set_input_files(jpeg)
    dialog.locator("#chooser-upload-title").fill("Commune councillors")
    dialog.locator("#chooser-upload-alt_en").fill(IMAGE_ALT)
    dialog.get_by_role("button", name="Upload and choose").click()
    expect(dialog).to_be_hidden()
    assert "Commune councillors" in chooser.locator("[data-chooser-chosen]").inner_text()
    # The editor's own files were served by us, not a CDN.
    assert any("/static/django_prose_editor/" in url for url in editor.requests)
    editor.check()
    screenshot(page, "admin-editor-form.png", full_page=True)
    editor.save()
    assert "was added successfully" in editor.messages(), page.locator(
        ".errorlist"
    ).all_inner_texts()
    row = page.locator("#result_list tr", has=page.get_by_role("link", name=TITLE, exact=True))
    assert row.locator(".field-status_display").inner_text() == "Draft"
    item = NewsItem.objects.get(title=TITLE)
    assert not item.is_published
    assert item.documents.get().document.pages == 2
    assert item.body == (
        f"<p>{FIRST_PARAGRAPH} <strong>{BOLD_WORDS}</strong>.</p><p>{SECOND_PARAGRAPH}</p>"
    )
    item_path = item.get_absolute_url()

    # Their preview, opened from the admin's "View on site" link.
    editor.open_item_in_admin(TITLE)
    view_on_site = page.get_by_role("link", name="View on site")
    if view_on_site.get_attribute("target") == "_blank":
        with editor.context.expect_page() as new_page:
            view_on_site.click()
        preview = new_page.value
    else:
        view_on_site.click()
        preview = page
    preview.wait_for_load_state("networkidle")
    assert urlsplit(preview.url).path == item_path
    assert preview.locator(".preview-banner").inner_text().startswith("Preview — not published")
    assert preview.locator("h1").inner_text() == TITLE
    rich_text = preview.locator(".rich-text")
    assert rich_text.locator("p").all_inner_texts() == [
        f"{FIRST_PARAGRAPH} {BOLD_WORDS}.",
        SECOND_PARAGRAPH,
    ]
    assert rich_text.locator("strong").inner_text() == BOLD_WORDS
    assert "PDF, 2 pages" in preview.locator(".download .file-meta").inner_text()
    image = preview.locator("img.news-image")
    assert image.get_attribute("alt") == IMAGE_ALT
    image.scroll_into_view_if_needed()  # it loads lazily
    preview.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=image.element_handle()
    )
    editor.check()
    screenshot(preview, "preview.png", full_page=True)

    # 2. A visitor cannot see the draft.
    visitor = Person(browser, site)
    assert visitor.goto(item_path).status == 404
    visitor.check()

    # 3. The publisher schedules it a few seconds ahead.
    publisher = Person(browser, site)
    publisher.log_in_to_admin("publisher")
    publisher.open_item_in_admin(TITLE)
    page = publisher.page
    page.locator("#id_is_published").check()
    # The admin's inputs take whole seconds: round up, so it is never less than the delay.
    publish_at = timezone.localtime(timezone.now() + SCHEDULE_DELAY).replace(microsecond=0)
    publish_at += datetime.timedelta(seconds=1)
    page.locator("#id_published_at_0").fill(publish_at.strftime("%Y-%m-%d"))
    page.locator("#id_published_at_1").fill(publish_at.strftime("%H:%M:%S"))
    publisher.save()
    assert "was changed successfully" in publisher.messages()
    assert "Alert emails to subscribed members are queued." in publisher.messages()
    alerts_queued_at = NewsItem.objects.get(pk=item.pk).alerts_queued_at
    assert alerts_queued_at is not None
    row = page.locator("#result_list tr", has=page.get_by_role("link", name=TITLE, exact=True))
    assert row.locator(".field-status_display").inner_text().startswith("Scheduled for ")
    publisher.check()
    screenshot(page, "admin-list.png")
    assert visitor.goto(item_path).status == 404
    assert timezone.now() < publish_at, "too slow: the 404 was checked after the publish time"
    # Nothing runs at the publish time: the visitor's next request finds it public.
    deadline = time.monotonic() + 15
    while (status := visitor.goto(item_path).status) == 404 and time.monotonic() < deadline:
        visitor.page.wait_for_timeout(500)
    assert status == 200
    assert timezone.now() >= publish_at
    assert visitor.page.locator(".preview-banner").count() == 0
    assert visitor.page.locator("h1").inner_text() == TITLE
    assert "PDF, 2 pages" in visitor.page.locator(".download .file-meta").inner_text()
    visitor.goto("/en/news/")
    assert visitor.page.get_by_role("link", name=TITLE, exact=True).first.is_visible()
    visitor.check()
    # What is public the editor may change too, but only as a draft that readers do not see
    # until a publisher publishes it (issue 16: tests/test_drafts.py).
    editor.open_item_in_admin(TITLE)
    assert editor.page.locator("h1").inner_text() == "Change news item"
    banner = editor.page.locator("#draft-banner").inner_text()
    assert "Saving keeps your changes as a draft" in banner
    assert editor.page.get_by_role("button", name="Publish changes").count() == 0
    editor.check()

    # 4. A bad edit goes public, and the publisher reverts it from the history.
    publisher.open_item_in_admin(TITLE)
    page.locator("#id_title_en").fill("BAD EDIT")
    # Save would keep a draft of the live item; Publish changes saves and publishes it.
    page.get_by_role("button", name="Publish changes").click()
    page.wait_for_load_state("networkidle")
    assert "are published: readers see them now" in publisher.messages()
    visitor.goto(item_path)
    assert visitor.page.locator("h1").inner_text() == "BAD EDIT"

    publisher.open_item_in_admin("BAD EDIT")
    page.get_by_role("link", name="History").click()
    page.wait_for_load_state("networkidle")
    versions = page.locator("#change-history tbody tr")
    history = [text.split("\t")[-2:] for text in versions.all_inner_texts()]
    # Scheduling says so first (editorial.workflow), then what changed in the form.
    scheduled = history[1][1]
    assert scheduled.startswith("Scheduled for ") and scheduled.endswith(
        ". Changed Publish and Publication time."
    )
    assert history == [
        ["publisher", "Published. Changed Title [en]."],
        ["publisher", scheduled],
        ["editor", "Added. Added document “Report: Field report”."],
    ]
    publisher.check()
    screenshot(page, "admin-history.png")
    # The version before the bad edit: the scheduled one, whose publication time has passed
    # (the editor's first version is a draft: restoring it would take the item off the site).
    versions.nth(1).get_by_role("link").click()
    page.wait_for_load_state("networkidle")
    assert "Press the save button below to revert" in page.locator("#content").inner_text()
    assert page.locator("#id_title_en").input_value() == TITLE
    assert page.locator("#id_is_published").is_checked()
    publisher.save()
    assert "was changed successfully" in publisher.messages()
    # Restoring is not publishing anew: the alerts went out once, when it was scheduled.
    assert "Alert emails" not in publisher.messages()
    publisher.open_item_in_admin(TITLE)
    page.get_by_role("link", name="History").click()
    assert (
        "Reverted to previous version"
        in page.locator("#change-history tbody tr").first.inner_text()
    )
    publisher.check()

    visitor.goto(item_path)
    assert visitor.page.locator("h1").inner_text() == TITLE
    assert "BAD EDIT" not in visitor.page.content()
    visitor.goto("/en/news/")
    assert visitor.page.get_by_role("link", name=TITLE, exact=True).first.is_visible()
    assert visitor.page.get_by_text("BAD EDIT").count() == 0
    visitor.check()
    item.refresh_from_db()
    assert item.title == TITLE and item.is_live
    # Still the time they were queued (versions keep it to the millisecond).
    assert abs(item.alerts_queued_at - alerts_queued_at) < datetime.timedelta(milliseconds=1)

    for person in (editor, visitor, publisher):
        person.close()
