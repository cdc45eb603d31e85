"""Build the whole public site from the seed page's facts, in our own words.

Idempotent: items are found by slug and created only when missing, so staff edits survive a
second run; `--reset` puts every demo item back as it was. It creates no staff passwords.
"""

import datetime
import io
import zoneinfo
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from PIL import Image, ImageDraw, ImageFont

from news.models import Article, Kind, NewsItem
from pages.models import PageFigure, PagePoint, ProgramPage, SiteSettings
from partners.models import Country, Municipality, Partnership

# The date the seed page says it was updated: "Page Updated: 18/05/2016".
SEED_UPDATED = datetime.datetime(2016, 5, 18, 12, 0, tzinfo=zoneinfo.ZoneInfo("America/Toronto"))
SAMPLE_FILE_NOTE = "Sample file: the original is not included in the demo content"

SITE = {
    "site_name": "Municipal Partners for Economic Development",
    "short_name": "MPED",
    "tagline": (
        "Canadian municipalities and Cambodia's National League of Communes/Sangkats "
        "working together on local economic development."
    ),
    "signup_prompt": "Don't have an account?",
    "signup_link_text": "Create one now",
    "latest_heading": "The latest",
    "latest_count": 3,
    "partners_heading": "Canadian partners",
    "partners_intro": (
        "Four Canadian municipalities take part in the demonstration projects. "
        "Entries marked as samples stand in for partners the demo content does not name."
    ),
    "footer_text": (
        "The Municipal Partners for Economic Development (MPED) program of the Federation of "
        "Canadian Municipalities, in Cambodia with the National League of Communes/Sangkats."
    ),
}

PAGES = [
    {
        "slug": "led-framework",
        "title": "Providing a framework for local economic development",
        "nav_title": "LED framework",
        "summary": (
            "Why Cambodian local governments need a clearer mandate for local economic "
            "development, and how we help the league's member associations."
        ),
        "body": (
            "<p>Cambodia's local governments have a real part to play in local economic "
            "development (LED). Yet the national legislative framework leaves their economic "
            "development mandate unclear.</p>"
        ),
        "points_intro": (
            "Together with the National League of Communes/Sangkats (NLC/S), we help its "
            "member associations to:"
        ),
        "points": [
            "Face the shortage of resources for building local infrastructure",
            "Design and deliver services that help small and medium-sized businesses grow",
            "Put in place strategies that raise farm production away from the large towns",
            "Foster political leadership, above all among women and young people",
        ],
    },
    {
        "slug": "mped-initiatives-in-cambodia",
        "title": "MPED initiatives in Cambodia",
        "nav_title": "Initiatives",
        "summary": (
            "Demonstration projects that show how good LED practice can be adapted across Cambodia."
        ),
        "body": (
            "<p>Under the Municipal Partners for Economic Development (MPED) program we work "
            "with the National League of Communes/Sangkats (NLC/S) on demonstration projects. "
            "They show how proven ways of doing local economic development can be adapted and "
            "used throughout the country.</p>"
            "<p>Five Cambodian local governments and four Canadian municipalities take part. "
            "Every project starts with LED strategic planning.</p>"
        ),
        "figures": [(5, "Cambodian local governments"), (4, "Canadian municipalities")],
    },
    {
        "slug": "building-capacity",
        "title": "Building our partners' capacity",
        "nav_title": "Capacity building",
        "summary": "Five areas where we help the league build its capacity for LED.",
        "body": (
            "<p>Our goals follow those of the NLC/S Strategic Plan. With it in mind we chose "
            "five areas in which to strengthen the league's capacity for LED.</p>"
        ),
        "points_intro": "We help the league by:",
        "points": [
            "Strengthening its leadership through better program governance and closer "
            "engagement with its members",
            "Supporting the 'mainstreaming' of gender equality and environmental sustainability "
            "in its members' projects",
            "Raising awareness of LED among its members",
            "Building its ability to research policy and to carry its members' needs to central "
            "and provincial ministries",
            "Securing its finances by preparing proposals that reach more funding sources and "
            "donors",
        ],
    },
    {
        "slug": "about-the-league",
        "title": "About the National League of Communes/Sangkats",
        "nav_title": "The league",
        "summary": "The voluntary organization of Cambodia's provincial associations of councils.",
        "body": (
            "<p>The National League of Communes/Sangkats (NLC/S) is a voluntary organization. "
            "It represents the provincial associations of every Cambodian province, and through "
            "them the country's local elected councils.</p>"
        ),
        "figures": [(24, "Cambodian provinces"), (1621, "local elected councils")],
        "link_text": "For more information, visit the NLC/S website",
        # Not from the public sources in shared/mission: staff should confirm it (see README).
        "link_url": "https://www.nlcs.org.kh/",
    },
]

