"""The home page as blocks (issue 18): staff add, remove and reorder the home page's blocks in the
admin, through the same draft and publish rules as content; readers see the blocks in order, in
their language, and the page's query count does not grow with the blocks.

Through Django's test client and the real admin forms; the browser's side (a publisher reorders
the blocks, adds an image and a call to action) is test_browser_home_blocks.py."""

import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from editorial.models import Draft
from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Municipality
from website.blocks import HOME_PK, load_home
from website.models import BlockKind, HomeBlock, HomePage, Target

from .helpers import (
    admin_form_data,
    count_queries,
    form_errors,
    make_library_image,
    make_municipality,
    make_news,
    make_page,
    restore_roles,
    today,
    visible_text,
)

LANGS = ["en", "fr", "km"]
ADMIN_URL = f"/admin/website/homepage/{HOME_PK}/change/"
UNTRANSLATED = '<span class="untranslated" lang="en">'


@pytest.fixture(autouse=True)
def roles(db):
    restore_roles()


def page_html(url="/en/", client=None):
    response = (client or Client()).get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def kinds_shown(html):
    """The blocks of the page in order, by their sections' classes."""
    found = re.findall(
        r'class="(account-prompt|latest block-news|program-section|program-card|figures-block|'
        r'canadian-partners|text-block|image-block|call-to-action)"',
        html,
    )
    return [name.split()[0] for name in found]


def titles(html):
    return re.findall(r'class="news-title"><a href="[^"]*">(.*?)</a>', html)


def add_block(kind, order, **fields):
    return HomeBlock.objects.create(home=load_home(), kind=kind, order=order, **fields)


def every_kind_of_block(start=1000):
    """Many blocks of every kind, pointing at different things (after the demo's)."""
    image = make_library_image(title="Harvest", alt_en="Rice harvest", alt_fr="Récolte du riz")
    pages = list(ProgramPage.objects.all())
    league = ProgramPage.objects.get(slug="about-the-league")
    partners = list(Municipality.objects.canadian())
    item = NewsItem.objects.first()
    order = start
    made = []
    for kinds, count in [([Kind.REPORT], 1), ([Kind.PRESS, Kind.NEWS], 5), ([], 2)]:
        order += 1
        made.append(
            add_block(
                BlockKind.LATEST_NEWS, order, heading_en="News", news_kinds=kinds, news_count=count
            )
        )
    for page in pages:
        for display in ("full", "card"):
            order += 1
            made.append(add_block(BlockKind.PROGRAM, order, page=page, display=display))
    for _ in range(2):
        order += 1
        made.append(add_block(BlockKind.FIGURES, order, page=league, heading_en="Our league"))
        order += 1
        made.append(add_block(BlockKind.PARTNERS, order, heading_en="All partners"))
        order += 1
        made.append(
            add_block(
                BlockKind.PARTNERS,
                order,
                heading_en="Some partners",
                partners="chosen",
                partner_ids=[partners[-1].pk, partners[0].pk],
            )
        )
        order += 1
        made.append(add_block(BlockKind.TEXT, order, heading_en="Words", body_en="<p>Hello</p>"))
        order += 1
        made.append(add_block(BlockKind.IMAGE, order, image=image, caption_en="In the fields"))
        order += 1
        made.append(add_block(BlockKind.ACCOUNT_PROMPT, order, link_text_en="Join"))
    for target, extra in [
        (Target.PAGE, {"page": league}),
        (Target.NEWS_ITEM, {"news_item": item}),
        (Target.URL, {"url": "https://example.org/"}),
        (Target.PARTNERS, {}),
    ]:
        order += 1
        made.append(
            add_block(
                BlockKind.CALL_TO_ACTION,
                order,
                heading_en="Act",
                link_text_en="Go",
                target=target,
                **extra,
            )
        )
    return made


# Query counts -----------------------------------------------------------------------------------


