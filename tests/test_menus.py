"""The header and footer menus (issue 18): staff edit their links in the admin, through the
same draft and publish rules as content; readers see the links whose targets they may follow,
in their language, with one level of sub-menu; the page cache is dropped when a menu changes.

Through Django's test client and the real admin forms; the browser's side is
test_browser_menus.py."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from editorial.models import Draft
from pages.models import ProgramPage
from website.links import resolve
from website.menus import ensure_menus
from website.models import Menu, MenuLink, Target

from .helpers import (
    admin_form_data,
    change_url,
    count_queries,
    form_errors,
    make_news,
    make_page,
    restore_roles,
    visible_text,
)

LANGS = ["en", "fr", "km"]


@pytest.fixture(autouse=True)
def roles(db):
    restore_roles()


def menu(place):
    return ensure_menus()[place]


def nav(html, which="header"):
    """[(href, text)] of the header's main navigation or the footer's links."""
    if which == "header":
        start = html.index('<nav class="site-nav"')
        part = html[start : html.index("</nav>", start)]
    else:
        start = html.index('<footer class="site-footer"')
        part = html[start : html.index("</footer>", start)]
    return [
        (href, visible_text(text))
        for href, text in re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', part, flags=re.S)
    ]


def page_html(url="/en/", client=None):
    response = (client or Client()).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def form_data(response):
    """What the menu's form posts back unchanged, the rows its draft adds included (they are
    filled-in extra rows, which admin_form_data leaves out with the blank ones)."""
    data = admin_form_data(response)
    formset = response.context["inline_admin_formsets"][0].formset
    for form in formset.extra_forms:
        if not form.initial:
            continue
        index = int(data["links-TOTAL_FORMS"])
        data["links-TOTAL_FORMS"] = index + 1
        for name in form.fields:
            value = form[name].value()
            data[f"links-{index}-{name}"] = "" if value is None else value
    return data


def add_row(data, **fields):
    """A new link row in a menu form's data (the `links` inline)."""
    index = int(data["links-TOTAL_FORMS"])
    data["links-TOTAL_FORMS"] = index + 1
    row = {
        "id": "",
        "label_en": "",
        "label_fr": "",
        "label_km": "",
        "target": Target.PAGE,
        "page": "",
        "news_item": "",
        "url": "",
        "parent": "",
        "order": "100",
    }
    row.update(fields)
    for name, value in row.items():
        data[f"links-{index}-{name}"] = value
    return index


def row_of(data, link):
    """The index of `link`'s row in a menu form's data."""
    for key, value in data.items():
        if re.fullmatch(r"links-\d+-id", key) and str(value) == str(link.pk):
            return int(key.split("-")[1])
    raise AssertionError(f"no row for {link}")


def links_of(place):
    return [
        (link.target, link.page_id, link.url, link.label_en, link.parent_id)
        for link in Menu.objects.get(place=place).links.order_by("order", "id")
    ]


# The defaults ------------------------------------------------------------------------------------


def test_the_demo_menus_are_todays_header_and_footer_in_three_languages(demo):
    pages = list(ProgramPage.objects.published())
    for lang in LANGS:
        html = page_html(f"/{lang}/")
        header = nav(html)
        hrefs = [href for href, _text in header]
        assert hrefs == [
            f"/{lang}/",
            f"/{lang}/news/",
            *(f"/{lang}/program/{page.slug}/" for page in pages),
            f"/{lang}/partners/",
        ], lang
        footer = [href for href, _text in nav(html, "footer")]
        assert footer == [f"/{lang}/news/", f"/{lang}/program/", f"/{lang}/partners/"], lang
    texts = [text for _href, text in nav(page_html("/fr/"))]
    assert texts[0] == "Accueil" and texts[-1] == "Partenaires", texts
    league = ProgramPage.objects.get(slug="about-the-league")
    assert league.nav_title_fr in texts  # a program page's own navigation title
    english = [text for _href, text in nav(page_html("/en/"))]
    assert english[:2] == ["Home", "The latest"] and english[-1] == "Partners"
    assert "Not yet translated" not in " ".join(texts)