# Places on the partnership map, approximate (a town centre, to about a kilometre): the County
# of Newell is placed at Brooks, its main town, and Kang Meas District at the point its
# Wikipedia article gives (11°56′35″N 105°16′14″E, near Peam Chi Kang, the district capital).
# Sample entries get none: they are not real places, so the map lists them below it instead.
MUNICIPALITIES = [
    {
        "slug": "city-of-chilliwack",
        "name": "City of Chilliwack",
        "country": Country.CANADA,
        "region": "British Columbia",
        "summary": "A Canadian partner in the MPED demonstration projects in Cambodia.",
        "description": (
            "<p>The City of Chilliwack's support to Cambodian local governments was one of the "
            "two partnerships featured by Cambodia's <em>Economics Today</em> magazine.</p>"
        ),
        "order": 1,
        "latitude": Decimal("49.1579"),
        "longitude": Decimal("-121.9515"),
    },
    {
        "slug": "county-of-newell",
        "name": "County of Newell",
        "country": Country.CANADA,
        "region": "Alberta",
        "summary": "Works with Kang Meas District in Kampong Cham province.",
        "description": (
            "<p>The County of Newell works with Kang Meas District, Kampong Cham province. Its "
            "support was featured by Cambodia's <em>Economics Today</em> magazine.</p>"
        ),
        "order": 2,
        "latitude": Decimal("50.5642"),
        "longitude": Decimal("-111.8989"),
    },
    {
        "slug": "town-of-beaumont",
        "name": "Town of Beaumont",
        "country": Country.CANADA,
        "region": "Alberta",
        "summary": "Named among the Canadian partners of the program in Cambodia.",
        "order": 3,
        "latitude": Decimal("53.3572"),
        "longitude": Decimal("-113.4147"),
    },
    {
        "slug": "sample-canadian-municipality",
        "name": "Sample Canadian municipality",
        "country": Country.CANADA,
        "summary": (
            "A sample entry for the fourth Canadian partner, which the public sources do not name."
        ),
        "is_sample": True,
        "order": 4,
    },
    {
        "slug": "kang-meas-district",
        "name": "Kang Meas District",
        "country": Country.CAMBODIA,
        "region": "Kampong Cham",
        "summary": "Works with the County of Newell, Alberta.",
        "order": 1,
        "latitude": Decimal("11.9431"),
        "longitude": Decimal("105.2706"),
    },
]
for letter, order in zip("ABCD", range(2, 6), strict=True):
    MUNICIPALITIES.append(
        {
            "slug": f"sample-cambodian-local-government-{letter.lower()}",
            "name": f"Sample Cambodian local government {letter}",
            "country": Country.CAMBODIA,
            "summary": (
                "A sample entry for a Cambodian partner that the public sources do not name."
            ),
            "is_sample": True,
            "order": order,
        }
    )