@pytest.mark.usefixtures("uncached")
def test_query_count_is_the_same_with_the_default_blocks_and_many_blocks_of_every_kind(demo):
    default = count_queries(Client(), "/en/")
    every_kind_of_block()
    assert load_home().blocks.count() > 30
    for day in range(6):
        make_news(f"Fresh report {day}", kind=Kind.REPORT, days_ago=day)
    html = page_html()
    assert {"image-block", "call-to-action", "figures-block", "program-card", "text-block"} <= set(
        kinds_shown(html)
    )
    assert count_queries(Client(), "/en/") == default
    assert count_queries(Client(), "/fr/") == default


def test_each_news_block_shows_its_kinds_and_count_newest_first(demo):
    home = load_home()
    home.blocks.all().delete()
    for day in range(4):
        make_news(f"Report {day}", kind=Kind.REPORT, days_ago=day)
        make_news(f"Press {day}", kind=Kind.PRESS, days_ago=day)
    add_block(BlockKind.LATEST_NEWS, 1, heading_en="Reports", news_kinds=["report"], news_count=2)
    add_block(BlockKind.LATEST_NEWS, 2, heading_en="Everything", news_count=3)
    add_block(BlockKind.LATEST_NEWS, 3, heading_en="Press", news_kinds=["press"], news_count=4)
    html = page_html()
    reports = html[html.index('id="latest-heading"') : html.index('id="latest-heading-2"')]
    everything = html[html.index('id="latest-heading-2"') : html.index('id="latest-heading-3"')]
    press = html[html.index('id="latest-heading-3"') :]
    press = press[: press.index("</section>")]
    assert titles(reports) == ["Report 0", "Report 1"]
    assert "?kind=report" in reports
    # Each press item was made just after the report of its day: newer.
    assert titles(everything) == ["Press 0", "Report 0", "Press 1"]
    assert titles(press) == ["Press 0", "Press 1", "Press 2", "Press 3"]


# What readers see ---------------------------------------------------------------------------------


def test_the_demo_home_page_is_the_seed_page_in_blocks(demo):
    assert kinds_shown(page_html()) == [
        "account-prompt",
        "latest",
        *["program-card"] * 4,  # each links to its page (short on a phone)
        "canadian-partners",
    ]
    blocks = list(load_home().blocks.all())
    assert [block.kind for block in blocks] == ["account", "news", *["program"] * 4, "partners"]
    assert not any(block.kind == BlockKind.FIGURES for block in blocks)
    for block in blocks:
        for field in ("heading", "text", "link_text"):
            if getattr(block, f"{field}_en"):
                assert getattr(block, f"{field}_fr") and getattr(block, f"{field}_km"), field


def test_blocks_readers_cannot_follow_are_left_out_and_staff_see_why(demo, staff_client):
    image = make_library_image(title="Gone soon")
    draft_page = make_page("Not ready yet", published=False)
    add_block(BlockKind.PROGRAM, 1000, page=draft_page)
    add_block(BlockKind.IMAGE, 1001, image=image, caption_en="A caption")
    add_block(BlockKind.CALL_TO_ACTION, 1002, link_text_en="To the draft", page=draft_page)
    add_block(
        BlockKind.PARTNERS,
        1003,
        heading_en="Nobody",
        partners="chosen",
        partner_ids=[make_municipality("Hidden town", published=False).pk],
    )
    image.delete()
    html = page_html()
    assert "Not ready yet" not in html and "To the draft" not in html
    assert "A caption" not in html and "Nobody" not in html
    assert "Hidden from readers" not in html
    staff = visible_text(staff_client.get("/en/"))
    assert staff.count("Hidden from readers") == 4
    assert "The program page is not published." in staff
    assert "It has no image" in staff
    assert "None of the chosen partners is published." in staff


