import datetime

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone, translation

from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Country, Municipality, Partnership

# A minimal valid one-page PDF.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    # allauth counts attempts in the cache; each test starts with none.
    cache.clear()


@pytest.fixture(autouse=True)
def default_language():
    # LocaleMiddleware activates each request's language in the thread that serves it and
    # leaves it active: with the test client that is the test's own thread, so after a request
    # to /fr/ reverse() would give /fr/ URLs, in that test and the next. Each test starts and
    # ends in the default language.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def uncached(settings):
    """Turn the page cache off: for tests that count the queries of rendering a page."""
    settings.MPED_PAGE_CACHE_SECONDS = 0


def run_worker():
    """Run every queued task, as `manage.py db_worker` does, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def make_member(email="member@example.org", password="Rice-fields-at-dawn-42", **extra):
    """A person who signed up and confirmed their email address."""
    user = get_user_model().objects.create_user(
        username=email, email=email, password=password, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def demo(db):
    call_command("load_demo_content", verbosity=0)


def make_news(title="A news item", kind=Kind.NEWS, published=True, days_ago=1, **extra):
    slug = extra.pop("slug", None) or title.lower().replace(" ", "-").replace(":", "")
    item = NewsItem(
        title=title,
        slug=slug,
        kind=kind,
        summary=extra.pop("summary", f"Summary of {title}."),
        is_published=published,
        published_at=timezone.now() - datetime.timedelta(days=days_ago),
        **extra,
    )
    if kind == Kind.REPORT and not item.pdf:
        item.pdf.save(f"{slug}.pdf", ContentFile(PDF_BYTES), save=False)
    item.save()
    return item


def make_page(title="A program page", published=True, **extra):
    slug = extra.pop("slug", None) or title.lower().replace(" ", "-")
    return ProgramPage.objects.create(
        title=title, slug=slug, is_published=published, body=f"<p>Body of {title}.</p>", **extra
    )


def make_municipality(name="Town of Example", country=Country.CANADA, published=True, **extra):
    slug = extra.pop("slug", None) or name.lower().replace(" ", "-")
    return Municipality.objects.create(
        name=name, slug=slug, country=country, is_published=published, **extra
    )


def make_partnership(canadian, cambodian, **extra):
    # Published unless told (the model's default is a draft).
    extra.setdefault("is_published", True)
    return Partnership.objects.create(canadian=canadian, cambodian=cambodian, **extra)


@pytest.fixture
def role_client(db, django_user_model):
    """role_client("Editors") or ("Publishers"): a logged-in client of a staff member in that
    group (the roles made by migrations); `client.user` is who it is."""

    def login_as(group):
        user = django_user_model.objects.create_user(
            f"{group.lower()}@example.org", f"{group.lower()}@example.org", "x", is_staff=True
        )
        user.groups.add(Group.objects.get(name=group))
        client = Client()
        client.force_login(user)
        client.user = user
        return client

    return login_as


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser(
        "boss", "boss@example.org", "pw-Long-enough-1"
    )
    client.force_login(user)
    return client
