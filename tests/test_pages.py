from django.utils import timezone

from pages.models import ProgramPage
from website.models import BlockKind, HomeBlock

from .helpers import make_page, visible_text


def test_every_program_page_is_in_the_navigation_and_shows_its_content(client, demo):
    home = client.get("/en/").content.decode()
    start = home.index('class="site-nav"')
    nav = home[start : home.index("</nav>", start)]
    for page in ProgramPage.objects.all():
        assert f'href="{page.get_absolute_url()}"' in nav
        text = visible_text(client.get(page.get_absolute_url()))
        assert page.title in text
        for point in page.points.all():
            assert point.text in text


def test_league_page_shows_its_figures_and_link(client, demo):
    response = client.get("/en/program/about-the-league/")
    text = visible_text(response)
    assert "24" in text and "Cambodian provinces" in text
    assert "1,621" in text and "local elected councils" in text
    assert "visit the NLC/S website" in text


def test_program_listing_links_each_page(client, demo):
    html = client.get("/en/program/").content.decode()
    for page in ProgramPage.objects.all():
        assert f'href="{page.get_absolute_url()}"' in html


def test_unpublished_page_is_invisible(client, demo):
    page = make_page("Hidden plans", published=False, points_intro="Secret points")
    for url in ["/en/", "/en/program/", "/en/news/"]:
        assert "Hidden plans" not in visible_text(client.get(url)), url
    assert client.get(page.get_absolute_url()).status_code == 404


def test_sections_follow_their_blocks_order_and_can_leave_the_home_page(client, demo):
    # The home page's sections are its blocks, in the blocks' order (website/blocks.py).
    blocks = HomeBlock.objects.filter(kind=BlockKind.PROGRAM)
    blocks.filter(page__slug="about-the-league").update(order=0)
    blocks.filter(page__slug="building-capacity").delete()
    text = visible_text(client.get("/en/"))
    assert text.index("About the National League") < text.index("Providing a framework")
    assert (
        "Building our partners' capacity"
        not in text.split("Canadian partners")[0].split("Providing a framework")[1]
    )


def test_program_page_updated_is_its_own_change_date(client, demo):
    page = ProgramPage.objects.get(slug="led-framework")
    assert "Page Updated: 18 May 2016" in visible_text(client.get(page.get_absolute_url()))
    page.save()
    text = visible_text(client.get(page.get_absolute_url()))
    assert f"Page Updated: {timezone.localdate().day} {timezone.localdate():%B %Y}" in text


def test_body_html_is_sanitised_on_save(client, db):
    page = make_page("Pasted page")
    page.body = (
        '<p onclick="steal()" style="color:red">Fine <strong>text</strong></p>'
        "<script>alert(1)</script><iframe src='https://evil.example'></iframe>"
        '<a href="javascript:alert(1)">bad</a><a href="data:text/html,x">data</a>'
        '<a href="https://example.org/">good</a>'
    )
    page.save()
    page.refresh_from_db()
    for banned in ["<script", "onclick", "style=", "<iframe", "javascript:", "data:"]:
        assert banned not in page.body
    assert "<strong>text</strong>" in page.body and 'href="https://example.org/"' in page.body
    html = client.get(page.get_absolute_url()).content.decode()
    assert "alert(1)" not in html.split("<main")[1].split("</main>")[0] or "<script" not in html