def test_chosen_partners_are_shown_in_the_chosen_order(demo):
    newell = Municipality.objects.get(slug="county-of-newell")
    chilliwack = Municipality.objects.get(slug="city-of-chilliwack")
    HomeBlock.objects.filter(kind=BlockKind.PARTNERS).update(
        partners="chosen", partner_ids=[newell.pk, chilliwack.pk]
    )
    html = page_html()
    part = html[html.index('id="partners-heading"') :]
    part = part[: part.index("</ul>")]
    assert part.index("County of Newell") < part.index("City of Chilliwack")
    assert part.count("<li>") == 2


@pytest.mark.parametrize("lang", LANGS)
def test_each_kind_renders_in_three_languages_with_fallback_marks(demo, lang):
    image = make_library_image(title="Rice", alt_en="Rice fields", alt_fr="Rizières")
    league = ProgramPage.objects.get(slug="about-the-league")
    translated = {"en": "English", "fr": "Français", "km": "ខ្មែរ"}
    only_english = {"en": "Only English", "fr": "", "km": ""}

    def texts(field, values):
        return {
            f"{field}_{code}": value.replace(" ", f" {field} ", 1) for code, value in values.items()
        }

    add_block(
        BlockKind.TEXT, 1000, **texts("heading", translated), body_en="<p>Body only English</p>"
    )
    add_block(BlockKind.IMAGE, 1001, image=image, **texts("caption", only_english))
    add_block(BlockKind.FIGURES, 1002, page=league, **texts("heading", translated))
    add_block(
        BlockKind.CALL_TO_ACTION,
        1003,
        target=Target.URL,
        url="https://example.org/",
        **texts("heading", only_english),
        **texts("link_text", translated),
    )
    add_block(BlockKind.PROGRAM, 1004, page=league, display="card")
    html = page_html(f"/{lang}/")
    assert f"{translated[lang]}" in html
    if lang == "en":
        assert UNTRANSLATED not in html.split('class="text-block"', 1)[1]
    else:
        rest = html.split('class="text-block"', 1)[1]
        # The rich text falls back to English, marked, with its note; so do the caption and the
        # call to action's heading.
        assert '<div class="untranslated" lang="en"><p>Body only English</p></div>' in rest
        assert "translation-note" in rest
        assert f"{UNTRANSLATED}Only caption English</span>" in rest
        assert f"{UNTRANSLATED}Only heading English</span>" in rest
    assert 'href="https://example.org/"' in html
    alt = {"en": 'alt="Rice fields"', "fr": 'alt="Rizières"', "km": 'alt="Rice fields" lang="en"'}
    assert alt[lang] in html
    assert "Our league" not in html and re.search(r"1\D?621", html)
    assert kinds_shown(html)[-5:] == [
        "text-block",
        "image-block",
        "figures-block",
        "call-to-action",
        "program-card",
    ]


def test_the_account_prompt_is_only_for_visitors_who_are_not_logged_in(demo, staff_client):
    assert "account-prompt" in page_html()
    assert "account-prompt" not in page_html(client=staff_client)


def test_a_database_without_the_home_page_gets_todays_blocks(db):
    HomePage.objects.all().delete()
    league = make_page("About the league")
    html = page_html()
    assert kinds_shown(html) == ["account-prompt", "latest", "program-section", "canadian-partners"]
    assert "Don't have an account?" in visible_text(html) and "The latest" in html
    assert league.title in html
    assert HomePage.objects.count() == 1


def test_sitemap_dates_the_home_page_as_the_page_does(demo):
    xml = Client().get("/sitemap-pages.xml").content.decode()
    assert "<lastmod>2016-05-18</lastmod>" in xml
    add_block(BlockKind.TEXT, 1000, body_en="<p>New</p>")
    HomePage.objects.get().save()
    xml = Client().get("/sitemap-pages.xml").content.decode()
    home = xml[xml.index("/en/</loc>") :]
    assert "<lastmod>2016-05-18</lastmod>" not in home[: home.index("</url>")]


# The admin --------------------------------------------------------------------------------------