PARTNERSHIPS = [
    ("county-of-newell", "kang-meas-district", {"focus": "LED strategic planning"}),
    (
        "city-of-chilliwack",
        "sample-cambodian-local-government-a",
        {"focus": "LED strategic planning", "is_sample": True},
    ),
    (
        "town-of-beaumont",
        "sample-cambodian-local-government-b",
        {"focus": "LED strategic planning", "is_sample": True},
    ),
    (
        "sample-canadian-municipality",
        "sample-cambodian-local-government-c",
        {"focus": "LED strategic planning", "is_sample": True},
    ),
    (
        "sample-canadian-municipality",
        "sample-cambodian-local-government-d",
        {"focus": "LED strategic planning", "is_sample": True},
    ),
]

REPORT_TITLE = "Encouraging and Supporting Women's Participation in Cambodian Local Politics"

NEWS = [
    {
        "slug": "new-report-womens-participation-in-local-politics",
        "kind": Kind.REPORT,
        "title": "New report: Encouraging women's participation in local politics",
        "summary": (
            f"Our new report, {REPORT_TITLE}, looks at how women take part in Cambodia's local "
            "governments today and at the trends in their participation."
        ),
        "body": (
            "<p>Women's participation in local politics is one of the areas our work with the "
            "National League of Communes/Sangkats returns to again and again: nurturing "
            "political leadership among women and youth is part of the framework we support.</p>"
            f"<p>The report, <em>{REPORT_TITLE}</em>, reviews current trends in women's "
            "participation in Cambodia's local governments.</p>"
        ),
        "published_at": SEED_UPDATED.replace(hour=10),
        "pdf": ("womens-participation-in-cambodian-local-politics.pdf", REPORT_TITLE),
    },
    {
        "slug": "canada-in-the-spotlight",
        "kind": Kind.PRESS,
        "title": "Canada in the spotlight",
        "summary": (
            "Cambodia's Economics Today magazine has published two feature articles about how "
            "the City of Chilliwack, British Columbia, and the County of Newell, Alberta, help "
            "Cambodian local governments stimulate local economic development."
        ),
        "body": (
            "<p>Two Canadian partners of the MPED program caught the eye of Cambodia's "
            "<em>Economics Today</em> magazine. Its features describe the support the City of "
            "Chilliwack and the County of Newell give local governments in Cambodia as they work "
            "to stimulate local economic development (LED).</p>"
        ),
        "published_at": SEED_UPDATED.replace(hour=9),
        "partners": ["city-of-chilliwack", "county-of-newell"],
        "articles": [
            ("Economics Today feature: the City of Chilliwack", "economics-today-chilliwack.pdf"),
            ("Economics Today feature: the County of Newell", "economics-today-newell.pdf"),
        ],
    },
]


NEWS.append(
    {
        "slug": "sample-members-only-briefing",
        "kind": Kind.NEWS,
        "title": "Sample: a members-only briefing",
        "summary": (
            "A sample item that shows how members-only content works: visitors see this "
            "summary and are invited to log in; members read the rest and download the PDF."
        ),
        "body": (
            "<p>This is sample content, not a real briefing. Staff mark an item as members "
            "only in the admin; its text and files are then shown to members who have "
            "confirmed their email address.</p>"
        ),
        "published_at": SEED_UPDATED.replace(hour=8),
        "is_members_only": True,
        "pdf": ("sample-members-only-briefing.pdf", "Sample members-only briefing"),
    }
)


def sample_pdf(title):
    """A one-page PDF standing in for a document the demo content does not include."""
    page = Image.new("RGB", (1240, 1754), "white")
    draw = ImageDraw.Draw(page)
    draw.rectangle([0, 0, 1240, 60], fill=(11, 79, 108))
    heading = ImageFont.load_default(size=44)
    text = ImageFont.load_default(size=30)
    y = 200
    for line in _wrap(title, 44):
        draw.text((100, y), line, fill="black", font=heading)
        y += 64
    draw.text((100, y + 60), "Municipal Partners for Economic Development", fill="black", font=text)
    draw.text((100, y + 110), SAMPLE_FILE_NOTE + ".", fill=(120, 70, 0), font=text)
    buffer = io.BytesIO()
    page.save(buffer, "PDF", resolution=150)
    return buffer.getvalue()