def test_a_database_without_the_menus_gets_them_with_their_default_links(client, db):
    Menu.objects.all().delete()
    first = make_page("First section", order=1)
    make_page("Second section", order=2)
    make_page("Draft section", order=0, published=False)
    html = page_html("/en/")
    assert [text for _href, text in nav(html)] == [
        "Home",
        "The latest",
        "First section",
        "Second section",
        "Partners",
    ]
    assert [text for _href, text in nav(html, "footer")] == [
        "The latest",
        "The program",
        "Partners",
    ]
    assert Menu.objects.count() == 2
    header = Menu.objects.get(place="header")
    link = header.links.get(target=Target.PAGE, page=first)
    assert not link.label_en  # readers see the page's own title


def test_the_demo_content_keeps_the_menus_staff_changed_and_reset_puts_them_back(demo):
    from django.core.management import call_command

    header = menu("header")
    header.links.filter(target=Target.PARTNERS).delete()
    call_command("load_demo_content", verbosity=0)
    assert not header.links.filter(target=Target.PARTNERS).exists()
    call_command("load_demo_content", "--reset", verbosity=0)
    assert header.links.filter(target=Target.PARTNERS).exists()


# Readers ------------------------------------------------------------------------------------------


def test_a_link_to_something_readers_cannot_see_is_hidden_and_so_are_its_sub_links(client, db):
    header = menu("header")
    hidden_page = make_page("Plans in progress", published=False)
    shown_page = make_page("Shown section")
    draft_news = make_news("A draft story", published=False)
    parent = MenuLink.objects.create(menu=header, target=Target.PAGE, page=hidden_page, order=1)
    MenuLink.objects.create(menu=header, target=Target.PAGE, page=shown_page, parent=parent)
    MenuLink.objects.create(menu=header, target=Target.NEWS_ITEM, news_item=draft_news, order=2)
    html = page_html("/en/")
    hrefs = [href for href, _text in nav(html)]
    assert hidden_page.get_absolute_url() not in hrefs
    assert shown_page.get_absolute_url() not in hrefs  # under a hidden link
    assert draft_news.get_absolute_url() not in hrefs
    assert "Plans in progress" not in visible_text(html)
    assert resolve(parent).problem == "The program page is not published."


def test_sub_menu_renders_nested_with_labels_in_each_language(client, db):
    header = menu("header")
    about = MenuLink.objects.create(
        menu=header,
        target=Target.PROGRAM,
        order=15,
        label_en="About us",
        label_fr="À propos",
        label_km="អំពីយើង",
    )
    MenuLink.objects.create(
        menu=header, target=Target.OPEN_DATA, parent=about, order=1, label_en="Our data"
    )
    MenuLink.objects.create(menu=header, target=Target.SEARCH, parent=about, order=2)
    html = page_html("/fr/")
    item = re.search(r'<li class="has-sub">(.*?)</ul>\s*</li>', html, flags=re.S)
    assert item, "the sub-menu is a list nested in its link's list item"
    inner = item.group(1)
    assert '<a href="/fr/program/">À propos</a>' in inner
    assert '<ul class="sub-nav">' in inner
    # A label without French: the English one, marked as such; no label: the target's title.
    assert '<span class="untranslated" lang="en">Our data</span>' in inner
    assert 'href="/fr/partners/data/"' in inner and ">Rechercher</a>" in inner
    assert "អំពីយើង" in page_html("/km/")


def test_the_current_page_link_says_so(client, demo):
    html = page_html("/en/news/")
    assert re.search(r'<a href="/en/news/" aria-current="page">The latest</a>', html)
    assert 'aria-current="page"' not in html[html.index('<footer class="site-footer"') :]
    header = menu("header")
    MenuLink.objects.create(
        menu=header, target=Target.NEWS_REPORTS, order=25, label_en="Reports only"
    )
    html = page_html("/en/news/?kind=report")
    assert re.search(r'href="/en/news/\?kind=report" aria-current="page"', html)
    assert not re.search(r'href="/en/news/" aria-current="page"', html)


def test_a_public_page_costs_the_same_queries_however_many_links(client, db, uncached):
    header, footer = menu("header"), menu("footer")
    count_queries(Client(), "/en/program/")  # the site settings' row made on the way
    count = count_queries(Client(), "/en/program/")
    for index in range(6):
        page = make_page(f"Section {index}")
        story = make_news(f"Story {index}")
        top = MenuLink.objects.create(menu=header, target=Target.PAGE, page=page, order=50 + index)
        MenuLink.objects.create(menu=header, target=Target.NEWS_ITEM, news_item=story, parent=top)
        MenuLink.objects.create(menu=footer, target=Target.URL, url=f"https://example.org/{index}")
    html = page_html("/en/program/")
    assert "Story 5" in html and "https://example.org/5" in html
    # The program list shows the new pages (its own query, whatever their number): the same
    # count as before, the menus included.
    assert count_queries(Client(), "/en/program/") == count