def form_data(client):
    """What the home page's form posts if nothing is changed: its saved rows and the rows its
    draft adds (filled-in extra rows, which a browser posts too)."""
    response = client.get(ADMIN_URL)
    assert response.status_code == 200
    data = admin_form_data(response)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        added = formset.forms[formset.initial_form_count() :][
            : len(getattr(formset, "_draft_new", []))
        ]
        data[f"{formset.prefix}-TOTAL_FORMS"] = formset.initial_form_count() + len(added)
        for form in added:
            for name in form.fields:
                value = form[name].value()
                if isinstance(value, list):
                    data[form.add_prefix(name)] = [str(item) for item in value]
                elif value is not None and value is not False:
                    data[form.add_prefix(name)] = "on" if value is True else value
    return data


def rows(data):
    """{block pk: row index} of the form's saved rows."""
    return {
        int(value): int(key.split("-")[1])
        for key, value in data.items()
        if re.fullmatch(r"blocks-\d+-id", key) and value
    }


BLANK_ROW = {
    "id": "",
    "kind": "",
    "order": "500",
    **{
        f"{field}_{lang}": ""
        for field in ("heading", "text", "body", "link_text", "caption")
        for lang in LANGS
    },
    "image": "",
    "news_count": "3",
    "display": "full",
    "page": "",
    "partners": "all",
    "target": "page",
    "news_item": "",
    "url": "",
}


def add_row(data, **fields):
    index = int(data["blocks-TOTAL_FORMS"])
    data["blocks-TOTAL_FORMS"] = index + 1
    for name, value in {**BLANK_ROW, **fields}.items():
        data[f"blocks-{index}-{name}"] = value
    return index


def live_kinds():
    return [block.kind for block in HomePage.objects.get().blocks.all()]


def test_the_admin_list_goes_straight_to_the_home_page_which_cannot_be_added_or_deleted(
    demo, editor
):
    response = editor.get("/admin/website/homepage/")
    assert response.status_code == 302 and response["Location"] == ADMIN_URL
    assert editor.get("/admin/website/homepage/add/").status_code == 403
    assert editor.get(f"/admin/website/homepage/{HOME_PK}/delete/").status_code == 403
    page = visible_text(editor.get(ADMIN_URL))
    assert "Kind of block" in page and "Used by:" in page


def test_an_editors_change_stays_a_draft_until_a_publisher_publishes_it(demo, editor, publisher):
    before = live_kinds()
    html_before = page_html()
    data = form_data(editor)
    index = rows(data)
    blocks = list(HomePage.objects.get().blocks.all())
    account, news, partners = blocks[0], blocks[1], blocks[-1]
    # Reordered: the partners first; changed: the news heading; deleted: the account prompt;
    # new: a rich text block.
    data[f"blocks-{index[partners.pk]}-order"] = "1"
    data[f"blocks-{index[news.pk]}-heading_en"] = "What is new"
    data[f"blocks-{index[account.pk]}-DELETE"] = "on"
    add_row(data, kind="text", order="2", heading_en="Welcome", body_en="<p>Hello readers</p>")
    response = editor.post(ADMIN_URL, data)
    assert response.status_code == 302, form_errors(response)
    assert live_kinds() == before
    assert page_html() == html_before
    assert Draft.objects.filter(object_id=str(HOME_PK), data__isnull=False).exists()
    # The editor's form shows the draft; the publishers' dashboard lists it.
    again = visible_text(editor.get(ADMIN_URL))
    assert "What is new" in again and "Hello readers" in again
    dashboard = publisher.get("/admin/")
    assert dashboard.status_code == 200
    assert f'href="{ADMIN_URL}"' in dashboard.content.decode()
    # A publisher publishes it.
    data = form_data(publisher)
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(ADMIN_URL, data)
    assert response.status_code == 302, form_errors(response)
    assert live_kinds()[:2] == ["partners", "text"]
    assert "account" not in live_kinds()
    html = page_html()
    assert kinds_shown(html)[:3] == ["canadian-partners", "text-block", "latest"]
    assert "What is new" in html and "Hello readers" in html
    assert f"Page Updated: {today()}" in visible_text(html)
    assert not Draft.objects.filter(object_id=str(HOME_PK), data__isnull=False).exists()


