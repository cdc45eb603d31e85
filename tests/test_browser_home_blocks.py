"""The home page's blocks in a real Chromium, under the admin's and the site's
Content-Security-Policy (issue 18's test): a publisher opens the home page's form, moves the
partners to the top with "Move up", adds an image block (the image chosen in the library's
dialog) and a call to action, each new block showing only its kind's fields, and publishes;
readers see the new order in three languages, and the page asks no more queries than before.
The screenshots are the staff guide's (docs/home-blocks-admin.png, docs/home-blocks-site.png).
Skips without Chromium."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import expect

from website.blocks import HOME_PK
from website.models import BlockKind, HomePage

from .helpers import BROWSER_PASSWORD, DOCS, Visitor, count_queries, restore_roles

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("uncached")]

VIEWPORT = {"width": 1280, "height": 900}
BLOCK_CLASSES = (
    ".account-prompt, .latest, .program-section, .program-card, .figures-block, "
    ".canadian-partners, .text-block, .image-block, .call-to-action"
)


def make_publisher(django_user_model, email="publisher@example.org"):
    restore_roles()  # a transactional test's flush emptied them
    user = django_user_model.objects.create_user(
        "publisher", email, BROWSER_PASSWORD, is_staff=True, first_name="Pat"
    )
    user.groups.add(Group.objects.get(name="Publishers"))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def blocks_on_page(page):
    return page.locator(BLOCK_CLASSES).evaluate_all(
        "nodes => nodes.map(node => node.className.split(' ')[0])"
    )


def visible_rows(block):
    """The names of a block's form rows that are shown (`field-heading_en` -> heading_en)."""
    return block.locator(".form-row").evaluate_all(
        "rows => rows.filter(row => !row.hidden && row.offsetParent !== null)"
        ".map(row => Array.from(row.classList).find(name => name.startsWith('field-')))"
        ".map(name => name.slice(6))"
    )