# The admin: the form, the list -----------------------------------------------------------------


def test_menus_cannot_be_added_or_deleted(staff_client):
    header = menu("header")
    assert staff_client.get(reverse("admin:website_menu_add")).status_code == 403
    delete = reverse("admin:website_menu_delete", args=[header.pk])
    assert staff_client.post(delete, {"post": "yes"}).status_code == 403
    assert Menu.objects.count() == 2
    changelist = staff_client.get(reverse("admin:website_menu_changelist"))
    assert changelist.status_code == 200
    assert "Header navigation" in visible_text(changelist)
    assert "Footer links" in visible_text(changelist)


def test_hidden_links_are_flagged_to_staff_in_the_form_and_the_list(staff_client):
    header = menu("header")
    page = make_page("Unfinished section", published=False)
    MenuLink.objects.create(menu=header, target=Target.PAGE, page=page, order=99)
    gone = make_page("Old section")
    MenuLink.objects.create(menu=header, target=Target.PAGE, page=gone, order=98)
    gone.delete()
    form = visible_text(staff_client.get(change_url(header)))
    assert "No: The program page is not published." in form
    assert "No: The program page it linked to was deleted." in form
    listing = visible_text(staff_client.get(reverse("admin:website_menu_changelist")))
    assert "Unfinished section: The program page is not published." in listing
    assert "The program page it linked to was deleted." in listing


def test_the_news_item_is_chosen_by_search_not_from_a_list_of_every_item(staff_client):
    for index in range(5):
        make_news(f"Story number {index}")
    html = staff_client.get(change_url(menu("footer"))).content.decode()
    assert "Story number" not in html
    assert "vForeignKeyRawIdAdminField" in html


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"target": Target.URL, "url": "javascript:alert(1)"}, "url", "starting with https://"),
        ({"target": Target.URL, "url": "ftp://files.example.org/"}, "url", "Only web addresses"),
        ({"target": Target.URL, "url": ""}, "url", "Enter the address this link goes to."),
        ({"target": Target.PAGE}, "page", "Choose the program page this link goes to."),
        ({"target": Target.NEWS_ITEM}, "news_item", "Choose the news item this link goes to."),
        ({"target": Target.HOME, "label_en": "x" * 81}, "label_en", "at most 80 characters"),
        ({"target": Target.HOME, "target_other": True}, "parent", "top-level link of this menu"),
    ],
    ids=["javascript", "ftp", "no-url", "no-page", "no-news-item", "long-label", "other-menu"],
)
def test_bad_links_are_refused_with_a_clear_message_and_nothing_is_saved(
    publisher, fields, field, message
):
    header, footer = menu("header"), menu("footer")
    fields = dict(fields)
    if fields.pop("target_other", False):
        fields["parent"] = footer.links.first().pk
    before = links_of("header")
    data = form_data(publisher.get(change_url(header)))
    index = add_row(data, **fields)
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(change_url(header), data)
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][0].formset.forms[index].errors
    assert message in " ".join(errors.get(field, [])), errors
    assert "Please correct the error" in visible_text(response)
    assert links_of("header") == before
    assert not Draft.objects.exists()


def test_a_sub_link_cannot_have_sub_links_nor_be_given_to_a_sub_link(publisher):
    header = menu("header")
    top, second = list(header.links.order_by("order")[:2])
    data = form_data(publisher.get(change_url(header)))
    # `second` under `top`, and a new link under `second`, in the same form.
    data[f"links-{row_of(data, second)}-parent"] = top.pk
    index = add_row(data, target=Target.SEARCH, parent=second.pk)
    response = publisher.post(change_url(header), data)
    assert response.status_code == 200
    forms = response.context["inline_admin_formsets"][0].formset.forms
    assert "choose a top-level link" in " ".join(forms[index].errors["parent"])
    assert "cannot be under another link" in " ".join(forms[row_of(data, second)].errors["parent"])
    # A stored sub-link is not offered as a parent.
    MenuLink.objects.filter(pk=second.pk).update(parent=top)
    data = form_data(publisher.get(change_url(header)))
    index = add_row(data, target=Target.SEARCH, parent=second.pk)
    response = publisher.post(change_url(header), data)
    errors = response.context["inline_admin_formsets"][0].formset.forms[index].errors
    assert "Choose a top-level link of this menu." in errors["parent"]
    # Deleting a link with sub-links under it.
    data = form_data(publisher.get(change_url(header)))
    data[f"links-{row_of(data, top)}-DELETE"] = "on"
    response = publisher.post(change_url(header), data)
    assert response.status_code == 200
    assert "move or delete them before deleting it" in visible_text(response)
    assert MenuLink.objects.filter(pk=top.pk).exists()
    assert not Draft.objects.exists()


