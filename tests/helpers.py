"""What the tests share: plain functions and constants, imported by the test modules
(`from .helpers import make_news`). Fixtures live in conftest.py; no test module imports another.
"""

import datetime
import html
import http.client
import http.cookiejar
import io
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format
from django.utils.html import strip_tags
from django.utils.text import slugify
from PIL import Image, ImageDraw

from news.models import Kind, NewsItem
from pages.models import ProgramPage
from partners.models import Country, Municipality, Partnership

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = Path(__file__).parent / "artifacts"
DOCS = ROOT / "docs"

# The password of the members the tests make (make_member's default).
PASSWORD = "Rice-fields-at-dawn-42"
# The password of the staff the browser tests make (make_staff, Visitor.log_in).
BROWSER_PASSWORD = "Tonle-Sap-floating-village-58"

# A minimal valid one-page PDF.
PDF_BYTES = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


# Roles ------------------------------------------------------------------------------------------

# The data migrations that make the Editors and Publishers groups and give them their rights, in
# the order migrate runs them: (module, function).
ROLE_MIGRATIONS = [
    ("accounts.migrations.0002_editors_group", "create_editors"),
    ("news.migrations.0003_editors_see_alert_emails", "allow_editors"),
    ("accounts.migrations.0004_publishers_group", "create_publishers"),
    ("pages.migrations.0007_publishers_change_site_settings", "allow_publishers"),
    ("partners.migrations.0008_publishers_publish_partners", "allow_publishers"),
    ("redirects.migrations.0002_staff_manage_redirects", "grant"),
    ("reviews.migrations.0002_publishers_see_review_links", "grant"),
    ("library.migrations.0003_roles", "grant"),
    ("news.migrations.0018_item_documents_for_editors_and_publishers", "grant"),
    ("website.migrations.0002_roles", "grant"),
]


def restore_roles():
    """Make the Editors and Publishers groups again, with every right the migrations give
    them, when a transactional test's flush emptied them (a no-op when they are there)."""
    from django.contrib.auth.models import Group

    if Group.objects.filter(name__in=["Editors", "Publishers"]).count() == 2:
        return
    from importlib import import_module

    from django.db.migrations.executor import MigrationExecutor

    apps = MigrationExecutor(connection).loader.project_state().apps
    for module, function in ROLE_MIGRATIONS:
        getattr(import_module(module), function)(apps, None)


# Content ----------------------------------------------------------------------------------------


def run_worker():
    """Run every queued task, as `manage.py db_worker` does, then stop."""
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)


def make_member(email="member@example.org", password=PASSWORD, **extra):
    """A person who signed up and confirmed their email address."""
    user = get_user_model().objects.create_user(
        username=email, email=email, password=password, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


def make_news(title="A news item", kind=Kind.NEWS, published=True, days_ago=1, **extra):
    slug = extra.pop("slug", None) or title.lower().replace(" ", "-").replace(":", "")
    documents = extra.pop("documents", None)
    item = NewsItem(
        title=title,
        slug=slug,
        kind=kind,
        summary=extra.pop("summary", f"Summary of {title}."),
        is_published=published,
        published_at=timezone.now() - datetime.timedelta(days=days_ago),
        **extra,
    )
    item.save()
    if documents is None and kind == Kind.REPORT:
        # A report offers its PDF: a library document.
        documents = [make_document(title, name=f"{slug}.pdf")]
    for document in documents or ():
        offer_document(item, document)
    return item


def make_document(title="A report", content=PDF_BYTES, name="report.pdf", **fields):
    """A media library document saved through the model (its facts read from the file)."""
    from library.models import Document

    fields.setdefault("title_en", title)
    document = Document(file=ContentFile(content, name=name), **fields)
    document.save()
    return document


def report_document(item):
    """The first library document `item` offers (a report's PDF)."""
    return item.documents.order_by("order", "pk").first().document


def pdf_url(item):
    """The address of the first document `item` offers (the library's document view)."""
    return report_document(item).get_absolute_url()


def offer_document(item, document, role="report", order=None):
    """`item` offers `document` (an ItemDocument row, after the item's others)."""
    from news.models import ItemDocument

    if order is None:
        order = ItemDocument.objects.filter(news_item=item).count()
    return ItemDocument.objects.create(news_item=item, document=document, role=role, order=order)


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


# Reading pages -----------------------------------------------------------------------------------


def visible_text(response_or_markup):
    """What a reader sees of a page (a response, or its HTML): no scripts, styles or tags,
    entities decoded, spaces collapsed."""
    markup = getattr(response_or_markup, "content", response_or_markup)
    if isinstance(markup, bytes):
        markup = markup.decode()
    markup = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html.unescape(strip_tags(markup)).split())


