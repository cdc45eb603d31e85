import re
from io import StringIO

from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from news.models import Article, NewsItem
from pages.models import PageFigure, PagePoint, ProgramPage, SiteSettings
from partners.models import Municipality, Partnership

from .helpers import visible_text

MODELS = [
    NewsItem,
    Article,
    ProgramPage,
    PagePoint,
    PageFigure,
    Municipality,
    Partnership,
    SiteSettings,
]


def counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def test_demo_content_is_idempotent(client, db):
    call_command("load_demo_content", stdout=StringIO())
    first = counts()
    call_command("load_demo_content", stdout=StringIO())
    assert counts() == first
    assert first["NewsItem"] == 5 and first["ProgramPage"] == 4 and first["Municipality"] == 9
    assert "Page Updated: 18 May 2016" in visible_text(client.get("/en/"))


def test_demo_content_keeps_staff_edits_unless_reset(client, demo):
    NewsItem.objects.filter(slug="canada-in-the-spotlight").update(title="Edited by staff")
    call_command("load_demo_content", stdout=StringIO())
    assert "Edited by staff" in visible_text(client.get("/en/"))
    call_command("load_demo_content", "--reset", stdout=StringIO())
    text = visible_text(client.get("/en/"))
    assert "Edited by staff" not in text and "Canada in the spotlight" in text
    assert "Page Updated: 18 May 2016" in text


def test_demo_files_are_real_pdfs(demo):
    report = NewsItem.objects.get(kind="report").documents.get().document
    with report.file.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert report.size == report.file.size > 0
    assert report.readable_name.endswith("-en.pdf") and report.thumbnail
    for article in Article.objects.all():
        with article.document.file.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"


def test_demo_content_creates_no_users(demo):
    assert get_user_model().objects.count() == 0


def test_demo_admin_gets_a_random_printed_password(db):
    out = StringIO()
    call_command("create_demo_admin", stdout=out)
    password = re.search(r"password '([^']+)'", out.getvalue()).group(1)
    assert len(password) >= 12
    user = authenticate(username="admin", password=password)
    assert user is not None and user.is_superuser and user.is_staff

    again = StringIO()
    call_command("create_demo_admin", stdout=again)
    assert "already exists" in again.getvalue()
    assert authenticate(username="admin", password=password) is not None

    reset = StringIO()
    call_command("create_demo_admin", "--reset-password", stdout=reset)
    new_password = re.search(r"password '([^']+)'", reset.getvalue()).group(1)
    assert new_password != password
    assert authenticate(username="admin", password=new_password) is not None