def test_publishing_drops_the_cached_home_page(demo, publisher):
    assert "Fresh words" not in page_html()
    assert "Fresh words" not in page_html()  # the second from the page cache
    data = form_data(publisher)
    add_row(data, kind="text", order="1", body_en="<p>Fresh words</p>")
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(ADMIN_URL, data)
    assert response.status_code == 302, form_errors(response)
    assert "Fresh words" in page_html()


@pytest.mark.parametrize(
    "row, field, message",
    [
        ({"kind": "program"}, "page", "Choose the program page this block shows."),
        ({"kind": "figures"}, "page", "Choose the program page this block shows."),
        ({"kind": "image"}, "image", "Choose the image from the library."),
        ({"kind": "image", "image": "999999"}, "image", "Select a valid choice"),
        (
            {"kind": "cta", "target": "url", "url": "https://example.org/"},
            "link_text_en",
            "Write the button",
        ),
        (
            {"kind": "cta", "link_text_en": "Go", "target": "page"},
            "page",
            "Choose the program page this link goes to.",
        ),
        (
            {"kind": "cta", "link_text_en": "Go", "target": "url", "url": "javascript:alert(1)"},
            "url",
            "Enter a full web address",
        ),
        (
            {"kind": "cta", "link_text_en": "Go", "target": "news-item"},
            "news_item",
            "Choose the news item",
        ),
        (
            {"kind": "cta", "link_text_en": "Go", "target": "nowhere"},
            "target",
            "Select a valid choice",
        ),
        ({"kind": "account"}, "link_text_en", "Write the link"),
        ({"kind": "text"}, "body_en", "Write the block"),
        ({"kind": "news", "news_count": "0"}, "news_count", "greater than or equal to 1"),
        ({"kind": "news", "news_count": "500"}, "news_count", "less than or equal to 24"),
        ({"kind": "news", "news_kinds": ["gossip"]}, "news_kinds", "Select a valid choice"),
        ({"kind": "partners", "partners": "chosen"}, "partner_ids", "Tick the partners"),
        ({"kind": "partners", "partner_ids": ["abc"]}, "partner_ids", "Select a valid choice"),
        ({"kind": "balloon"}, "kind", "Select a valid choice"),
    ],
)
def test_bad_input_for_each_kind_gives_field_errors_and_saves_nothing(
    demo, publisher, row, field, message
):
    before = live_kinds()
    data = form_data(publisher)
    index = add_row(data, **row)
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(ADMIN_URL, data)
    assert response.status_code == 200
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "blocks"
    )
    errors = formset.forms[index].errors
    assert field in errors, errors
    assert any(message in error for error in errors[field]), errors[field]
    assert message.split("“")[0] in visible_text(response)
    assert live_kinds() == before
    assert not Draft.objects.filter(data__isnull=False).exists()


def test_the_chosen_partners_keep_the_order_they_were_ticked_in(demo, publisher):
    partners = list(Municipality.objects.canadian())
    first, second = partners[-1], partners[0]
    block = add_block(
        BlockKind.PARTNERS, 1000, heading_en="Chosen", partners="chosen", partner_ids=[first.pk]
    )
    data = form_data(publisher)
    index = rows(data)[block.pk]
    data[f"blocks-{index}-partner_ids"] = [str(second.pk), str(first.pk)]
    data["_publish_draft"] = "Publish changes"
    response = publisher.post(ADMIN_URL, data)
    assert response.status_code == 302, form_errors(response)
    assert HomeBlock.objects.get(pk=block.pk).partner_ids == [first.pk, second.pk]


