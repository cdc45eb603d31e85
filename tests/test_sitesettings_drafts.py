"""The site settings get the content's draft/publish split (issue 14): an editor changes them,
the change waits as a draft that readers see nothing of, the editor submits it for review, and
a publisher compares it with the live settings, publishes it, schedules it or sends it back.
Editors cannot put a change live by any path: the form's publish buttons posted by hand, the
review form, the translation view, or restoring a version from the history."""

import datetime
import html
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from editorial import drafts
from editorial.models import Draft, DraftState, EventAction, WorkflowEvent
from pages.models import SiteSettings

from .helpers import admin_form_data, form_data, markup, review, run_worker, submit, visible_text

URL = reverse("admin:pages_sitesettings_change", args=[1])
LIVE_NAME = "Municipal Partners for Economic Development"
INDEX = "/admin/"


@pytest.fixture
def site_settings(db):
    return SiteSettings.load()


def home_text():
    return visible_text(Client().get("/en/"))


def draft_of_settings():
    return Draft.objects.filter(content_type__model="sitesettings", object_id="1").first()


def steps():
    return list(
        WorkflowEvent.objects.filter(content_type__model="sitesettings", object_id="1")
        .order_by("at", "pk")
        .values_list("action", flat=True)
    )


def section_html(response, key):
    found = re.search(
        rf'<section[^>]*id="dashboard-{key}".*?</section>', response.content.decode(), re.S
    )
    return found.group(0) if found else ""


def test_an_editors_change_waits_as_a_draft_that_readers_never_see(site_settings, people):
    editor = people["editor"]
    page = editor.get(URL)
    assert page.status_code == 200
    assert 'name="site_name_en"' in markup(page)
    assert 'name="_submit_for_review"' in markup(page)
    # The publishers' buttons are not an editor's.
    assert 'name="_publish_draft"' not in markup(page)

    data = form_data(page)
    data.update(site_name_en="Partners in Development", tagline_fr="Des villes qui s'entraident.")
    response = editor.post(URL, data)
    assert response.status_code == 302

    assert SiteSettings.objects.get().site_name == LIVE_NAME
    assert "Partners in Development" not in home_text()
    assert LIVE_NAME in home_text()
    draft = draft_of_settings()
    assert draft.data["fields"]["site_name_en"] == "Partners in Development"
    assert draft.data["fields"]["tagline_fr"] == "Des villes qui s'entraident."
    # The form shows the draft, with the banner that says readers see the live version.
    again = editor.get(URL)
    assert 'value="Partners in Development"' in markup(again)
    assert "your changes are a draft" in visible_text(again)
    # Listed as "Live + draft", and among the dashboard's drafts of live items.
    listing = editor.get(reverse("admin:pages_sitesettings_changelist"))
    assert "Live + draft" in visible_text(listing)
    assert "Site settings" in visible_text(section_html(editor.get(INDEX), "live-drafts"))


def test_an_editor_submits_and_a_publisher_compares_and_publishes(
    transactional_db, people, site_settings
):
    editor, publisher = people["editor"], people["publisher_en"]
    response = submit(editor, site_settings, "A shorter name.", site_name_en="MPED Partners")
    assert response.status_code == 302
    draft = draft_of_settings()
    assert draft.state == DraftState.IN_REVIEW
    run_worker()
    assert "pub-en@example.org" in [address for m in mail.outbox for address in m.to]
    assert "Site settings" in visible_text(section_html(publisher.get(INDEX), "review"))
    assert "MPED Partners" not in home_text()

    # The publisher sees what changed against the live settings, and the compare page.
    page = publisher.get(URL)
    panel = re.search(r'<section[^>]*id="review".*?</section>', markup(page), re.S).group(0)
    assert "Site name (English)" in visible_text(panel)
    assert "<ins>" in panel and "Partners" in panel
    compare = publisher.get(reverse("admin:pages_sitesettings_draft_compare", args=[1]))
    assert compare.status_code == 200 and "MPED Partners" in visible_text(compare)

    assert review(publisher, site_settings, "publish", "Fine.").status_code == 302
    assert SiteSettings.objects.get().site_name == "MPED Partners"
    assert "MPED Partners" in home_text()
    assert draft_of_settings() is None
    assert steps()[-2:] == [EventAction.SUBMITTED, EventAction.PUBLISHED]
    # In the history as a version too, by the publisher.
    version = Version.objects.get_for_object(SiteSettings.objects.get()).first()
    assert version.revision.user == publisher.user


def test_a_publisher_sends_the_change_back_and_the_editor_sees_why(people, site_settings):
    editor, publisher = people["editor"], people["publisher_en"]
    submit(editor, site_settings, site_name_en="Partners")
    response = review(publisher, site_settings, "send_back", "Keep the full name.")
    assert response.status_code == 302
    assert draft_of_settings().state == DraftState.SENT_BACK
    assert SiteSettings.objects.get().site_name == LIVE_NAME
    page = visible_text(editor.get(URL))
    assert "Sent back by" in page and "Keep the full name." in page


def test_a_publisher_schedules_the_change_and_it_goes_live_at_its_time(people, site_settings):
    editor, publisher = people["editor"], people["publisher_en"]
    submit(editor, site_settings, footer_text_en="New footer words.")
    when = timezone.now() + datetime.timedelta(hours=2)
    assert review(publisher, site_settings, "schedule", when=when).status_code == 302
    assert "New footer words." not in home_text()
    assert drafts.publish_due_drafts(now=when + datetime.timedelta(seconds=1)) == 1
    assert SiteSettings.objects.get().footer_text == "New footer words."
    assert "New footer words." in home_text()


