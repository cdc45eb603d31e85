"""Review links in a real Chromium, under the Content-Security-Policy: a publisher makes a
link in the admin, a partner without an account opens it (and switches language), the
publisher revokes it. No page reports a policy violation. Skips without Chromium."""

import pytest
from django.core.cache import cache

from news.models import Kind

from .helpers import ARTIFACTS, Visitor, axe_violations, make_news, make_staff

pytestmark = pytest.mark.browser


def test_a_publisher_sends_a_review_link_that_a_partner_opens_without_an_account(
    browser,
    site,
    django_user_model,
):
    cache.clear()
    draft = make_news(
        "Draft: market halls in Kampot",
        kind=Kind.REPORT,
        published=False,
        body="<p>What the partners found in Kampot.</p>",
        is_members_only=True,
    )
    staff = make_staff(django_user_model)
    publisher = Visitor(browser, site)
    page = publisher.page
    publisher.goto("/admin/")
    publisher.log_in(staff.email, path=page.url.removeprefix(site))

    publisher.goto(f"/admin/news/newsitem/{draft.pk}/change/")
    page.locator(".object-tools").get_by_role("link", name="Review links").click()
    page.wait_for_load_state("networkidle")
    publisher.record()
    assert page.locator("#id_days").input_value() == "7"
    page.locator("#id_days").fill("10")
    page.locator("#id_note").fill("Chilliwack council staff")
    page.get_by_role("button", name="Make a review link").click()
    page.wait_for_load_state("networkidle")
    publisher.record()
    assert "Review link made." in page.locator(".messagelist").inner_text()
    address = page.get_by_label("Address to send:").input_value()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / "review-links-admin.png", full_page=True)
    assert address.startswith(f"{site}/en/review/")

    partner = Visitor(browser, site)
    response = partner.goto(address.removeprefix(site))
    assert response.status == 200
    assert response.headers["referrer-policy"] == "no-referrer"
    review = partner.page
    assert review.locator(".review-banner").is_visible()
    assert "Draft for review" in review.locator(".review-banner").inner_text()
    assert "What the partners found in Kampot." in review.locator("article").inner_text()
    assert axe_violations(review) == []
    review.screenshot(path=ARTIFACTS / "review-link.png")
    review.get_by_role("link", name="Français").click()
    review.wait_for_load_state("networkidle")
    partner.record()
    assert review.url.startswith(f"{site}/fr/review/")
    assert review.locator(".review-banner").is_visible()

    page.get_by_role("button", name="Revoke").click()
    page.wait_for_load_state("networkidle")
    publisher.record()
    publisher.goto("/admin/reviews/reviewlink/")
    assert "Chilliwack council staff" in page.locator("#result_list").inner_text()

    response = partner.goto(address.removeprefix(site))
    assert response.status == 410
    assert "withdrawn" in review.locator("h1").inner_text()
    assert "Kampot" not in review.content()
    assert axe_violations(review) == []

    publisher.check()
    partner.check()
    publisher.close()
    partner.close()
