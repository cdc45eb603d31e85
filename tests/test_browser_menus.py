"""The menus in a real Chromium (issue 18): a publisher adds a "Contact" external link to the
footer and a program page to the header, and an unpublished page, which is flagged in the form
and hidden from readers; readers see both new links in English, French and Khmer. The header's
sub-menu is a nested list, shown on hover and reached by keyboard on a wide screen, simply
nested on a phone. No policy violation. The screenshots are the staff guide's
(docs/menus-admin.png, docs/menus-site.png). Skips without Chromium."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.urls import reverse
from playwright.sync_api import expect

from website.models import Menu, MenuLink, Target

from .helpers import AXE, BROWSER_PASSWORD, DOCS, WCAG_TAGS, Visitor, make_page, restore_roles

pytestmark = pytest.mark.browser

VIEWPORT = {"width": 1280, "height": 900}
CONTACT = "https://www.fcm.ca/contact"
DJANGO_ADMIN_FAULTS = {"empty-table-header", "target-size"}
LABELS = {"en": "Contact", "fr": "Nous joindre", "km": "ទំនាក់ទំនង"}


def make_publisher(django_user_model, email="publisher@example.org"):
    restore_roles()
    user = django_user_model.objects.create_user(
        "publisher", email, BROWSER_PASSWORD, is_staff=True, first_name="Dara"
    )
    user.groups.add(Group.objects.get(name="Publishers"))
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def axe_faults(visitor, selector):
    """axe-core's faults in `selector`, after our own policy check (axe sets inline styles the
    policy refuses, forgotten afterwards)."""
    page = visitor.page
    visitor.record()
    visitor.check()
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "([selector, tags]) => axe.run(selector, {runOnly: {type: 'tag', values: tags}})",
        [selector, WCAG_TAGS],
    )
    page.evaluate("window.__csp = []")
    visitor.console.clear()
    return [
        (violation["id"], [node["target"] for node in violation["nodes"]][:3])
        for violation in result["violations"]
    ]


def fill_row(page, index, target, label=None, **fields):
    prefix = f"#id_links-{index}-"
    for lang, text in (label or {}).items():
        page.fill(f"{prefix}label_{lang}", text)
    page.select_option(f"{prefix}target", target)
    if "program_page" in fields:
        page.select_option(f"{prefix}page", str(fields["program_page"]))
    if "url" in fields:
        page.fill(f"{prefix}url", fields["url"])
    if "order" in fields:
        page.fill(f"{prefix}order", str(fields["order"]))


def publish_changes(visitor):
    page = visitor.page
    page.get_by_role("button", name="Publish changes").click()
    page.wait_for_load_state("networkidle")
    visitor.record()
    expect(page.locator(".messagelist")).to_contain_text("are published")


def test_a_publisher_adds_a_footer_contact_link_and_a_header_page(browser, site, django_user_model):
    make_publisher(django_user_model)
    header, footer = Menu.objects.get(place="header"), Menu.objects.get(place="footer")
    workshops = make_page(
        "Budget workshops",
        nav_title_en="Workshops",
        title_fr="Ateliers budgétaires",
        nav_title_fr="Ateliers",
        title_km="សិក្ខាសាលាថវិកា",
        nav_title_km="សិក្ខាសាលា",
        order=90,
    )
    plans = make_page("Plans in progress", published=False, order=91)
    visitor = Visitor(browser, site, viewport=VIEWPORT)
    page = visitor.page
    visitor.goto("/admin/")
    visitor.log_in("publisher@example.org", path=page.url.removeprefix(site))

    # The footer: an external "Contact" link, labelled in each language.
    visitor.goto(reverse("admin:website_menu_changelist"))
    page.get_by_role("link", name="Footer links").click()
    page.wait_for_load_state("networkidle")
    fill_row(page, footer.links.count(), Target.URL, LABELS, url=CONTACT, order=40)
    publish_changes(visitor)
    assert footer.links.filter(url=CONTACT, label_fr="Nous joindre").exists()

    # The header: a program page before Partners, and a page not yet published.
    visitor.goto(reverse("admin:website_menu_change", args=[header.pk]))
    count = header.links.count()
    partners = header.links.get(target=Target.PARTNERS)
    fill_row(page, count, Target.PAGE, program_page=workshops.pk, order=partners.order - 1)
    page.locator("#links-group .add-row a").click()
    fill_row(page, count + 1, Target.PAGE, program_page=plans.pk, order=partners.order + 1)
    publish_changes(visitor)
    assert header.links.filter(page=workshops).exists() and header.links.filter(page=plans)
    # Back on the list of menus, which names the link readers do not see, and why.
    expect(page.locator("#result_list")).to_contain_text(
        "Plans in progress: The program page is not published."
    )
    visitor.goto(reverse("admin:website_menu_change", args=[header.pk]))

    def link_box(title):
        chosen = page.locator("option[selected]", has_text=title)
        return page.locator("tr.has_original", has=chosen)

    expect(link_box("Plans")).to_contain_text("No: The program page is not published.")
    workshops_row = link_box("Budget workshops")
    expect(workshops_row).to_contain_text("Yes")
    # Django's own table of inline rows has an empty first header cell and a small lookup
    # icon beside the news item's box: those two are the admin's, the rest must be clean.
    faults = axe_faults(visitor, "#links-group")
    assert [fault for fault in faults if fault[0] not in DJANGO_ADMIN_FAULTS] == []
    DOCS.mkdir(exist_ok=True)
    page.locator("#toggle-nav-sidebar").click()  # the admin's menu folded away, as staff can
    page.screenshot(path=DOCS / "menus-admin.png", full_page=True)
    visitor.check()
    visitor.close()

    # Readers, in each language.
    reader = Visitor(browser, site, viewport=VIEWPORT)
    titles = {"en": "Workshops", "fr": "Ateliers", "km": "សិក្ខាសាលា"}
    for lang in ("en", "fr", "km"):
        reader.goto(f"/{lang}/")
        nav = reader.page.locator("nav.site-nav")
        link = nav.get_by_role("link", name=titles[lang], exact=True)
        expect(link).to_have_attribute("href", f"/{lang}/program/budget-workshops/")
        names = nav.get_by_role("link").all_inner_texts()
        assert names.index(titles[lang]) == len(names) - 2, names  # just before Partners
        expect(nav).not_to_contain_text("Plans in progress")
        contact = reader.page.locator("footer.site-footer").get_by_role("link", name=LABELS[lang])
        expect(contact).to_have_attribute("href", CONTACT)
    reader.goto("/en/")
    reader.page.locator("header.site-header").screenshot(path=DOCS / "menus-site.png")
    reader.goto("/en/program/budget-workshops/")
    current = reader.page.locator('nav.site-nav a[aria-current="page"]')
    expect(current).to_have_text("Workshops")
    reader.check()
    reader.close()


def test_a_sub_menu_is_a_nested_list_reached_by_hover_and_keyboard(browser, site):
    header = Menu.objects.get(place="header")
    latest = header.links.get(target=Target.NEWS)
    MenuLink.objects.create(menu=header, parent=latest, target=Target.NEWS_REPORTS, order=1)
    MenuLink.objects.create(menu=header, parent=latest, target=Target.NEWS_PRESS, order=2)
    visitor = Visitor(browser, site, viewport=VIEWPORT)
    page = visitor.page
    visitor.goto("/en/")
    item = page.locator("nav.site-nav li.has-sub")
    parent = item.locator("> a")
    expect(parent).to_have_text("The latest")
    reports = item.locator(".sub-nav a", has_text="Reports")
    expect(reports).to_be_hidden()

    # The keyboard: the sub-links come right after their link.
    parent.focus()
    page.keyboard.press("Tab")
    assert reports.evaluate("element => element === document.activeElement")
    expect(reports).to_be_visible()
    page.keyboard.press("Tab")
    press = item.locator(".sub-nav a", has_text="Press features")
    assert press.evaluate("element => element === document.activeElement")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state("networkidle")
    visitor.record()
    assert page.url.endswith("/en/news/?kind=press")
    current = page.locator('nav.site-nav a[aria-current="page"]')
    expect(current).to_have_count(1)
    expect(current).to_have_text("Press features")

    # The mouse.
    page.mouse.move(0, 0)
    expect(reports).to_be_hidden()
    parent.hover()
    expect(reports).to_be_visible()
    assert axe_faults(visitor, "nav.site-nav") == []

    # A phone: in the Menu (tests/test_browser_phone.py), simply nested, shown with their link.
    phone = Visitor(browser, site, viewport={"width": 390, "height": 844})
    phone.goto("/en/")
    phone.page.get_by_text("Menu", exact=True).click()
    expect(phone.page.locator("nav.site-nav .sub-nav a", has_text="Reports")).to_be_visible()
    phone.check()
    phone.close()
    visitor.check()
    visitor.close()
