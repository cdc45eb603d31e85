"""Hostile input on every address: no 5xx, whatever is in the path or the query string.

The walk is generated, not listed by hand: every URL pattern the resolver knows (language
prefixes and the admin included) is filled with real objects from the demo content, then each
path parameter is replaced by hostile values, and each query parameter the page reads (recorded
while it renders normally, plus the generic ones and, on admin lists, every list filter, the
date hierarchy and field lookups on the model's own fields) is sent hostile values: boundary
numbers and dates, regular-expression and SQL syntax, NUL, invalid UTF-8, long strings. Public
pages are tried as an anonymous reader, a member and a superuser; admin pages as a superuser
(and, once each, as the others, who are sent to log in). A 4xx or a redirect is a fine answer;
a 5xx is a failure, reported with the address and the exception.
"""

import re
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import QueryDict
from django.test import Client
from django.urls import URLResolver, get_resolver

from library.models import Document
from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Municipality
from reviews.models import ReviewLink

from .helpers import make_member, make_news, report_document

pytestmark = pytest.mark.usefixtures("uncached")


def encoded(value):
    return quote(value, safe="")


# Query-string values, already encoded for the address: the raw ones are bytes no browser
# would send (invalid UTF-8, an overlong slash).
RAW_VALUES = ["%FF%FE", "%C0%AF", "%ED%A0%80", "%00", "%"]
TEXT_VALUES = [
    "",
    "0",
    "-1",
    "1.5",
    "1e309",
    "NaN",
    str(2**31),
    str(2**63),
    str(-(2**63) - 1),
    str(10**20),
    "9" * 20,
    "9999",
    "0000",
    "9999-99-99",
    "2024-02-30",
    "(",
    "[",
    "\\",
    "a{99999999}",
    "' OR 1=1 --",
    "%_",
    "\x00",
    "1,2,x",
    "😀",
    "<script>",
    "x" * 10_000,
]
QUERY_VALUES = RAW_VALUES + [encoded(value) for value in TEXT_VALUES]
# A smaller set for the many generated admin field lookups: one of each family.
LOOKUP_VALUES = ["%FF%FE", "%00"] + [
    encoded(value) for value in ["0", str(2**63), "9" * 20, "9999-99-99", "(", "x" * 10_000]
]
PATH_VALUES = [
    "0",
    "-1",
    "9" * 25,
    "%00",
    "%FF%FE",
    "%2F",
    "..%2F..",
    encoded("("),
    encoded("😀"),
    "x" * 2_000,
]
# Read by some view or other, worth trying everywhere.
GENERIC_PARAMETERS = ["page", "q", "kind", "year", "p", "o", "e", "all", "next"]

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")
REGEX_GROUP = re.compile(r"\((?:\?P<(?P<name>\w+)>)?[^()]*\)")


# The URL patterns -------------------------------------------------------------------------------


def walk(patterns, chain=()):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern.url_patterns, (*chain, pattern))
        else:
            yield (*chain, pattern)


def template(chain):
    """The address of a chain of patterns with `{name}` where a value goes, and the names."""
    parts, names = [], []
    for pattern in chain:
        source = pattern.pattern
        if hasattr(source, "language_prefix"):
            parts.append("en/")
        elif hasattr(source, "_route"):
            route = source._route.replace("{", "{{").replace("}", "}}")
            names += [match["name"] for match in ROUTE_PARAMETER.finditer(route)]
            parts.append(ROUTE_PARAMETER.sub(lambda match: "{" + match["name"] + "}", route))
        else:
            regex = source._regex.lstrip("^").rstrip("$").replace("\\.", ".")
            regex = regex.replace("{", "{{").replace("}", "}}")

            def group(match, names=names):
                name = match["name"] or f"arg{len(names)}"
                names.append(name)
                return "{" + name + "}"

            parts.append(REGEX_GROUP.sub(group, regex))
    return "/" + "".join(parts), names


def admin_model(chain):
    """The model of an admin URL (admin/<app>/<model>/...), or None."""
    if len(chain) < 3 or getattr(chain[0], "app_name", None) != "admin":
        return None
    route = getattr(chain[1].pattern, "_route", "")
    app_label, _slash, model_name = route.strip("/").partition("/")
    try:
        return apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        return None


