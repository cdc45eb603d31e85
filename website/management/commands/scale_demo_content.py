"""Add many sample news items, municipalities and members, for benchmarks (`make bench`).

Everything added is clearly a sample: titles say "Sample" (« Exemple », គំរូ), municipalities
and partnerships are marked as sample entries, members have example.org addresses. Run it after
`load_demo_content`; running it again adds only what is missing.

Built to reach 100,000 news items in minutes on PostgreSQL: rows are made in batches and
written with COPY (bulk_create elsewhere), and the generated search columns fill themselves.
Texts are put together from the demo content's own sentences in English, French and Khmer and
from the program's vocabulary: dates spread over 15 years, a third are reports with a few
thousand words of document text (different for each item), one in ten is members only, each
covers two partner municipalities and names a commune (a rarer word). The Khmer sentences are
split into words once (ICU is slow) and each item's words columns are assembled from them,
exactly as `core.khmer.words_column` would make them. Afterwards the content version is dropped
and the suggestions' word list rebuilt.
"""

import datetime
import io
import random
import re

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from core.cache import invalidate
from core.khmer import html_text, words
from news.models import ItemDocument, Kind, NewsItem, Role
from partners.models import Country, Municipality, Partnership
from search.words import rebuild as rebuild_search_words
from website.management.commands import load_demo_content as demo

WORDS = (
    "local economic development market planning council commune sangkat district province "
    "training women youth tourism agriculture investment budget service partnership league "
    "framework project capacity building municipal exchange strategy rice water road"
).split()

TOPICS = [
    ("Market days bring new trade", "Les jours de marché attirent de nouveaux échanges"),
    ("Training for commune councils", "Une formation pour les conseils de commune"),
    ("Women take part in local politics", "Les femmes participent à la politique locale"),
    ("A tourism plan for the district", "Un plan touristique pour le district"),
    ("Rice farmers meet buyers", "Les riziculteurs rencontrent des acheteurs"),
    ("Youth leadership workshop", "Un atelier sur le leadership des jeunes"),
    ("Budgeting for road maintenance", "Budgétiser l’entretien des routes"),
    ("Clean water services expand", "Les services d’eau potable s’étendent"),
    ("An investment forum for the province", "Un forum d’investissement pour la province"),
    ("Partners exchange visits", "Les partenaires échangent des visites"),
    ("Planning local economic development", "Planifier le développement économique local"),
    ("A new report on municipal services", "Un nouveau rapport sur les services municipaux"),
]

# Syllables of the sample communes' names: single words, each in few items (the search's rare
# words at 100,000 items).
FIRST = "prey srae boeng tuol chong trapeang sdau kampong ampil snuol veal thma krang".split()
SECOND = "chheu teal kak kandal thmei veng lvea krasang ponley rovieng khsach tbong char".split()
SECOND += "meanchey samrong chrey pring roka".split()

YEARS = 15
BATCH = 2000


def demo_texts():
    """Every Texts of the demo content (load_demo_content's tables), in the order found."""
    found = []

    def walk(value):
        if isinstance(value, demo.Texts):
            found.append(value)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)

    for name in ("SITE", "HOME_TEXTS", "PAGES", "MUNICIPALITIES", "PARTNERSHIPS", "NEWS"):
        walk(getattr(demo, name))
    return found


def sentences(texts, end):
    """The sentences of texts (HTML or plain), split after `end` (a regex of the marks)."""
    found = []
    for text in texts:
        plain = " ".join(html_text(text).split())
        found += [part.strip() for part in re.split(rf"(?<={end})\s+", plain) if len(part) > 20]
    return list(dict.fromkeys(found))