def test_a_publishers_save_is_a_draft_and_publish_changes_puts_it_live(publisher, site_settings):
    data = form_data(publisher.get(URL))
    data.update(site_name_en="Saved only")
    assert publisher.post(URL, data).status_code == 302
    assert SiteSettings.objects.get().site_name == LIVE_NAME

    data = form_data(publisher.get(URL))
    assert data["site_name_en"] == "Saved only"
    data.update(site_name_en="Published now", _publish_draft="Publish changes")
    assert publisher.post(URL, data).status_code == 302
    assert SiteSettings.objects.get().site_name == "Published now"
    assert "Published now" in home_text()
    assert draft_of_settings() is None


def test_an_editor_cannot_put_a_change_live_by_any_path(people, site_settings):
    editor, publisher = people["editor"], people["publisher_en"]
    # The publishers' buttons, posted by hand: a draft all the same.
    data = form_data(editor.get(URL))
    data.update(site_name_en="By hand", _publish_draft="Publish changes")
    assert editor.post(URL, data).status_code == 302
    data = form_data(editor.get(URL))
    later = timezone.localtime(timezone.now() + datetime.timedelta(hours=1))
    data.update(
        site_name_en="By hand, later",
        _schedule_draft="Schedule changes",
        draft_publish_at_0=later.strftime("%Y-%m-%d"),
        draft_publish_at_1=later.strftime("%H:%M:%S"),
    )
    assert editor.post(URL, data).status_code == 302
    assert draft_of_settings().publish_at is None
    assert SiteSettings.objects.get().site_name == LIVE_NAME

    # The review form: a publisher's.
    submit(editor, site_settings, site_name_en="By hand, submitted")
    response = review(editor, site_settings, "publish")
    assert response.status_code == 403
    assert SiteSettings.objects.get().site_name == LIVE_NAME

    # The translation view keeps a live item's translation as its draft.
    translate = reverse("admin:pages_sitesettings_translate", args=[1, "fr"])
    page = editor.get(translate)
    assert page.status_code == 200
    data = {"_version_token": page.context["version_token"]}
    for name in page.context["form"].fields:
        data[name] = page.context["form"][name].value() or ""
    data.update(site_name_fr="Traduit", _save_and_publish="Save and publish")
    assert editor.post(translate, data).status_code == 302
    assert SiteSettings.objects.get().site_name_fr != "Traduit"
    assert draft_of_settings().data["fields"]["site_name_fr"] == "Traduit"

    # Restoring an older version from the history would change the live row: refused.
    old = SiteSettings.objects.get()
    data = form_data(publisher.get(URL))
    data.update(site_name_en="Second live name", _publish_draft="Publish changes")
    assert publisher.post(URL, data).status_code == 302
    versions = Version.objects.get_for_object(SiteSettings.objects.get())
    first = versions.order_by("pk").first()
    assert first is not None, "publishing the draft makes a version"
    revision_url = reverse("admin:pages_sitesettings_revision", args=[1, first.pk])
    for response in (editor.get(revision_url), editor.post(revision_url, data)):
        assert response.status_code == 302
    assert "Only a publisher can restore" in visible_text(editor.get(URL, follow=True))
    assert SiteSettings.objects.get().site_name == "Second live name"
    assert old.site_name == LIVE_NAME


def test_a_publisher_restores_a_version_of_the_settings(publisher, site_settings):
    for name in ("First name", "Second name"):
        data = form_data(publisher.get(URL))
        data.update(site_name_en=name, _publish_draft="Publish changes")
        assert publisher.post(URL, data).status_code == 302
    first = Version.objects.get_for_object(SiteSettings.objects.get()).order_by("pk").first()
    revision_url = reverse("admin:pages_sitesettings_revision", args=[1, first.pk])
    page = publisher.get(revision_url)
    assert page.status_code == 200
    assert publisher.post(revision_url, admin_form_data(page)).status_code == 302
    assert SiteSettings.objects.get().site_name == "First name"


def test_nothing_changed_is_nothing_to_submit(people, site_settings):
    editor = people["editor"]
    response = submit(editor, site_settings, "Nothing really.")
    assert response.status_code == 302
    assert draft_of_settings() is None
    assert "Nothing to submit" in visible_text(editor.get(URL))


def test_the_preview_shows_the_unsaved_settings_on_the_home_page(publisher, site_settings):
    page = publisher.get(URL)
    preview_url = reverse("admin:pages_sitesettings_preview", args=[1])
    assert f'formaction="{preview_url}"' in markup(page)
    data = form_data(page)
    data.update(site_name_en="Previewed name", tagline_en="Previewed tagline.")
    posted = publisher.post(preview_url, data)
    assert posted.status_code == 303
    toolbar = publisher.get(posted["Location"])
    (frame_url,) = re.findall(r'<iframe[^>]* src="([^"]+)"', toolbar.content.decode())
    frame = publisher.get(html.unescape(frame_url))
    assert frame.status_code == 200
    text = visible_text(frame)
    assert "Previewed name" in text and "Previewed tagline." in text
    assert "Preview" in text
    # Nothing saved, no draft; readers see the live settings.
    assert SiteSettings.objects.get().site_name == LIVE_NAME
    assert draft_of_settings() is None
    assert "Previewed name" not in home_text()
    # Invalid data: the form's errors, nothing shown.
    data.update(site_name_en="")
    assert publisher.post(preview_url, data).status_code == 400
