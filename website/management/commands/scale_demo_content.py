"""Add many sample news items, municipalities and members, for benchmarks (`make bench`).

Everything added is clearly a sample: titles say "Sample", municipalities are marked as sample
entries, members have example.org addresses. Run it after `load_demo_content`; running it again
adds nothing that is already there.
"""

import datetime
import random

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from news.models import ItemDocument, Kind, NewsItem, Role, documents_texts
from partners.models import Country, Municipality, Partnership

WORDS = (
    "local economic development market planning council commune sangkat district province "
    "training women youth tourism agriculture investment budget service partnership league "
    "framework project capacity building municipal exchange strategy rice water road"
).split()


def sentence(rng, words):
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


class Command(BaseCommand):
    help = "Add sample news items, municipalities and members (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--news", type=int, default=1000)
        parser.add_argument("--municipalities", type=int, default=50)
        parser.add_argument("--members", type=int, default=200)

    @transaction.atomic
    def handle(self, *args, news, municipalities, members, **options):
        rng = random.Random(2016)  # noqa: S311 - sample text, the same every time
        towns = self.municipalities(rng, municipalities)
        items = self.news(rng, news)
        self.link(rng, items, towns)
        people = self.members(members)
        self.stdout.write(
            f"Scaled demo content: {NewsItem.objects.count()} news items, "
            f"{Municipality.objects.count()} municipalities, "
            f"{Partnership.objects.count()} partnerships, {people} sample members."
        )

    def municipalities(self, rng, count):
        existing = set(Municipality.objects.values_list("slug", flat=True))
        new = []
        for number in range(1, count + 1):
            country = Country.CANADA if number % 2 else Country.CAMBODIA
            name = f"Sample {'municipality' if country == Country.CANADA else 'commune'} {number}"
            slug = f"sample-{number}"
            if slug in existing:
                continue
            new.append(
                Municipality(
                    name=name,
                    slug=slug,
                    country=country,
                    region="Sample region",
                    summary=sentence(rng, 12),
                    description=f"<p>{sentence(rng, 60)}</p>",
                    is_sample=True,
                    is_published=True,
                    order=100 + number,
                )
            )
        Municipality.objects.bulk_create(new)
        towns = list(Municipality.objects.filter(slug__startswith="sample-"))
        canadian = [town for town in towns if town.country == Country.CANADA]
        cambodian = [town for town in towns if town.country == Country.CAMBODIA]
        paired = set(Partnership.objects.values_list("canadian_id", "cambodian_id"))
        Partnership.objects.bulk_create(
            Partnership(
                canadian=a,
                cambodian=b,
                since=2011,
                focus="Sample focus",
                is_sample=True,
                is_published=True,
            )
            for a, b in zip(canadian, cambodian, strict=False)
            if (a.pk, b.pk) not in paired
        )
        return towns

    def news(self, rng, count):
        existing = set(NewsItem.objects.values_list("slug", flat=True))
        # Every sample report offers the demo report's document.
        link = ItemDocument.objects.filter(news_item__kind=Kind.REPORT).first()
        report = link.document if link else None
        texts = documents_texts(link.news_item_id) if link else ("", "")
        now = timezone.now()
        new = []
        for number in range(1, count + 1):
            slug = f"sample-news-item-{number}"
            if slug in existing:
                continue
            kind = [Kind.NEWS, Kind.PRESS, Kind.REPORT][number % 3]
            if kind == Kind.REPORT and report is None:
                kind = Kind.NEWS
            item = NewsItem(
                kind=kind,
                title=f"Sample news item {number}: {sentence(rng, 5)[:-1]}",
                slug=slug,
                summary=sentence(rng, 25),
                body="".join(f"<p>{sentence(rng, 60)}</p>" for _ in range(5)),
                is_published=True,
                published_at=now - datetime.timedelta(hours=7 * number),
                is_members_only=number % 10 == 0,
            )
            if kind == Kind.REPORT:
                # Its text for the search, as NewsItem.save() would keep it.
                item.documents_text, item.members_documents_text = texts
            new.append(item)
        NewsItem.objects.bulk_create(new, batch_size=200)
        items = list(NewsItem.objects.filter(slug__startswith="sample-news-item-"))
        offered = set(
            ItemDocument.objects.filter(news_item__in=items).values_list("news_item_id", flat=True)
        )
        ItemDocument.objects.bulk_create(
            [
                ItemDocument(news_item=item, document=report, role=Role.REPORT)
                for item in items
                if item.kind == Kind.REPORT and item.pk not in offered
            ],
            batch_size=200,
        )
        return items

    def link(self, rng, items, towns):
        if not towns:
            return
        through = NewsItem.partners.through
        linked = set(through.objects.values_list("newsitem_id", flat=True))
        through.objects.bulk_create(
            through(newsitem_id=item.pk, municipality_id=town.pk)
            for item in items
            if item.pk not in linked
            for town in rng.sample(towns, min(2, len(towns)))
        )

    def members(self, count):
        User = get_user_model()
        existing = set(User.objects.filter(email__endswith="@example.org").values_list("email"))
        # One hash for all: hashing 200 passwords with Argon2 would take most of a minute.
        hashed = User(email="x")
        hashed.set_password("Sample-member-password-1")
        new = [
            User(
                username=email,
                email=email,
                password=hashed.password,
                organisation="Sample organisation",
            )
            for number in range(1, count + 1)
            if ((email := f"sample-member-{number}@example.org"),) not in existing
        ]
        User.objects.bulk_create(new)
        EmailAddress.objects.bulk_create(
            EmailAddress(user=user, email=user.email, verified=True, primary=True)
            for user in User.objects.filter(email__in=[user.email for user in new])
        )
        return User.objects.filter(email__startswith="sample-member-").count()