def test_a_publisher_reorders_the_blocks_adds_an_image_and_a_call_to_action(
    browser, site, django_user_model
):
    make_publisher(django_user_model)
    before_queries = count_queries(Client(), "/en/")
    visitor = Visitor(browser, site, viewport=VIEWPORT)
    page = visitor.page
    visitor.goto("/admin/")
    visitor.log_in("publisher@example.org", path=page.url.removeprefix(site))

    # The admin's link goes straight to the one home page's form.
    visitor.goto("/admin/website/homepage/")
    assert page.url.endswith(f"/admin/website/homepage/{HOME_PK}/change/")
    blocks = page.locator("#blocks-group .inline-related:not(.empty-form)")
    expect(blocks).to_have_count(7)
    account = blocks.nth(0)
    # Each block shows its kind's fields only.
    shown = visible_rows(account)
    assert "text_en" in shown and "link_text_en" in shown
    assert "image" not in shown and "news_count" not in shown and "page" not in shown
    assert "news_count" in visible_rows(blocks.nth(1))
    assert set(visible_rows(blocks.nth(2))) == {"kind", "order", "display", "page"}

    # The partners to the top, with "Move up".
    partners = page.locator("#blocks-6")  # its id stays as it moves
    for _ in range(6):
        partners.get_by_role("button", name="Move up").click()
    first = page.locator("#blocks-group .inline-related:not(.empty-form)").nth(0)
    assert first.locator("select.home-block-kind").input_value() == BlockKind.PARTNERS
    assert first.locator("input.home-block-order").input_value() == "10"

    # An image block, its image chosen in the library's dialog.
    page.locator("#blocks-group .add-row a").click()
    new = page.locator("#blocks-7")
    new.locator("select.home-block-kind").select_option(BlockKind.IMAGE)
    assert set(visible_rows(new)) == {
        "kind",
        "order",
        "image",
        "caption_en",
        "caption_fr",
        "caption_km",
    }
    new.get_by_role("button", name="Choose an image").click()
    dialog = page.get_by_role("dialog")
    tile = dialog.locator(".library-chooser-item", has_text="rice fields")
    tile.get_by_role("button", name="Choose").click()
    assert not dialog.is_visible()
    assert "rice fields" in new.locator("[data-chooser-chosen]").inner_text()
    new.locator("input[name$='-caption_en']").fill("Rice fields near a partner commune.")
    new.locator("input[name$='-caption_fr']").fill("Des rizières près d’une commune partenaire.")
    new.locator("input[name$='-caption_km']").fill("វាលស្រែនៅជិតឃុំដៃគូ។")

    # A call to action, to the partners' page.
    page.locator("#blocks-group .add-row a").click()
    cta = page.locator("#blocks-8")
    cta.locator("select.home-block-kind").select_option(BlockKind.CALL_TO_ACTION)
    # Its destination's fields follow the chosen target.
    assert "page" in visible_rows(cta) and "url" not in visible_rows(cta)
    cta.locator("select[name$='-target']").select_option("url")
    assert "url" in visible_rows(cta) and "page" not in visible_rows(cta)
    assert "image" not in visible_rows(cta)
    cta.locator("input[name$='-heading_en']").fill("Become a partner")
    cta.locator("input[name$='-heading_fr']").fill("Devenez partenaire")
    cta.locator("textarea[name$='-text_en']").fill("Canadian towns: work with a Cambodian commune.")
    cta.locator("input[name$='-link_text_en']").fill("Meet the partners")
    cta.locator("input[name$='-link_text_fr']").fill("Voir les partenaires")
    cta.locator("select[name$='-target']").select_option("partners")
    # The image block moved up, after the latest news.
    for _ in range(4):
        new.get_by_role("button", name="Move up").click()
    orders = page.locator("#blocks-group .inline-related:not(.empty-form) input.home-block-order")
    assert orders.evaluate_all("inputs => inputs.map(input => Number(input.value))") == [
        10 * n for n in range(1, 10)
    ]
    # The form's blocks, the admin's menu folded away.
    page.locator("#toggle-nav-sidebar").click()
    page.set_viewport_size({"width": 1280, "height": 1800})
    page.evaluate("document.getElementById('blocks-heading').scrollIntoView()")
    page.screenshot(path=DOCS / "home-blocks-admin.png")
    page.set_viewport_size(VIEWPORT)

    page.get_by_role("button", name="Publish changes").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert "readers see them now" in page.locator(".messagelist").inner_text()
    visitor.check()

    live = [block.kind for block in HomePage.objects.get().blocks.all()]
    assert live == ["partners", "account", "news", "image", *["program"] * 4, "cta"], live

    # Readers see the new order, in each language.
    reader = Visitor(browser, site, viewport=VIEWPORT)
    expected = [
        "canadian-partners",
        "account-prompt",
        "latest",
        "image-block",
        *["program-card"] * 4,
        "call-to-action",
    ]
    for lang, words in [
        ("en", "Meet the partners"),
        ("fr", "Voir les partenaires"),
        ("km", "Meet the partners"),
    ]:
        reader.goto(f"/{lang}/")
        assert blocks_on_page(reader.page) == expected, lang
        assert words in reader.page.locator(".call-to-action").inner_text()
        picture = reader.page.locator(".image-block img")
        expect(picture).to_be_visible()
        assert reader.page.locator(".image-block figcaption").inner_text().strip()
    reader.goto("/en/")
    reader.page.set_viewport_size({"width": 1280, "height": 1400})
    reader.page.screenshot(path=DOCS / "home-blocks-site.png")
    reader.page.locator(".call-to-action a").click()
    reader.page.wait_for_load_state("networkidle")
    assert reader.page.url.endswith("/en/partners/")
    reader.check()
    reader.close()
    visitor.close()

    # The query count did not change with the new blocks.
    assert count_queries(Client(), "/en/") == before_queries
