"""A staff member's own time zone in a real Chromium: with the browser's clock in the zone they
chose, Django's admin does not warn "You are N hours ahead of server time", and every date and
time field names the zone. Writes docs/admin-time-zone.png for the staff guide. Skips without
Chromium."""

import datetime

import pytest

from news.models import NewsItem

from .helpers import DOCS, Visitor, make_news, make_staff

pytestmark = pytest.mark.browser


def test_a_phnom_penh_browser_is_not_told_it_is_ahead_of_server_time(
    browser, site, django_user_model, settings
):
    # The site's zone is another one: the staff member's own is what counts.
    settings.TIME_ZONE = "America/Toronto"
    item = make_news("Market day in Kampot", published=False)
    NewsItem.objects.filter(pk=item.pk).update(
        published_at=datetime.datetime(2030, 1, 15, 2, 0, tzinfo=datetime.UTC)
    )
    staff = make_staff(django_user_model, time_zone="Asia/Phnom_Penh")
    visitor = Visitor(browser, site, timezone_id="Asia/Phnom_Penh")
    visitor.log_in(staff.email, path=f"/en/accounts/login/?next=/admin/news/newsitem/{item.pk}/")
    page = visitor.page
    assert page.url.endswith(f"/admin/news/newsitem/{item.pk}/change/")
    assert page.evaluate("new Date().getTimezoneOffset()") == -420

    # The admin's script has run: it added its "Now" shortcut beside the time input.
    published = page.locator(".field-published_at")
    assert published.get_by_role("link", name="Now").is_visible()
    assert published.locator(".timezonewarning").count() == 0
    assert "hours ahead of server time" not in page.locator("body").inner_text()
    label = page.locator("#id_published_at_zone")
    assert label.is_visible()
    assert label.inner_text() == "Phnom Penh time, UTC+7"
    assert page.locator("#id_published_at_0").input_value() == "2030-01-15"
    assert page.locator("#id_published_at_1").input_value() == "09:00:00"
    assert page.locator(".time-zone-link").text_content() == "Phnom Penh time, UTC+7"

    DOCS.mkdir(exist_ok=True)
    published.scroll_into_view_if_needed()
    page.locator("fieldset", has=published).first.screenshot(path=DOCS / "admin-time-zone.png")
    visitor.check()
    visitor.close()


def test_a_browser_elsewhere_is_still_warned(browser, site, django_user_model):
    # The note stays useful when the browser's clock is not in the chosen zone.
    item = make_news("Market day in Kampot", published=False)
    staff = make_staff(django_user_model, time_zone="Asia/Phnom_Penh")
    visitor = Visitor(browser, site, timezone_id="America/Toronto")
    visitor.log_in(staff.email, path=f"/en/accounts/login/?next=/admin/news/newsitem/{item.pk}/")
    warning = visitor.page.locator(".field-published_at .timezonewarning")
    assert "behind server time" in warning.inner_text()
    visitor.close()
