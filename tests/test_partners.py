from django.utils import timezone

from partners.models import Country, Municipality, Partnership

from .helpers import make_municipality, make_partnership, visible_text


def column(text, heading, next_heading):
    return text[text.index(heading) : text.index(next_heading)]


def test_partners_are_grouped_by_country(client, demo):
    html = client.get("/en/partners/").content.decode()
    canada = column(html, 'id="canada-heading"', 'id="cambodia-heading"')
    cambodia = column(html, 'id="cambodia-heading"', 'id="partnerships-heading"')
    for slug in ["city-of-chilliwack", "county-of-newell", "town-of-beaumont"]:
        link = f'href="/en/partners/{slug}/"'
        assert link in canada and link not in cambodia
    link = 'href="/en/partners/kang-meas-district/"'
    assert link in cambodia and link not in canada


def test_demo_has_four_canadian_and_five_cambodian_partners_with_samples_marked(client, demo):
    assert Municipality.objects.published().filter(country=Country.CANADA).count() == 4
    assert Municipality.objects.published().filter(country=Country.CAMBODIA).count() == 5
    text = visible_text(client.get("/en/partners/"))
    for sample in Municipality.objects.filter(is_sample=True):
        assert sample.name in text
    assert text.count("Sample entry") >= Municipality.objects.filter(is_sample=True).count()
    sample = Municipality.objects.filter(is_sample=True).first()
    assert "Sample entry: this partner is demonstration content" in visible_text(
        client.get(sample.get_absolute_url())
    )


def test_partnership_table_says_who_works_with_whom_since_when_on_what(client, db):
    canadian = make_municipality("Town of North", region="Alberta")
    cambodian = make_municipality("Sample Commune", country=Country.CAMBODIA, region="Takeo")
    make_partnership(canadian, cambodian, since=2011, focus="Market planning")
    html = client.get("/en/partners/").content.decode()
    row = html[html.index("<tbody>") : html.index("</tbody>")]
    for expected in ["Town of North", "Sample Commune", "Takeo", "2011", "Market planning"]:
        assert expected in row


def test_municipality_page_shows_its_partnerships_and_news(client, demo):
    text = visible_text(client.get("/en/partners/county-of-newell/"))
    assert "County of Newell" in text and "Alberta" in text
    assert "Kang Meas District" in text and "LED strategic planning" in text
    assert "Canada in the spotlight" in text
    kang_meas = visible_text(client.get("/en/partners/kang-meas-district/"))
    assert "County of Newell" in kang_meas and "Kampong Cham" in kang_meas


def test_unpublished_partners_and_their_pairings_are_invisible(client, demo):
    Municipality.objects.filter(slug="kang-meas-district").update(is_published=False)
    for url in ["/en/", "/en/partners/", "/en/partners/county-of-newell/"]:
        html = client.get(url).content.decode()
        assert 'href="/en/partners/kang-meas-district/"' not in html, url
    assert client.get("/en/partners/kang-meas-district/").status_code == 404
    Partnership.objects.update(is_published=False)
    text = visible_text(client.get("/en/partners/"))
    assert "No partnerships are listed yet." in text
    assert "works with" not in visible_text(client.get("/en/"))


def test_partners_page_updated_follows_partner_edits(client, demo):
    assert "Page Updated: 18 May 2016" in visible_text(client.get("/en/partners/"))
    Partnership.objects.first().save()
    text = visible_text(client.get("/en/partners/"))
    assert f"Page Updated: {timezone.localdate().day} {timezone.localdate():%B %Y}" in text
