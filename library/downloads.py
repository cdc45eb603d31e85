"""Download counts: how many times each document's file was sent, per month, and nothing else.

A download counts when a GET sends the file from its start: a 200, or a 206 whose range starts
at byte 0 (a PDF viewer asks for the rest of the file in further ranges, which are the same
download). Not counted: HEAD requests, known bots, staff (they open files while preparing and
checking items; counting them would inflate a new report's first weeks), and anything that is
not the file (redirects, 304s, refusals).

Nothing about the reader is kept or even looked at beyond the request itself: no cookie is set,
and the table holds a document, a month and a number (no address, no browser, no account)."""

import datetime
import logging
import re

from crawleruseragents import CRAWLER_USER_AGENTS_DATA
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone

from .models import DownloadCount

logger = logging.getLogger(__name__)

# The bots: the crawler-user-agents project's list of user-agent patterns (about 1,500 search
# engines, link checkers, feed readers, scripts and AI crawlers), kept up to date by its
# community and released as the crawler-user-agents package: `make upgrade` brings the new ones.
# Our additions, if ever needed, go here too: this is the one place that decides.
# A bot the list does not know yet usually still says so: "SomethingBot/1.0", "…spider…".
EXTRA_BOT_PATTERNS = [r"(?i:bot/|spider|crawler)"]
BOT_PATTERN = re.compile(
    "|".join(
        f"(?:{pattern})"
        for pattern in [entry["pattern"] for entry in CRAWLER_USER_AGENTS_DATA] + EXTRA_BOT_PATTERNS
    )
)


def is_bot(user_agent):
    """Whether a User-Agent header names a bot. No header at all is a script too: every
    browser sends one."""
    return not user_agent or bool(BOT_PATTERN.search(user_agent))


def sends_file_from_start(response):
    if response.status_code == 200:
        return True
    if response.status_code == 206:
        return response.get("Content-Range", "").startswith("bytes 0-")
    return False


def should_count(request, response):
    return (
        request.method == "GET"
        and sends_file_from_start(response)
        and not is_bot(request.headers.get("User-Agent", ""))
        and not request.user.is_staff
    )


def month_start(day=None):
    day = day or timezone.localdate()
    return day.replace(day=1)


def count_download(request, document, response):
    """Add one to `document`'s count for this month if `response` is a download to count."""
    if not should_count(request, response):
        return False
    try:
        add_download(document, month_start())
    except DatabaseError:
        # A busy database must not cost the reader their file.
        logger.warning("Could not count a download of document %s", document.pk, exc_info=True)
        return False
    return True


def add_download(document, month, number=1):
    """Add `number` to a month's count, safely when several requests count at once: an UPDATE
    in the database (never read, add, write), and the month's first download inserted in a
    savepoint; if another request inserted it first, the unique constraint says so and the
    UPDATE runs again."""
    rows = DownloadCount.objects.filter(document=document, month=month)
    with transaction.atomic():
        if rows.update(downloads=F("downloads") + number):
            return
        try:
            with transaction.atomic():
                DownloadCount.objects.create(document=document, month=month, downloads=number)
        except IntegrityError:
            rows.update(downloads=F("downloads") + number)


# Quarters and ranges ----------------------------------------------------------------------------


def quarter_of(day):
    """(year, quarter number) of a date."""
    return day.year, (day.month - 1) // 3 + 1


def quarter_months(year, quarter):
    """The first and last months (first days) of a quarter."""
    first = datetime.date(year, 3 * quarter - 2, 1)
    return first, datetime.date(year, 3 * quarter, 1)


def this_quarter():
    return quarter_months(*quarter_of(timezone.localdate()))


def months_q(first, last, prefix=""):
    """Counts of the months from `first` to `last` (first days), both included."""
    return Q(**{f"{prefix}month__gte": first, f"{prefix}month__lte": last})


def quarter_downloads_sum():
    """An annotation: a document's downloads this quarter (0 when none)."""
    first, last = this_quarter()
    return Sum("download_counts__downloads", filter=months_q(first, last, "download_counts__"))