def markup(response):
    """The page's HTML, with entities turned back into characters."""
    return html.unescape(response.content.decode())


def today():
    """Today's date as "Page Updated:" writes it in English (18 May 2016, in the site's time
    zone)."""
    return date_format(timezone.localdate(), "j F Y")


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


# The admin's forms ------------------------------------------------------------------------------


HOSTILE_HTML = (
    "<p>Safe words.</p>"
    "<script>alert(1)</script>"
    "<img src=x onerror=alert(1)>"
    '<a href="javascript:alert(1)">x</a>'
    '<p style="position:fixed;top:0">Styled</p>'
    '<iframe src="https://evil.example/"></iframe>'
)


def _add_form_fields(data, form):
    for name, field in form.fields.items():
        if isinstance(field, forms.FileField):
            continue  # an empty file input keeps the stored file, as in a browser
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field.widget, forms.MultiWidget):
            for index, part in enumerate(field.widget.decompress(value)):
                data[f"{key}_{index}"] = "" if part is None else str(part)
        elif isinstance(field, forms.BooleanField):
            if value:  # a browser sends only the ticked boxes
                data[key] = "on"
        elif isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
            data[key] = list(value or [])
        elif value is None:
            data[key] = ""
        else:
            data[key] = value


def admin_form_data(response):
    """What the admin page in `response` posts back if staff change nothing: the main form and
    the inlines' saved rows, with the inlines' blank extra rows left out."""
    data = {}
    _add_form_fields(data, response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        saved_rows = formset.initial_form_count()
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = management[name].value()
        data[management.add_prefix("TOTAL_FORMS")] = saved_rows
        for form in formset.forms[:saved_rows]:
            _add_form_fields(data, form)
    return data


def news_post(**fields):
    """The add form of a news item as staff fill it in, with the empty `documents` and
    `articles` inlines."""
    published = timezone.localtime() - datetime.timedelta(hours=1)
    data = {
        "kind": Kind.NEWS,
        "title_en": "Council opens a farmers' market",
        "slug": "council-opens-a-farmers-market",
        "summary_en": "Kang Meas District opened a weekly market for local farmers.",
        "body_en": "<p>The market opens every Saturday.</p>",
        "published_at_0": published.date().isoformat(),
        "published_at_1": published.strftime("%H:%M:%S"),
        "is_published": "on",
        "articles-TOTAL_FORMS": "0",
        "articles-INITIAL_FORMS": "0",
        "articles-MIN_NUM_FORMS": "0",
        "articles-MAX_NUM_FORMS": "1000",
        "documents-TOTAL_FORMS": "0",
        "documents-INITIAL_FORMS": "0",
        "documents-MIN_NUM_FORMS": "0",
        "documents-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def add_news_via_admin(client, **fields):
    response = client.post(reverse("admin:news_newsitem_add"), news_post(**fields))
    assert response.status_code == 302, form_errors(response)
    return NewsItem.objects.get(slug=fields.get("slug", "council-opens-a-farmers-market"))


def form_errors(response):
    """The admin form's errors, to explain a failed assertion."""
    if response.context is None or "adminform" not in response.context:
        return f"status {response.status_code}"
    errors = dict(response.context["adminform"].form.errors)
    for inline in response.context.get("inline_admin_formsets", []):
        errors[inline.formset.prefix] = inline.formset.errors
        errors[f"{inline.formset.prefix} (all rows)"] = inline.formset.non_form_errors()
    return errors


def assert_form_shown_again_with(response, *messages):
    assert response.status_code == 200
    page = visible_text(response)
    assert "Please correct the error" in page
    for message in messages:
        assert message in page


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def add_pairing_row(data, prefix, **fields):
    row = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = row + 1
    for name, value in fields.items():
        data[f"{prefix}-{row}-{name}"] = value
    return data


def publish_in_admin(client, title, kind=Kind.REPORT, when=None):
    url = reverse("admin:news_newsitem_add")
    data = admin_form_data(client.get(url))
    when = timezone.localtime(when or timezone.now() - datetime.timedelta(minutes=1))
    data.update(
        {
            "kind": kind,
            "title_en": title,
            "slug": slugify(title),
            "summary_en": f"Summary of {title}.",
            "is_published": "on",
            "published_at_0": when.strftime("%Y-%m-%d"),
            "published_at_1": when.strftime("%H:%M:%S"),
        }
    )
    if kind == Kind.REPORT:
        document = make_document(title, name="r.pdf")
        add_pairing_row(data, "documents", document=document.pk, role="report", order=0)
    if kind == Kind.PRESS:
        # An empty press feature may not be published (news.models.NewsItem.publishing_problem).
        data["body_en"] = f"<p>{title}: what the papers said.</p>"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return NewsItem.objects.get(title=title)


IMPORT_URL = "/admin/partners/municipality/import/"
CONFIRM_URL = "/admin/partners/municipality/process_import/"


def upload(content, name="municipalities.csv"):
    if isinstance(content, str):
        content = content.encode()
    return SimpleUploadedFile(name, content, content_type="text/csv")


def preview(client, content, name="municipalities.csv"):
    return client.post(IMPORT_URL, {"format": "0", "import_file": upload(content, name)})


def confirm(client, response):
    return client.post(CONFIRM_URL, response.context["confirm_form"].initial)


# Files ------------------------------------------------------------------------------------------


def pdf_bytes(pages=3):
    """A real PDF of `pages` pages, each with its number written on it (Pillow writes PDFs)."""
    images = []
    for number in range(1, pages + 1):
        page = Image.new("RGB", (595, 842), "white")
        ImageDraw.Draw(page).text((60, 60), f"Page {number} of the report", fill="black")
        images.append(page)
    buffer = io.BytesIO()
    images[0].save(buffer, "PDF", save_all=True, append_images=images[1:], resolution=72)
    return buffer.getvalue()


def pdf_upload(content=PDF_BYTES, name="report.pdf"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def image_bytes(size=(4, 3), format="PNG", exif=None):
    image = Image.new("RGB", size, (11, 79, 108))
    ImageDraw.Draw(image).rectangle((0, 0, size[0] // 2, size[1] // 2), fill=(240, 200, 40))
    buffer = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    image.save(buffer, format, **options)
    return buffer.getvalue()


def image_upload(content, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def make_library_image(content=None, name="photo.png", **fields):
    """A media library image saved through the model (its size read, its renditions made), for
    items to choose: `content` the file's bytes (a 640×480 PNG by default)."""
    from library.models import Image as LibraryImage

    fields.setdefault("title", "Market day")
    fields.setdefault("alt_en", "Stalls of vegetables at the market")
    image = LibraryImage(file=ContentFile(content or image_bytes((640, 480)), name=name), **fields)
    image.save()
    return image


# Accounts and security --------------------------------------------------------------------------


def totp_code(secret):
    """The code an authenticator app shows now (RFC 6238, as allauth computes it); near the end
    of a 30-second step, the next one's, so that it is still valid when the server checks it."""
    if 30 - time.time() % 30 < 3:
        time.sleep(30 - time.time() % 30 + 0.1)
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def directives(policy):
    return {
        name: values
        for name, *values in (part.split() for part in policy.split(";") if part.strip())
    }


# Other processes: manage.py, a server over HTTP -------------------------------------------------


def subprocess_environment(env=None):
    """This machine's environment without the site's settings, plus production ones
    (mped.settings.production) and `env`."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "MPED_", "AWS_", "DATABASE_", "REDIS_"))
    }
    environment.update(
        {
            "DJANGO_SETTINGS_MODULE": "mped.settings.production",
            "DJANGO_SECRET_KEY": "test-only-secret-key-for-a-subprocess",
            "DJANGO_ALLOWED_HOSTS": "testserver",
            "DATABASE_URL": "sqlite:///:memory:",
            **(env or {}),
        }
    )
    return environment


def manage(*args, env=None, timeout=120):
    """Run `manage.py` in a new process, with `subprocess_environment(env)`."""
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=subprocess_environment(env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get(port, path):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode()
    finally:
        conn.close()


class FormReader(HTMLParser):
    """The fields a browser would post from the admin's change form."""

    def __init__(self):
        super().__init__()
        self.fields, self.in_form, self.select, self.textarea = [], False, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and attrs.get("id", "").endswith("_form"):
            self.in_form = True
        if not self.in_form:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in {"file", "submit", "button", "image", "reset"}:
                return
            if kind in {"checkbox", "radio"} and "checked" not in attrs:
                return
            self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.fields.append(tuple(self.textarea))
            self.textarea = None


class Staff:
    """A member of staff in a browser-like session: cookies, CSRF tokens, real form posts."""

    login_path = "/en/accounts/login/"

    def __init__(self, port, email, password):
        self.base = f"http://127.0.0.1:{port}"
        cookies = urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        self.opener = urllib.request.build_opener(cookies)
        token = re.search(
            r'name="csrfmiddlewaretoken" value="([^"]+)"', self.get(self.login_path)
        ).group(1)
        fields = [("csrfmiddlewaretoken", token), ("login", email), ("password", password)]
        url, _ = self.post(self.login_path, fields)
        assert not url.endswith(self.login_path), "staff could not log in"

    def get(self, path):
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path, fields):
        request = urllib.request.Request(
            self.base + path,
            data=urllib.parse.urlencode(fields).encode(),
            headers={"Referer": self.base + path},
        )
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()

    def rename(self, item_id, title):
        path = f"/admin/news/newsitem/{item_id}/change/"
        reader = FormReader()
        reader.feed(self.get(path))
        fields = [(name, value) for name, value in reader.fields if name != "title_en"]
        # A live item's change is its draft until published: "Publish changes" does both.
        url, html = self.post(
            path, [*fields, ("title_en", title), ("_publish_draft", "Publish changes")]
        )
        assert url.endswith("/admin/news/newsitem/"), f"the edit was refused: {html[:3000]}"


# In a real Chromium (the browser fixture is in conftest.py) ---------------------------------------


def open_page(browser, url, **context_options):
    context = browser.new_context(**context_options)
    page = context.new_page()
    requests = []
    page.on("request", lambda request: requests.append(request.url))
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, response, requests


def only_own_host(requests, site_url):
    own_host = urlsplit(site_url).netloc
    foreign = [url for url in requests if urlsplit(url).netloc != own_host]
    assert not foreign, f"requests to other hosts: {foreign}"


AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


def axe_violations(page):
    # Evaluated through the browser's devtools protocol, which the page's strict
    # Content-Security-Policy does not govern (an injected <script> would be refused).
    page.evaluate(AXE.read_text())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__csp.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`
    + ` (${event.sourceFile || location.pathname}:${event.lineNumber}) ${event.sample || ""}`);
});
"""


class Visitor:
    """One browser context that records the policy violations of every page it opens."""

    def __init__(self, browser, site_url, **context_options):
        self.site = site_url
        self.context = browser.new_context(**context_options)
        self.context.add_init_script(LISTEN)
        self.console = []
        self.violations = {}
        self.context.on("console", self.on_console)
        self.page = self.context.new_page()

    def on_console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def goto(self, path):
        response = self.page.goto(self.site + path)
        self.page.wait_for_load_state("networkidle")
        self.record()
        return response

    def record(self):
        found = self.page.evaluate("window.__csp || []")
        if found:
            self.violations[self.page.url] = found

    def check(self):
        assert not self.violations, self.violations
        assert not self.console, self.console

    def log_in(self, email, password=BROWSER_PASSWORD, path="/en/accounts/login/"):
        self.goto(path)
        self.page.fill("#id_login", email)
        self.page.fill("#id_password", password)
        self.page.locator("main form button[type=submit]").click()
        self.page.wait_for_load_state("networkidle")
        self.record()

    def close(self):
        self.context.close()


def make_staff(django_user_model, email="chief@example.org", **extra):
    user = django_user_model.objects.create_user(
        "chief", email, BROWSER_PASSWORD, is_staff=True, is_superuser=True, **extra
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


# Staff roles and the moderation workflow (test_moderation.py and the mail tests) --------------


def role(name):
    """The Editors or Publishers group with its rights (made by a migration, which a
    transactional test's flush empties: made again here when it is gone)."""
    restore_roles()
    return Group.objects.get(name=name)


def staff(group, email, **extra):
    user = get_user_model().objects.create_user(email, email, "x", is_staff=True, **extra)
    user.groups.add(role(group))
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def review_url(item):
    opts = item._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_review", args=[item.pk])


def form_data(response):
    """What the browser posts back from the change form: its fields and the version token."""
    data = admin_form_data(response)
    found = re.search(r'name="_version_token" value="([^"]+)"', response.content.decode())
    data["_version_token"] = found.group(1)
    return data


def submit(client, item, message="", **changes):
    """The editor's change form, posted with "Submit for review"."""
    data = form_data(client.get(change_url(item)))
    data.update(changes)
    data["_submit_for_review"] = "Submit for review"
    data["review_message"] = message
    return client.post(change_url(item), data)


def review(client, item, action, comment="", when=None):
    data = {"action": action, "comment": comment}
    if when is not None:
        local = timezone.localtime(when)
        data["publish_at_0"] = local.strftime("%Y-%m-%d")
        data["publish_at_1"] = local.strftime("%H:%M:%S")
    return client.post(review_url(item), data)


# Sign-up ----------------------------------------------------------------------------------------


def signup(client, email="ana@example.org", password=PASSWORD, password2=None, **extra):
    data = {
        "email": email,
        "first_name": "Ana",
        "last_name": "Sok",
        "organisation": "",
        "municipality": "",
        "password1": password,
        "password2": password if password2 is None else password2,
        **extra,
    }
    return client.post("/en/accounts/signup/", data)


# Feeds and sitemaps ------------------------------------------------------------------------------

SITEMAP_NS = {
    "s": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "xhtml": "http://www.w3.org/1999/xhtml",
}


def hidden_content():
    """One of each thing readers must not see: a draft, a scheduled and an expired item."""
    make_news("Secret draft", kind=Kind.REPORT, published=False)
    make_news("Future report", kind=Kind.REPORT, days_ago=-2)
    expired = make_news("Expired press", kind=Kind.PRESS, days_ago=3)
    NewsItem.objects.filter(pk=expired.pk).update(unpublish_at=timezone.now())
    make_page("Draft page", published=False)
    make_municipality("Hidden town", published=False)


def public_paths(language):
    with translation.override(language):
        names = ["home", "news:list", "pages:list", "partners:list", "partners:data"]
        paths = {reverse(name) for name in names}
        paths |= {item.get_absolute_url() for item in NewsItem.objects.published()}
        paths |= {page.get_absolute_url() for page in ProgramPage.objects.published()}
        paths |= {m.get_absolute_url() for m in Municipality.objects.published()}
    return paths
