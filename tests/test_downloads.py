"""Download counts of library documents: N downloads count N; HEAD requests, bots, staff and
further pieces of the same download count nothing; no cookie is set and nothing personal is
stored; counts go up safely when several requests count at once; the document's admin page
shows them month by month, the list this quarter's, the dashboard the most downloaded; and
the CSV export for a funder's report matches them, with bad query strings refused."""

import csv
import datetime
import io
import threading

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from library.downloads import add_download, is_bot, month_start, this_quarter
from library.models import Document, DownloadCount
from news.models import ItemDocument

from .helpers import PASSWORD, make_member, make_news, visible_text

BROWSER = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2)",
    "curl/8.5.0",
    "python-requests/2.32.3",
    "Mozilla/5.0 (compatible; NewShinyBot/0.1)",
    "",
]
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def make_document(title="Annual report 2026", language="en", **extra):
    from django.core.files.uploadedfile import SimpleUploadedFile

    document = Document(
        title=title,
        language=language,
        file=SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
        **extra,
    )
    document.full_clean()
    document.save()
    return document


@pytest.fixture
def document(db):
    document = make_document()
    ItemDocument.objects.create(news_item=make_news("The report item"), document=document)
    return document


def download(client, document, **headers):
    headers.setdefault("HTTP_USER_AGENT", BROWSER)
    response = client.get(document.get_absolute_url(), **headers)
    if response.streaming:
        b"".join(response.streaming_content)
    return response


def count(document):
    return sum(document.download_counts.values_list("downloads", flat=True))


def test_n_downloads_count_n_in_this_month(client, document):
    for _ in range(5):
        assert download(client, document).status_code == 200
    row = DownloadCount.objects.get()
    assert row.downloads == 5
    assert row.month == timezone.localdate().replace(day=1)