def _wrap(text, width):
    lines, line = [], ""
    for word in text.split():
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    return [*lines, line]


class Command(BaseCommand):
    help = "Load the demo content: the seed page as a real site (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset", action="store_true", help="Put every demo item back as it was first loaded."
        )

    @transaction.atomic
    def handle(self, *args, reset=False, **options):
        self.reset = reset
        self.touched = []
        site, created = SiteSettings.objects.get_or_create(pk=1, defaults=SITE)
        if reset and not created:
            SiteSettings.objects.filter(pk=1).update(**SITE)
        if created or reset:
            self.touched.append(site)

        for order, data in enumerate(PAGES, 1):
            self.load_page({**data, "order": order, "published_at": SEED_UPDATED})
        municipalities = {
            data["slug"]: self.load_municipality(dict(data)) for data in MUNICIPALITIES
        }
        for canadian, cambodian, extra in PARTNERSHIPS:
            pair, created = Partnership.objects.get_or_create(
                canadian=municipalities[canadian],
                cambodian=municipalities[cambodian],
                defaults={"is_published": True, **extra},
            )
            if reset and not created:
                Partnership.objects.filter(pk=pair.pk).update(is_published=True, **extra)
            if created or reset:
                self.touched.append(pair)
        for data in NEWS:
            self.load_news(dict(data), municipalities)

        # Demo content carries the seed page's date, so Page Updated reads 18/05/2016.
        for obj in self.touched:
            type(obj).objects.filter(pk=obj.pk).update(updated_at=SEED_UPDATED)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo content ready: {ProgramPage.objects.count()} program pages, "
                f"{Municipality.objects.count()} municipalities, "
                f"{Partnership.objects.count()} partnerships, {NewsItem.objects.count()} news "
                f"items ({len(self.touched)} created or reset now)."
            )
        )

    def upsert(self, model, slug, defaults):
        obj = model.objects.filter(slug=slug).first()
        if obj is not None and not self.reset:
            return obj, False
        obj = obj or model(slug=slug)
        for field, value in defaults.items():
            setattr(obj, field, value)
        obj.save()
        self.touched.append(obj)
        return obj, True

    def load_page(self, data):
        points = data.pop("points", [])
        figures = data.pop("figures", [])
        page, changed = self.upsert(ProgramPage, data.pop("slug"), {"is_published": True, **data})
        if changed:
            page.points.all().delete()
            page.figures.all().delete()
            PagePoint.objects.bulk_create(
                PagePoint(page=page, text=text, order=i) for i, text in enumerate(points, 1)
            )
            PageFigure.objects.bulk_create(
                PageFigure(page=page, value=value, label=label, order=i)
                for i, (value, label) in enumerate(figures, 1)
            )
        return page

    def load_municipality(self, data):
        data.setdefault("is_sample", False)
        # --reset takes a place staff gave a sample entry off the map again.
        data.setdefault("latitude", None)
        data.setdefault("longitude", None)
        municipality, _changed = self.upsert(
            Municipality, data.pop("slug"), {"is_published": True, **data}
        )
        return municipality

    def load_news(self, data, municipalities):
        partners = data.pop("partners", [])
        articles = data.pop("articles", [])
        pdf = data.pop("pdf", None)
        item, changed = self.upsert(NewsItem, data.pop("slug"), {"is_published": True, **data})
        if not changed:
            return item
        if pdf:
            filename, title = pdf
            item.pdf.save(filename, ContentFile(sample_pdf(title)), save=True)
        item.partners.set([municipalities[slug] for slug in partners])
        item.articles.all().delete()
        for order, (title, filename) in enumerate(articles, 1):
            article = Article(
                news_item=item,
                title=title,
                publication="Economics Today",
                note=SAMPLE_FILE_NOTE,
                order=order,
            )
            article.file.save(filename, ContentFile(sample_pdf(title)), save=True)
        return item