def test_preview_shows_the_drafts_new_order_before_readers(demo, publisher):
    data = form_data(publisher)
    index = rows(data)
    partners = HomeBlock.objects.get(kind=BlockKind.PARTNERS)
    data[f"blocks-{index[partners.pk]}-order"] = "1"
    add_row(data, kind="text", order="2", body_en="<p>Only in the preview</p>")
    response = publisher.post(f"/admin/website/homepage/{HOME_PK}/preview/", data)
    assert response.status_code == 303, response.content.decode()[:2000]
    frame = publisher.get(response["Location"].replace("lang=en", "lang=en&frame=1"))
    assert frame.status_code == 200
    html = frame.content.decode()
    assert "Only in the preview" in html
    shown = kinds_shown(html)
    assert shown[:2] == ["canadian-partners", "text-block"]
    assert "Only in the preview" not in page_html()
    assert kinds_shown(page_html())[0] == "account-prompt"


# The migration ----------------------------------------------------------------------------------

BEFORE_BLOCKS = [("website", "0003_default_menus"), ("pages", "0008_images")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)._create_project_state(with_applied_migrations=True).apps


@pytest.fixture
def before_blocks(transactional_db):
    call_command("load_demo_content", verbosity=0)
    try:
        yield migrate(BEFORE_BLOCKS)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
        restore_roles()


def test_the_migration_builds_the_blocks_from_the_old_site_settings(before_blocks):
    apps = before_blocks
    SiteSettings = apps.get_model("pages", "SiteSettings")
    OldPage = apps.get_model("pages", "ProgramPage")
    # Backwards, the site settings got the demo blocks' texts back.
    site = SiteSettings.objects.get(pk=1)
    assert site.latest_heading_fr == "Les dernières nouvelles"
    assert site.signup_prompt_km == "មិនទាន់មានគណនីមែនទេ?"
    assert site.latest_count == 3
    assert OldPage.objects.filter(show_on_home=True).count() == 4
    SiteSettings.objects.filter(pk=1).update(
        signup_prompt_en="New here?",
        signup_prompt_fr="Nouveau ici ?",
        signup_link_text_en="Make an account",
        latest_heading_en="From the program",
        latest_heading_km="",
        latest_count=5,
        partners_heading_fr="Nos partenaires",
        partners_intro_en="They work with us.",
    )
    OldPage.objects.filter(slug="building-capacity").update(show_on_home=False)
    OldPage.objects.filter(slug="led-framework").update(order=9)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    blocks = list(HomePage.objects.get(pk=HOME_PK).blocks.select_related("page"))
    assert [block.kind for block in blocks] == [
        "account",
        "news",
        "program",
        "program",
        "program",
        "partners",
    ]
    account, news, *programs, partners = blocks
    assert (account.text_en, account.text_fr, account.link_text_en) == (
        "New here?",
        "Nouveau ici ?",
        "Make an account",
    )
    assert (news.heading_en, news.heading_km, news.news_count) == ("From the program", "", 5)
    # In the pages' order (led-framework moved last), without the one not shown on the home page.
    assert [block.page.slug for block in programs] == [
        "mped-initiatives-in-cambodia",
        "about-the-league",
        "led-framework",
    ]
    assert all(block.display == "full" for block in programs)
    assert (partners.heading_fr, partners.text_en, partners.partners) == (
        "Nos partenaires",
        "They work with us.",
        "all",
    )
    html = visible_text(Client().get("/en/"))
    assert (
        html.index("New here?") < html.index("From the program") < html.index("They work with us.")
    )


def test_the_media_library_says_the_home_page_uses_an_image(demo, staff_client):
    image = make_library_image(title="Harvest")
    add_block(BlockKind.IMAGE, 1000, image=image, caption_en="In the fields")
    page = staff_client.get(f"/admin/library/image/{image.pk}/change/")
    assert page.status_code == 200
    assert f'href="{ADMIN_URL}"' in page.content.decode()
    # The admin's index links to the home page's list, which goes to its form.
    index = staff_client.get("/admin/").content.decode()
    assert 'href="/admin/website/homepage/"' in index