def section(chain):
    """The group a URL is tried in: admin pages by application, the site by section."""
    first = chain[0]
    if getattr(first, "app_name", None) == "admin":
        model = admin_model(chain)
        return f"admin-{model._meta.app_label}" if model else "admin-site"
    if len(chain) > 1 and hasattr(first.pattern, "language_prefix"):
        return "site-" + (getattr(chain[1].pattern, "_route", "").strip("/") or "home")
    return "site-root"


def all_chains():
    return list(walk(get_resolver().url_patterns))


SECTIONS = sorted({section(chain) for chain in all_chains()})


# Real values for the path ----------------------------------------------------------------------


@pytest.fixture
def objects(demo):
    """What the demo content offers to fill an address with, and a draft with a review link."""
    draft = make_news("Hostile draft", kind=Kind.REPORT, published=False)
    link = ReviewLink.make(draft)
    news = NewsItem.objects.published().filter(kind=Kind.REPORT, is_members_only=False).first()
    return {
        "news": news,
        "draft": draft,
        "link": link,
        "page": ProgramPage.objects.published().first(),
        "municipality": Municipality.objects.published().first(),
    }


def real_value(chain, name, objects):
    namespaces = [getattr(pattern, "namespace", None) for pattern in chain]
    model = admin_model(chain)
    if "library" in namespaces:  # /documents/<pk>/<readable name>, first-page.<extension>
        document = Document.objects.order_by("pk").first()
        if document is None:
            return "1"
        return {
            "pk": str(document.pk),
            "name": document.readable_name,
            "extension": "webp",
        }.get(name, "1")
    if name == "slug":
        if "news" in namespaces:
            return objects["news"].slug
        if "pages" in namespaces:
            return objects["page"].slug
        return objects["municipality"].slug
    if name == "kind":
        return Kind.REPORT.value
    if name == "token":
        if "reviews" in namespaces:
            return objects["link"].token
        return "not-a-token"
    if name == "name":
        item = objects["draft"] if "reviews" in namespaces else objects["news"]
        return report_document(item).file.name
    if name in ("object_id", "id", "pk"):
        if model is None or chain[-1].name == "reviews_reviewlink_item":
            return str(objects["news"].pk)
        row = model._default_manager.order_by("pk").first()
        return str(row.pk) if row else "1"
    if name == "content_type_id":
        return str(ContentType.objects.get_for_model(NewsItem).pk)
    if name == "model_name":
        return "newsitem"
    if name == "app_label":
        return "news"
    if name == "url":
        return "no-such-page/"
    if name == "path":
        return "no-such-file.png"
    return "1"


def addresses(chain, objects):
    """The real address of a pattern, and the addresses with one path value made hostile."""
    pattern, names = template(chain)
    real = {name: encoded(real_value(chain, name, objects)) for name in names}
    hostile = [pattern.format(**{**real, name: value}) for name in names for value in PATH_VALUES]
    return pattern.format(**real), hostile


# The query parameters --------------------------------------------------------------------------


@contextmanager
def recording_reads():
    """The keys any QueryDict is asked for while the block runs (Django's class, instrumented:
    the names are whatever our views and the libraries' views read)."""
    keys = set()
    replaced = {}
    for method in ("__getitem__", "get", "getlist", "__contains__", "pop"):
        original = getattr(QueryDict, method)
        replaced[method] = QueryDict.__dict__.get(method)

        def recorder(self, key, *args, _original=original, **kwargs):
            if isinstance(key, str):
                keys.add(key)
            return _original(self, key, *args, **kwargs)

        setattr(QueryDict, method, recorder)
    try:
        yield keys
    finally:
        for method, original in replaced.items():
            if original is None:
                delattr(QueryDict, method)
            else:
                setattr(QueryDict, method, original)