# Drafts and publishing ---------------------------------------------------------------------------


def test_an_editors_change_is_a_draft_until_a_publisher_publishes_it(editor, publisher):
    header, footer = menu("header"), menu("footer")
    Client().get("/en/")  # cached
    page = make_page("Budget workshops")
    partners = header.links.get(target=Target.PARTNERS)
    home = header.links.get(target=Target.HOME)
    live_header = nav(page_html("/en/partners/"))

    data = form_data(editor.get(change_url(header)))
    assert "_publish_draft" not in data
    add_row(data, target=Target.PAGE, page=page.pk, order="25", label_en="Workshops")
    data[f"links-{row_of(data, partners)}-label_en"] = "Our partners"
    data[f"links-{row_of(data, home)}-DELETE"] = "on"
    response = editor.post(change_url(header), data)
    assert response.status_code == 302, form_errors(response)
    assert nav(page_html("/en/partners/")) == live_header  # readers: as before
    draft = Draft.objects.get(object_id=str(header.pk))
    assert draft.data is not None

    # The editor's form shows the draft: the new row, the changed label, the deleted row gone.
    form = editor.get(change_url(header))
    text = visible_text(form)
    assert "Readers see the live version" in text
    assert 'value="Workshops"' in form.content.decode()
    assert 'value="Our partners"' in form.content.decode()
    assert not editor.get(change_url(footer)).context["original"].__dict__.get("_draft")

    # The publisher publishes the draft as it is.
    data = form_data(publisher.get(change_url(header)))
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(change_url(header), data)
    assert response.status_code == 302, form_errors(response)
    assert not Draft.objects.filter(object_id=str(header.pk), data__isnull=False).exists()
    html = page_html("/en/partners/")
    texts = [text for _href, text in nav(html)]
    assert "Workshops" in texts and "Our partners" in texts and "Home" not in texts
    assert texts.index("The latest") < texts.index("Workshops") < texts.index("Our partners")
    assert not MenuLink.objects.filter(pk=home.pk).exists()


def test_publishing_a_menu_drops_the_cached_pages(publisher, demo):
    for url in ["/en/", "/fr/news/"]:
        Client().get(url)
        assert Client().get(url)["X-Cache"] == "hit"
    footer = menu("footer")
    data = form_data(publisher.get(change_url(footer)))
    add_row(data, target=Target.URL, url="https://www.fcm.ca/", label_en="FCM", label_fr="FCM")
    publisher.post(change_url(footer), data)  # a draft: nothing changes for readers
    response = Client().get("/en/")
    assert response["X-Cache"] == "hit" and "https://www.fcm.ca/" not in response.content.decode()
    data = form_data(publisher.get(change_url(footer)))
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(change_url(footer), data)
    assert response.status_code == 302, form_errors(response)
    for url in ["/en/", "/fr/news/"]:
        response = Client().get(url)
        assert response["X-Cache"] == "miss", url
        assert ("https://www.fcm.ca/", "FCM") in nav(response.content.decode(), "footer")


def test_preview_shows_the_home_page_with_the_forms_links(publisher, demo):
    header = menu("header")
    data = form_data(publisher.get(change_url(header)))
    add_row(data, target=Target.URL, url="https://example.org/contact", label_en="Get in touch")
    preview = reverse("admin:website_menu_preview", args=[header.pk])
    response = publisher.post(preview, data)
    assert response.status_code == 303
    frame = publisher.get(response["Location"].replace("lang=en", "lang=fr") + "&frame=1")
    assert frame.status_code == 200
    assert ("https://example.org/contact", "Get in touch") in nav(frame.content.decode())
    assert not MenuLink.objects.filter(url="https://example.org/contact").exists()
    assert "Get in touch" not in page_html("/en/")
