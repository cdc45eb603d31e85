import pytest
from django.utils import timezone

from news.models import NewsItem
from pages.models import ProgramPage, SiteSettings
from partners.models import Municipality

from .helpers import make_news, today, visible_text

SEED_PARTS_IN_ORDER = [
    "Don't have an account?",
    "Create one now",
    "The latest",
    "New report: Encouraging women's participation in local politics",
    "Encouraging and Supporting Women's Participation in Cambodian Local Politics",
    "Canada in the spotlight",
    "Economics Today",
    # The program sections as cards, each linking to its page (the full text is there).
    "Providing a framework for local economic development",
    "Read more",
    "MPED initiatives in Cambodia",
    "Read more",
    "Building our partners' capacity",
    "Read more",
    "About the National League of Communes/Sangkats",
    "Read more",
    "Canadian partners",
    "City of Chilliwack",
    "British Columbia",
    "County of Newell",
    "Alberta",
    "Page Updated: 18 May 2016",
]


def section(response, heading_id):
    html = response.content.decode()
    start = html.index(f'id="{heading_id}"')
    end = html.index("</section>", start)
    return html[start:end]


def test_home_shows_every_part_of_the_seed_page_in_order(client, demo):
    text = visible_text(client.get("/en/"))
    positions = []
    for part in SEED_PARTS_IN_ORDER:
        assert part in text, part
        positions.append(text.index(part, positions[-1] if positions else 0))
    assert positions == sorted(positions)


def test_home_cards_link_to_the_program_pages_which_list_their_points(client, demo):
    response = client.get("/en/")
    for slug in ["led-framework", "building-capacity"]:
        assert f'href="/en/program/{slug}/"' in section(response, f"section-{slug}")
    framework = client.get("/en/program/led-framework/").content.decode()
    capacity = client.get("/en/program/building-capacity/").content.decode()
    assert framework.count('<ul class="points">') == capacity.count('<ul class="points">') == 1
    points = framework[framework.index('<ul class="points">') :]
    assert points[: points.index("</ul>")].count("<li>") == 4
    points = capacity[capacity.index('<ul class="points">') :]
    assert points[: points.index("</ul>")].count("<li>") == 5


def test_home_links_to_signup_and_the_league_page_to_the_league_website(client, demo):
    html = client.get("/en/").content.decode()
    assert '<a href="/en/accounts/signup/">Create one now</a>' in html
    league = ProgramPage.objects.get(slug="about-the-league")
    assert f'href="{league.get_absolute_url()}"' in html
    assert f'href="{league.link_url}"' in client.get(league.get_absolute_url()).content.decode()


def test_account_prompt_is_hidden_from_logged_in_people(client, demo, django_user_model):
    client.force_login(
        django_user_model.objects.create_user("reader", "r@example.org", "x", first_name="Rita")
    )
    text = visible_text(client.get("/en/"))
    assert "Don't have an account?" not in text
    assert "Logged in as Rita" in text


def test_latest_shows_kind_date_summary_and_link(client, demo):
    html = section(client.get("/en/"), "latest-heading")
    report = NewsItem.objects.get(kind="report")
    assert "Report" in html and "Press feature" in html
    assert "18 May 2016" in html
    assert report.summary.replace("'", "&#x27;") in html
    assert f'href="{report.get_absolute_url()}"' in html
    assert "(PDF, " in html


def test_latest_shows_only_the_configured_number_newest_first(client, demo):
    for day in range(5):
        make_news(f"Fresh item {day}", days_ago=day)
    html = section(client.get("/en/"), "latest-heading")
    assert html.count('class="news-card"') == 3
    assert html.index("Fresh item 0") < html.index("Fresh item 1") < html.index("Fresh item 2")
    assert "Fresh item 3" not in html


def test_page_updated_moves_when_staff_edit_what_the_home_page_shows(client, demo):
    assert "Page Updated: 18 May 2016" in visible_text(client.get("/en/"))
    item = NewsItem.objects.get(slug="canada-in-the-spotlight")
    item.title = "Canada in the spotlight again"
    item.save()
    text = visible_text(client.get("/en/"))
    assert "Canada in the spotlight again" in text
    assert f"Page Updated: {today()}" in text


@pytest.mark.parametrize(
    "edit",
    [
        lambda: SiteSettings.load().save(),
        lambda: ProgramPage.objects.get(slug="about-the-league").save(),
        lambda: Municipality.objects.get(slug="county-of-newell").save(),
        lambda: Municipality.objects.get(slug="kang-meas-district").save(),
    ],
    ids=["site settings", "program section", "canadian partner", "cambodian partner named"],
)
def test_page_updated_follows_each_kind_of_home_content(client, demo, edit):
    edit()
    assert f"Page Updated: {today()}" in visible_text(client.get("/en/"))


def test_page_updated_ignores_edits_to_content_the_page_does_not_show(client, demo):
    make_news("A draft in progress", published=False)
    Municipality.objects.get(slug="county-of-newell").partnerships_as_canadian.update(
        is_published=False
    )
    Municipality.objects.filter(slug="kang-meas-district").update(updated_at=timezone.now())
    assert "Page Updated: 18 May 2016" in visible_text(client.get("/en/"))