LOOKUPS_BY_FIELD = [
    ((models.CharField, models.TextField), ["regex", "iregex"]),
    ((models.DateTimeField, models.DateField), ["year", "month", "gte"]),
    ((models.ForeignKey,), ["in"]),
    ((models.BooleanField,), ["exact"]),
    ((models.DecimalField, models.FloatField, models.IntegerField), ["gte"]),
]


def admin_list_parameters(response, model):
    """An admin list's filters and date hierarchy, and lookups the admin also accepts in the
    address: on the primary key and on the first of the model's own fields of each type."""
    own = set()
    change_list = response.context["cl"] if response.context else None
    if change_list is not None:
        for spec in change_list.filter_specs:
            own.update(spec.expected_parameters())
        if change_list.date_hierarchy:
            own.update(f"{change_list.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    lookups = {"pk__in", "pk__gte", "id__exact"}
    for types, names in LOOKUPS_BY_FIELD:
        field = next((f for f in model._meta.concrete_fields if isinstance(f, types)), None)
        if field is not None:
            lookups.update(f"{field.name}__{lookup}" for lookup in names)
    return own, lookups - own


# The walk --------------------------------------------------------------------------------------


@pytest.fixture
def clients(db):
    member = make_member()
    boss = make_member("boss@example.org", is_staff=True, is_superuser=True)
    roles = {"anonymous": Client(raise_request_exception=False)}
    for role, user in [("member", member), ("superuser", boss)]:
        roles[role] = Client(raise_request_exception=False)
        roles[role].force_login(user)
    return roles


class Walk:
    def __init__(self):
        self.tried = 0
        self.failures = []

    def get(self, client, role, address):
        self.tried += 1
        response = client.get(address)
        if response.status_code >= 500:
            error = getattr(response, "exc_info", None)
            reason = repr(error[1])[:300] if error else response.status_code
            self.failures.append(f"{role} GET {address[:200]}: {reason}")
        return response


CASES = {}


@pytest.mark.parametrize("group", SECTIONS)
def test_no_address_answers_a_server_error_to_hostile_input(group, objects, clients):
    walk_ = Walk()
    is_admin = group.startswith("admin")
    # Everything as the first role; the others get every parameter at once.
    roles = ["superuser"] if is_admin else ["anonymous", "member", "superuser"]
    main, others = roles[0], roles[1:]
    for chain in all_chains():
        if section(chain) != group:
            continue
        real, hostile_paths = addresses(chain, objects)
        for address in hostile_paths:
            walk_.get(clients[main], main, address)
        with recording_reads() as read:
            response = walk_.get(clients[main], main, real)
        # What the page reads gets every value, alone; on an admin page (forms' buttons,
        # popups) the short list.
        tries = dict.fromkeys(read, LOOKUP_VALUES if is_admin else QUERY_VALUES)
        model = admin_model(chain)
        if is_admin and model and str(chain[-1].name).endswith("_changelist"):
            own, lookups = admin_list_parameters(response, model)
            tries |= dict.fromkeys(own, QUERY_VALUES)
            tries |= dict.fromkeys(lookups, LOOKUP_VALUES)
        for name, values in tries.items():
            for value in values:
                walk_.get(clients[main], main, f"{real}?{name}={value}")
        everything = sorted(set(tries) | set(GENERIC_PARAMETERS))
        first = LOOKUP_VALUES if is_admin else QUERY_VALUES
        for role, values in [(main, first)] + [(role, LOOKUP_VALUES) for role in others]:
            for value in values:
                query = "&".join(f"{name}={value}" for name in everything)
                walk_.get(clients[role], role, f"{real}?{query}")
        if is_admin:
            # The others are sent to log in, whatever they ask.
            for role in ["anonymous", "member"]:
                walk_.get(clients[role], role, f"{real}?q=%FF%00&p=-1")
    CASES[group] = walk_.tried
    print(f"{group}: {walk_.tried} hostile requests")
    assert walk_.tried > 0
    assert not walk_.failures, "\n".join(walk_.failures[:40])


def test_the_walk_tries_thousands_of_cases():
    if set(CASES) != set(SECTIONS):
        pytest.skip("runs after every group of the walk")
    print(f"{sum(CASES.values())} hostile requests in all")
    assert sum(CASES.values()) >= 2000