def test_head_bots_staff_and_later_pieces_count_nothing(client, document, admin_client):
    url = document.get_absolute_url()
    assert client.head(url, HTTP_USER_AGENT=BROWSER).status_code == 200
    for agent in BOTS:
        assert is_bot(agent), agent
        assert download(client, document, HTTP_USER_AGENT=agent).status_code == 200
    assert download(admin_client, document).status_code == 200
    # A PDF viewer's further pieces of the same download.
    assert download(client, document, HTTP_RANGE="bytes=100-199").status_code == 206
    assert download(client, document, HTTP_RANGE="bytes=-10").status_code == 206
    # Not the file: a redirect from an old name, a 304, an unsatisfiable range.
    old = f"/documents/{document.pk}/an-old-name-en.pdf"
    assert client.get(old, HTTP_USER_AGENT=BROWSER).status_code == 301
    etag = download(admin_client, document)["ETag"]
    assert download(client, document, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert download(client, document, HTTP_RANGE="bytes=99999-").status_code == 416
    assert count(document) == 0

    # A range from the start is the download itself.
    assert download(client, document, HTTP_RANGE="bytes=0-99").status_code == 206
    assert count(document) == 1


def test_a_refused_download_counts_nothing(client, document, django_user_model):
    document.is_members_only = True
    document.save()
    assert download(client, document).status_code == 302
    django_user_model.objects.create_user("new@example.org", "new@example.org", PASSWORD)
    client.login(username="new@example.org", password=PASSWORD)
    assert download(client, document).status_code == 403
    assert count(document) == 0
    make_member()
    client.login(username="member@example.org", password=PASSWORD)
    assert download(client, document).status_code == 200
    assert count(document) == 1


def test_no_cookie_is_set_and_nothing_personal_is_stored(client, document):
    response = download(client, document, REMOTE_ADDR="203.0.113.9")
    assert not response.cookies
    assert "Set-Cookie" not in response
    assert not client.cookies
    with connection.cursor() as cursor:
        columns = [
            column.name
            for column in connection.introspection.get_table_description(
                cursor, DownloadCount._meta.db_table
            )
        ]
    assert sorted(columns) == ["document_id", "downloads", "id", "month"]
    assert DownloadCount.objects.values("document", "month", "downloads").get() == {
        "document": document.pk,
        "month": month_start(),
        "downloads": 1,
    }


@pytest.mark.django_db(transaction=True)
def test_counts_are_safe_when_many_requests_count_at_once():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        # SQLite's in-memory test database is one connection's; the update-then-insert is
        # still exercised by each thread in turn below.
        threads_count = 1
    else:
        threads_count = 8
    document = make_document()
    month = month_start()
    errors = []

    def worker():
        try:
            for _ in range(10):
                add_download(document, month)
        except Exception as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert DownloadCount.objects.get(document=document, month=month).downloads == 10 * threads_count


# In the admin ----------------------------------------------------------------------------------


def months_ago(number):
    day = month_start()
    for _ in range(number):
        day = (day - datetime.timedelta(days=1)).replace(day=1)
    return day


@pytest.fixture
def counted(db):
    """Three documents with downloads this quarter and earlier."""
    first, last = this_quarter()
    report = make_document("Annual report 2026")
    annex = make_document("=Annex with a formula", language="fr")
    quiet = make_document("Quiet summary", language="km")
    add_download(report, first, 40)
    add_download(report, last, 2)
    add_download(annex, first, 7)
    add_download(report, datetime.date(first.year - 1, 1, 1), 100)
    add_download(quiet, datetime.date(first.year - 1, 2, 1), 3)
    return {"report": report, "annex": annex, "quiet": quiet, "first": first}


def test_the_document_page_shows_downloads_month_by_month(staff_client, counted):
    report = counted["report"]
    response = staff_client.get(reverse("admin:library_document_change", args=[report.pk]))
    text = visible_text(response)
    assert f"{counted['first']:%B %Y} 40" in text
    assert f"January {counted['first'].year - 1} 100" in text
    total = count(report)
    assert f"In all {total}" in text
    assert "Export this document's downloads (CSV)" in text


def test_the_list_shows_this_quarters_downloads(staff_client, counted):
    url = reverse("admin:library_document_changelist")
    response = staff_client.get(url, {"o": "7"})
    rows = {doc.pk: doc.downloads_this_quarter for doc in response.context["cl"].result_list}
    quarter = count(counted["report"]) - 100
    assert rows == {
        counted["report"].pk: quarter,
        counted["annex"].pk: 7,
        counted["quiet"].pk: None,
    }
    with CaptureQueriesContext(connection) as few:
        staff_client.get(url)
    for number in range(10):
        add_download(make_document(f"More {number}"), counted["first"], number + 1)
    with CaptureQueriesContext(connection) as many:
        staff_client.get(url)
    assert len(many) == len(few)


def test_the_dashboard_lists_the_most_downloaded_this_quarter(editor, counted):
    response = editor.get(reverse("admin:index"))
    section = response.content.decode().split('id="dashboard-most_downloaded"', 1)[1]
    section = visible_text(section.split("</section>", 1)[0])
    assert "Most downloaded this quarter" in section
    assert "2 in all" in section
    assert section.index("Annual report 2026") < section.index("=Annex with a formula")
    assert f"{count(counted['report']) - 100} downloads" in section
    assert "Quiet summary" not in section
    assert "Export download counts (CSV)" in section

    with CaptureQueriesContext(connection) as few:
        editor.get(reverse("admin:index"))
    for number in range(12):
        add_download(make_document(f"More {number}"), counted["first"], 1)
    with CaptureQueriesContext(connection) as many:
        editor.get(reverse("admin:index"))
    assert len(many) == len(few)


def test_the_dashboard_section_is_only_for_staff_who_may_view_documents(
    client, counted, django_user_model
):
    user = django_user_model.objects.create_user("plain", "plain@example.org", PASSWORD)
    user.is_staff = True
    user.save()
    client.force_login(user)
    assert "Most downloaded" not in client.get(reverse("admin:index")).content.decode()


# The CSV export -------------------------------------------------------------------------------


def read_csv(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def csv_url(**query):
    return reverse("admin:library_document_downloads_csv"), query


def test_the_csv_export_of_a_quarter_matches_the_counts(editor, counted):
    first = counted["first"]
    quarter = f"{first.year}-Q{(first.month - 1) // 3 + 1}"
    url, query = csv_url(quarter=quarter)
    response = editor.get(url, query)
    assert f'filename="downloads-{quarter}.csv"' in response["Content-Disposition"]
    rows = read_csv(response)
    assert list(rows[0]) == ["document", "language", "month", "downloads"]
    expected = {
        (row.document.title_en, row.month.strftime("%Y-%m"), row.downloads)
        for row in DownloadCount.objects.filter(month__gte=first).select_related("document")
    }
    assert {(row["document"].lstrip("'"), row["month"], int(row["downloads"])) for row in rows} == (
        expected
    )
    annex = next(row for row in rows if "Annex" in row["document"])
    # A title a spreadsheet would run as a formula is written as text.
    assert annex["document"] == "'=Annex with a formula"
    assert annex["language"] == "French"


def test_the_csv_export_of_one_document_and_of_a_range(editor, counted):
    report = counted["report"]
    url, _query = csv_url()
    rows = read_csv(editor.get(url, {"document": report.pk}))
    assert sum(int(row["downloads"]) for row in rows) == count(report)
    assert {row["document"] for row in rows} == {"Annual report 2026"}

    year = counted["first"].year - 1
    rows = read_csv(editor.get(url, {"start": f"{year}-01", "end": f"{year}-12"}))
    assert [(row["document"], row["month"], row["downloads"]) for row in rows] == [
        ("Annual report 2026", f"{year}-01", "100"),
        ("Quiet summary", f"{year}-02", "3"),
    ]
    # Nothing chosen: every document, this quarter.
    rows = read_csv(editor.get(url))
    assert sum(int(row["downloads"]) for row in rows) == count(report) - 100 + 7


@pytest.mark.parametrize(
    "query, message",
    [
        ({"quarter": "2026-Q5"}, "Write a quarter as YYYY-Q1 to YYYY-Q4"),
        ({"quarter": "1800-Q1"}, "Write a quarter"),
        ({"quarter": "x" * 5000}, "Ensure this value has at most 7 characters"),
        ({"start": "2026-13"}, "There is no such month here."),
        ({"start": "March"}, "Write a month as YYYY-MM"),
        ({"start": "2026-06", "end": "2026-01"}, "The first month comes after the last one."),
        ({"quarter": "2026-Q1", "start": "2026-01"}, "Choose a quarter or a range of months"),
        ({"document": "abc"}, "Enter a whole number."),
        ({"document": "0"}, "greater than or equal to 1"),
        ({"document": "99999999999999999999999"}, "less than or equal to"),
        ({"document": "424242"}, "There is no document with that number."),
        ({"start": "2026-01\x00"}, "Null characters are not allowed."),
    ],
)
def test_bad_export_query_strings_are_a_400_with_the_form_and_a_message(editor, db, query, message):
    url, _query = csv_url()
    response = editor.get(url, query)
    assert response.status_code == 400
    assert message in visible_text(response)
    assert "Download the CSV file" in visible_text(response)


def test_the_export_page_and_csv_are_for_staff_who_may_view_counts(client, counted, editor):
    page = reverse("admin:library_document_downloads")
    response = editor.get(page)
    assert response.status_code == 200
    assert "Export download counts" in visible_text(response)
    assert "Download counts (CSV)" in visible_text(
        editor.get(reverse("admin:library_document_changelist"))
    )
    url, _query = csv_url()
    assert client.get(url).status_code == 302  # to the admin's login
    make_member()
    client.login(username="member@example.org", password=PASSWORD)
    assert client.get(url).status_code == 302


def test_hostile_export_query_strings_are_never_a_server_error(editor, counted):
    url, _query = csv_url()
    values = ["%FF%FE", "%00", "1e309", "NaN", str(2**63), "9" * 20, "9999-99", "2024-02-30"]
    values += ["(", "' OR 1=1 --", "😀", "x" * 10_000, "-1", "0000-Q0", "2026-Q1 "]
    for name in ("quarter", "start", "end", "document"):
        for value in values:
            response = editor.get(f"{url}?{name}={value}")
            assert response.status_code in (200, 400), (name, value)


def test_the_counts_are_listed_read_only(editor, publisher, counted):
    url = reverse("admin:library_downloadcount_changelist")
    text = visible_text(editor.get(url, {"q": "Annual"}))
    assert "Annual report 2026" in text and "Quiet summary" not in text
    row = DownloadCount.objects.filter(document=counted["report"]).first()
    change = reverse("admin:library_downloadcount_change", args=[row.pk])
    assert publisher.post(change, {"downloads": "1000000"}).status_code == 403
    assert editor.get(reverse("admin:library_downloadcount_add")).status_code == 403
    for query in ({"month__year": "abc"}, {"month__month": "13"}, {"month__year": "9" * 25}):
        assert editor.get(url, query).status_code in (200, 302, 400), query
    row.refresh_from_db()
    assert row.downloads != 1000000