def escape_copy(value):
    """A value in COPY's text format."""
    if value is None:
        return r"\N"
    if value is True or value is False:
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    text = str(value)
    if any(char in text for char in "\\\t\n\r"):
        text = (
            text.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return text


def copy_rows(model, objects):
    """Write `objects` with PostgreSQL's COPY: every concrete column but the id and the
    generated ones, as the objects hold them (no pre_save: the caller set the dates and words)."""
    fields = [
        field
        for field in model._meta.concrete_fields
        if not field.primary_key and not field.generated
    ]
    buffer = io.StringIO()
    for obj in objects:
        values = [
            field.get_db_prep_save(getattr(obj, field.attname), connection) for field in fields
        ]
        buffer.write("\t".join(escape_copy(value) for value in values) + "\n")
    buffer.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {model._meta.db_table} ({columns}) FROM STDIN", buffer)


def gin_indexes(model):
    """(name, definition) of the model's GIN indexes on PostgreSQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexdef LIKE '%% USING gin %%'",
            [model._meta.db_table],
        )
        return cursor.fetchall()


class Pools:
    """The pools the samples' texts are drawn from, and the Khmer ones' words, split once."""

    def __init__(self, rng):
        texts = demo_texts()
        self.en = sentences([t.en for t in texts], r"[.!?]")
        self.fr = sentences([t.fr for t in texts if t.fr], r"[.!?]")
        self.km = sentences([t.km for t in texts if t.km], "[។៕?]")
        self.km_short = [t.km for t in texts if t.km and len(t.km) < 90]
        vocabulary = set(WORDS)
        for sentence in self.en:
            vocabulary.update(w for w in re.findall(r"[a-z]+", sentence.lower()) if len(w) > 2)
        self.vocabulary = sorted(vocabulary)
        # Sentences of the program's vocabulary, with the more common words more often
        # (Zipf): the documents' text and some of the bodies.
        weights = [1 / (rank + 1) for rank in range(len(self.vocabulary))]
        shuffled = self.vocabulary[:]
        rng.shuffle(shuffled)
        self.made = []
        for _ in range(1500):
            picked = rng.choices(shuffled, weights=weights, k=rng.randint(8, 22))
            text = " ".join(picked)
            self.made.append(text[0].upper() + text[1:] + ".")
        self.places = [(a + b).capitalize() for a in FIRST for b in SECOND]
        self.split = {}

    def khmer_words(self, *texts):
        """core.khmer.words_column(*texts), from each text's words split once (the pools are
        small, the items many)."""
        found = []
        for text in texts:
            if text not in self.split:
                self.split[text] = " ".join(words(html_text(text)))
            if self.split[text]:
                found.append(self.split[text])
        return f" {' '.join(found)} " if found else ""


class Command(BaseCommand):
    help = "Add sample news items, municipalities and members (for benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--news", type=int, default=1000)
        parser.add_argument("--municipalities", type=int, default=50)
        parser.add_argument("--members", type=int, default=200)

    def handle(self, *args, news, municipalities, members, **options):
        rng = random.Random(2016)  # noqa: S311 - sample text, the same every time
        with transaction.atomic():
            towns = self.municipalities(rng, municipalities)
            added = self.news(rng, news, towns)
            people = self.members(members)
        # Bulk writes send no signals: a new content version, and the suggestions' words.
        invalidate()
        if added:
            rebuild_search_words()
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
                    summary=" ".join(rng.choices(WORDS, k=12)).capitalize() + ".",
                    description=f"<p>{' '.join(rng.choices(WORDS, k=60)).capitalize()}.</p>",
                    is_sample=True,
                    is_published=True,
                    order=100 + number,
                )
            )
        Municipality.objects.bulk_create(new)
        # Its own (the demo's sample partners have slugs that start so too).
        towns = list(Municipality.objects.filter(slug__regex=r"^sample-\d+$"))
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

    def item(self, rng, texts, number, count, now):
        """Sample news item `number` (1 the newest) of `count`."""
        kind = [Kind.NEWS, Kind.PRESS, Kind.REPORT][number % 3]
        topic, topic_fr = rng.choice(TOPICS)
        place = rng.choice(texts.places)
        # Newest first, spread evenly over the years with a little jitter.
        age = datetime.timedelta(days=365.25 * YEARS) * ((number - rng.random()) / count)
        published_at = (now - age).replace(microsecond=0)

        def paragraphs(pool, n):
            return "".join(
                f"<p>{' '.join(rng.choices(pool, k=rng.randint(3, 5)))}</p>" for _ in range(n)
            )

        english = texts.en + texts.made
        item = NewsItem(
            kind=kind,
            title=f"Sample news item {number}: {topic} in {place}",
            slug=f"sample-news-item-{number}",
            summary=(
                f"Sample: {place} and its partners work on local economic development. "
                f"{rng.choice(texts.en)}"
            ),
            body=f"<p>This is sample content about {place}.</p>"
            + paragraphs(english, rng.randint(4, 6)),
            is_published=number % 50 != 7,  # a few drafts
            published_at=published_at,
            updated_at=published_at,
            alerts_queued_at=published_at,
            is_members_only=number % 10 == 0,
        )
        if number % 3 != 2:  # two in three in French
            item.title_fr = f"Exemple {number} : {topic_fr} à {place}"
            item.summary_fr = f"Exemple : {place} et ses partenaires. {rng.choice(texts.fr)}"
            item.body_fr = f"<p>Contenu d’exemple sur {place}.</p>" + paragraphs(texts.fr, 4)
        if number % 2:  # one in two with a Khmer title and summary, one in four a body
            title_km = rng.choice(texts.km_short)
            summary_km = rng.choice(texts.km)
            item.title_km = f"គំរូ៖ {title_km}"
            item.summary_km = summary_km
            item.km_words = texts.khmer_words(item.title_km, summary_km)
            if number % 4 == 1:
                chosen = rng.choices(texts.km, k=rng.randint(4, 8))
                item.body_km = "".join(f"<p>{sentence}</p>" for sentence in chosen)
                item.km_body_words = texts.khmer_words(*chosen)
        if kind == Kind.REPORT:
            # A few thousand words of document text, as a PDF's text would be kept.
            chosen = rng.choices(texts.made + texts.en, k=rng.randint(130, 220))
            chunks = [" ".join(chosen[i : i + 12]) for i in range(0, len(chosen), 12)]
            item.documents_text = f"Sample report: {topic}, {place}\n\n" + "\n\n".join(chunks)
        return item

    def news(self, rng, count, towns):
        existing = set(
            NewsItem.objects.filter(slug__startswith="sample-news-item-").values_list(
                "slug", flat=True
            )
        )
        # Every sample report offers the demo report's document.
        link = ItemDocument.objects.filter(news_item__kind=Kind.REPORT).first()
        report = link.document if link else None
        texts = Pools(rng)
        self.check_khmer(texts)
        now = timezone.now()
        use_copy = connection.vendor == "postgresql"
        # Many rows: the search's GIN indexes are dropped and made again once all are in
        # (building one is much faster than adding 100,000 large vectors one by one).
        indexes = gin_indexes(NewsItem) if use_copy and count - len(existing) > 5000 else []
        with connection.cursor() as cursor:
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        added = 0
        batch = []
        for number in range(1, count + 1):
            if f"sample-news-item-{number}" in existing:
                continue
            item = self.item(rng, texts, number, count, now)
            if item.kind == Kind.REPORT and report is None:
                item.kind, item.documents_text = Kind.NEWS, ""
            batch.append(item)
            if len(batch) >= BATCH:
                if use_copy:
                    copy_rows(NewsItem, batch)
                else:
                    NewsItem.objects.bulk_create(batch, batch_size=500)
                added += len(batch)
                batch = []
        if batch:
            if use_copy:
                copy_rows(NewsItem, batch)
            else:
                NewsItem.objects.bulk_create(batch, batch_size=500)
            added += len(batch)
        if indexes:
            with connection.cursor() as cursor:
                # The deferred foreign key checks of the rows copied, first: PostgreSQL
                # builds no index on a table with checks pending.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
                for _name, definition in indexes:
                    cursor.execute(definition)
        if not added:
            return 0
        new = list(
            NewsItem.objects.filter(slug__startswith="sample-news-item-")
            .exclude(slug__in=existing)
            .values_list("pk", "kind")
        )
        links = [
            ItemDocument(news_item_id=pk, document=report, role=Role.REPORT)
            for pk, kind in new
            if kind == Kind.REPORT
        ]
        through = NewsItem.partners.through
        pairs = []
        if towns:
            pairs = [
                through(newsitem_id=pk, municipality_id=town.pk)
                for pk, _kind in new
                for town in rng.sample(towns, min(2, len(towns)))
            ]
        if use_copy:
            copy_rows(ItemDocument, links)
            copy_rows(through, pairs)
        else:
            ItemDocument.objects.bulk_create(links, batch_size=500)
            through.objects.bulk_create(pairs, batch_size=500)
        if use_copy:
            with connection.cursor() as cursor:
                for model in (NewsItem, ItemDocument, through):
                    cursor.execute(f"ANALYZE {model._meta.db_table}")
        return added

    def check_khmer(self, texts):
        """The words assembled from sentences split one by one are those of the whole text."""
        sample = texts.km[:3]
        body = "".join(f"<p>{sentence}</p>" for sentence in sample)
        expected = " " + " ".join(words(html_text(body))) + " "
        if texts.khmer_words(*sample) != expected:
            raise AssertionError("Khmer words assembled per sentence differ from ICU's")

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
