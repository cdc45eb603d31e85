"""The header's Menu works without JavaScript: a <details> whose <summary> is the button, with
the navigation, the search box and the account links inside; the search link and the language
switcher stay outside it. In a real phone-sized Chromium: test_browser_phone.py."""

import re

from website.menus import HEADER
from website.models import Menu


def header_of(client, url):
    html = client.get(url).content.decode()
    return html[html.index('<header class="site-header">') : html.index("</header>") + 9]


def test_the_menu_is_a_details_element_holding_the_navigation_search_and_account_links(
    client, demo
):
    header = header_of(client, "/en/")
    menu = header[header.index('<details class="site-menu">') : header.index("</details>")]
    summary = re.search(r"<summary[^>]*>(.*?)</summary>", menu, re.S)[1]
    assert re.sub(r"<[^>]+>", "", summary).strip() == "Menu"
    assert '<nav class="site-nav" aria-label="Main">' in menu
    top_links = Menu.objects.get(place=HEADER).links.filter(parent=None).count()
    nav = menu[menu.index('<nav class="site-nav"') :]
    assert nav.count('<li><a href="/en/') + nav.count('<li class="has-sub"><a href="/en/') == (
        top_links
    )
    for href in ["/en/", "/en/news/", "/en/partners/"]:
        assert f'href="{href}"' in nav
    assert 'role="search"' in menu and 'name="q"' in menu
    assert 'href="/en/accounts/login/"' in menu and 'href="/en/accounts/signup/"' in menu
    # Outside the menu: the search link and the language switcher, always in view.
    outside = header.replace(menu, "")
    assert re.search(r'<a class="header-button search-link" href="/en/search/">', outside)
    assert 'class="search-link-text">Search</span>' in outside
    assert '<nav class="language-switcher"' in outside and 'hreflang="km"' in outside
    # Strict CSP: no script, no inline style; the icons are hidden from screen readers.
    assert "<script" not in header and "style=" not in header
    assert header.count('<svg class="header-icon"') == header.count('aria-hidden="true" focusable')


def test_the_menu_is_translated_and_keeps_its_links_in_each_language(client, demo):
    for lang in ["fr", "km"]:
        header = header_of(client, f"/{lang}/")
        menu = header[header.index('<details class="site-menu">') : header.index("</details>")]
        assert f'href="/{lang}/partners/"' in menu
        assert f'href="/{lang}/search/"' in header
        assert f'action="/{lang}/search/"' in menu
