"""The editorial dashboard: the admin's first page says what to do next.

Each section counts its items (one query for every section at once) and lists the first few,
so the page costs the same number of queries with five items or a hundred thousand. A count
stops at COUNT_LIMIT ("more than 10,000"): each reads at most that many index entries or rows,
never the whole table (a true COUNT of the stale or untranslated items read all 100,000 rows).
Sections cover only the models the user may view in the admin.

The content apps register their models (and sections of their own) in their AppConfig.ready()
with register_dashboard: their admins import editorial, so editorial imports no content app."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.publishing import Status, status_q

LIMIT = 10
CHANGES_LIMIT = 15
# Counts are exact up to this many; past it a section says "more than 10,000".
COUNT_LIMIT = 10_000
SCHEDULE_DAYS = 30
RECENT_DAYS = 14
STALE_DAYS = 365


@dataclass
class Content:
    """A model on the dashboard, as its content app registered it."""

    model: type
    publishable: bool
    stale: bool
    heavy_fields: list
    sections: Callable | None


# Model → Content, filled by register_dashboard.
CONTENTS = {}


def register_dashboard(model, *, publishable=False, stale=False, heavy_fields=(), sections=None):
    """Show rows of `model` on the dashboard. Called from a content app's AppConfig.ready().

    `publishable`: a core.publishing.Publishable model, in the drafts, overdue, scheduled and
    went-live sections. `stale`: its published rows nobody changed for a year are listed (by
    status for a publishable model, else by `is_published`). `heavy_fields`: long fields the
    dashboard never shows, left unloaded. `sections`: a function of the time now that returns
    the app's own sections (Section, Source), shown after the shared ones."""
    CONTENTS[model] = Content(model, publishable, stale, list(heavy_fields), sections)


def contents():
    """The registered models in the order of their labels (app_label.Model), whatever the order
    their apps were made ready in."""
    return sorted(CONTENTS.values(), key=lambda content: content.model._meta.label)


@dataclass
class Line:
    title: str
    kind: str
    admin_url: str
    when: datetime.datetime
    when_label: str
    site_url: str = ""
    who: str = ""
    # What is wrong with the item; its publishing status; what a change did.
    notes: list = field(default_factory=list)
    status: str = ""
    message: str = ""


@dataclass
class Source:
    """The items of one model that belong to a section."""

    model: type
    q: Q
    order: str  # a field, "-" first for newest first
    when_label: str
    # The admin change list's query string showing the same items, when its filters can.
    params: dict | None = None
    # Relations the section's notes read, loaded with the rows (select_related).
    related: tuple = ()
    # Where a listed item links to (a function of it), when not its change form.
    item_url: Callable | None = None

    @property
    def heavy_fields(self):
        content = CONTENTS.get(self.model)
        return content.heavy_fields if content else []


@dataclass
class Section:
    key: str
    title: str
    description: str
    empty: str
    sources: list
    who: bool = False
    # What is wrong with a listed item (a function of it returning notes), and whether lines
    # show the item's publishing status.
    notes: Callable | None = None
    show_status: bool = False
    count: int = 0
    # Whether the count stopped at COUNT_LIMIT: there are more.
    count_capped: bool = False
    lines: list = field(default_factory=list)
    links: list = field(default_factory=list)
    objects: list = field(default_factory=list)
    advice: str = ""
    is_log: bool = False
    # A section that is not a list of rows (the library's most downloaded documents): a
    # function of the section that sets its count and lines itself, instead of fill().
    filler: Callable | None = None

    @property
    def has_more(self):
        return self.count > len(self.lines)


def overdue_q(now):
    """Drafts whose publication time passed after they were last saved: someone set a time to
    go public and nobody ticked "publish". (A new item's publication time is the moment it was
    created, before its first save, so an ordinary draft is never overdue.)"""
    return status_q(Status.DRAFT, now) & Q(published_at__lte=now, published_at__gt=F("updated_at"))


def stamp(when):
    """A time for a change list's query string, exactly (the admin parses ISO 8601)."""
    return when.isoformat()


def sections_for(now):
    soon = now + datetime.timedelta(days=SCHEDULE_DAYS)
    since = now - datetime.timedelta(days=RECENT_DAYS)
    stale = now - datetime.timedelta(days=STALE_DAYS)
    registered = contents()
    publishable = [content.model for content in registered if content.publishable]
    sections = [
        Section(
            "drafts",
            _("Drafts in progress"),
            _("Items not yet published, the most recently changed first."),
            _("No drafts in progress."),
            [
                Source(
                    model,
                    status_q(Status.DRAFT, now),
                    "-updated_at",
                    _("Updated"),
                    {"status": "draft"},
                )
                for model in publishable
            ],
            who=True,
        ),
        Section(
            "overdue",
            _("Past their publication time, still drafts"),
            _(
                "A publication time was set and has passed since the draft was last saved, "
                "but nobody published it: publish it, or set a new time."
            ),
            _("No draft has passed its publication time."),
            [
                Source(model, overdue_q(now), "published_at", _("Was to go live"))
                for model in publishable
            ],
            who=True,
        ),
        Section(
            "scheduled",
            _("Scheduled in the next 30 days"),
            _("Published items that go public by themselves at the time shown, soonest first."),
            _("Nothing scheduled in the next 30 days."),
            [
                Source(
                    model,
                    status_q(Status.SCHEDULED, now) & Q(published_at__lte=soon),
                    "published_at",
                    _("Goes live"),
                    {"status": "scheduled", "published_at__lte": stamp(soon)},
                )
                for model in publishable
            ],
        ),
        Section(
            "live",
            _("Went live in the last 14 days"),
            _("What readers can see now that is new, newest first."),
            _("Nothing went live in the last 14 days."),
            [
                Source(
                    model,
                    status_q(Status.PUBLISHED, now) & Q(published_at__gte=since),
                    "-published_at",
                    _("Went live"),
                    {"status": "published", "published_at__gte": stamp(since)},
                )
                for model in publishable
            ],
        ),
        Section(
            "stale",
            _("Not updated for 12 months or more"),
            _("Public pages and partners nobody has changed for a year, the oldest first."),
            _("Every public page and partner was updated in the last 12 months."),
            [stale_source(content, now, stale) for content in registered if content.stale],
        ),
    ]
    for content in registered:
        if content.sections:
            sections += content.sections(now)
    from .translate import needs_translation_sections

    return sections + needs_translation_sections()


def stale_source(content, now, stale):
    """The published rows of a model nobody changed since `stale`."""
    if content.publishable:
        q = status_q(Status.PUBLISHED, now)
        params = {"status": "published"}
    else:
        q = Q(is_published=True)
        params = {"is_published__exact": "1"}
    return Source(
        content.model,
        q & Q(updated_at__lte=stale),
        "updated_at",
        _("Last updated"),
        {**params, "updated_at__lte": stamp(stale)},
    )


def viewable_models(request):
    """The registered models whose admin the user may view."""
    return {
        model: model_admin
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_view_permission(request)
    }


def admin_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def changelist_url(model, params):
    opts = model._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
    return f"{url}?{urlencode(params)}" if params else url


def kind_label(obj):
    # A model with kinds (news items: report, press feature, news) says which.
    if hasattr(obj, "get_kind_display"):
        return obj.get_kind_display()
    return capfirst(obj._meta.verbose_name)


def site_url(obj):
    if not hasattr(obj, "get_absolute_url"):
        return ""  # a partnership has no page of its own
    is_live = obj.is_live if hasattr(obj, "is_live") else obj.is_published
    return obj.get_absolute_url() if is_live else ""


def bounded_counts(querysets):
    """{key: (count, capped)} of each queryset, each count stopping at COUNT_LIMIT: in one
    query, `SELECT (SELECT COUNT(*) FROM (… LIMIT 10001)), …`, which Django's ORM cannot
    write (its aggregates count every row)."""
    if not querysets:
        return {}
    parts, params = [], []
    for queryset in querysets.values():
        bounded = queryset.order_by().values("pk")[: COUNT_LIMIT + 1]
        sql, more = bounded.query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) bounded)")  # noqa: S608 - Django's SQL
        params += more
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}", params)
        row = cursor.fetchone()
    return {
        key: (min(count, COUNT_LIMIT), count > COUNT_LIMIT)
        for key, count in zip(querysets, row, strict=True)
    }


def fill(sections):
    """Count and list each section's items: one query for every count, one list per source."""
    for section in sections:
        if section.filler:
            section.filler(section)
    sections = [section for section in sections if not section.filler]
    counts = bounded_counts(
        {
            f"{section.key}_{index}": source.model._default_manager.filter(source.q)
            for section in sections
            for index, source in enumerate(section.sources)
        }
    )
    for section in sections:
        rows = []
        for index, source in enumerate(section.sources):
            count, capped = counts[f"{section.key}_{index}"]
            section.count += count
            section.count_capped |= capped
            objs = list(
                source.model._default_manager.filter(source.q)
                .select_related(*source.related)
                .defer(*source.heavy_fields)
                .order_by(source.order, "pk")[:LIMIT]
            )
            rows += [(obj, source) for obj in objs]
            if source.params is not None and count:
                name = capfirst(source.model._meta.verbose_name_plural)
                shown = {"name": name, "count": number_format(count)}
                label = (
                    _("%(name)s: show all (more than %(count)s)")
                    if capped
                    else _("%(name)s: show all %(count)s")
                ) % shown
                section.links.append((label, changelist_url(source.model, source.params)))
        descending = section.sources[0].order.startswith("-")
        key = section.sources[0].order.lstrip("-")
        rows.sort(key=lambda row: getattr(row[0], key), reverse=descending)
        section.lines = [
            Line(
                title=str(obj),
                kind=kind_label(obj),
                admin_url=source.item_url(obj) if source.item_url else admin_url(obj),
                when=getattr(obj, key),
                when_label=source.when_label,
                site_url=site_url(obj),
                notes=section.notes(obj) if section.notes else [],
                status=obj.status.label if section.show_status else "",
            )
            for obj, source in rows[:LIMIT]
        ]
        section.objects = [obj for obj, _source in rows[:LIMIT]]


def who(user):
    return (user.get_full_name() or user.get_username()) if user else ""


def add_last_editors(sections):
    """Who last changed each listed item, from the admin's log: one query for all of them."""
    wanted = [
        (section, line, obj)
        for section in sections
        if section.who
        for line, obj in zip(section.lines, section.objects, strict=True)
    ]
    if not wanted:
        return
    types = ContentType.objects.get_for_models(*{type(obj) for _s, _l, obj in wanted})
    ids = {}
    for _section, _line, obj in wanted:
        ids.setdefault(types[type(obj)].pk, set()).add(str(obj.pk))
    condition = Q()
    for type_id, object_ids in ids.items():
        condition |= Q(content_type_id=type_id, object_id__in=object_ids)
    latest = (
        LogEntry.objects.filter(condition)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("content_type_id"), F("object_id")],
                order_by=[F("action_time").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .select_related("user")
    )
    editors = {(entry.content_type_id, entry.object_id): who(entry.user) for entry in latest}
    for _section, line, obj in wanted:
        line.who = editors.get((types[type(obj)].pk, str(obj.pk)), "")


def recent_changes(request, models):
    """The latest changes made in the admin by anyone, to what the user may view."""
    entries = LogEntry.objects.select_related("user", "content_type").order_by(
        "-action_time", "-pk"
    )
    if not request.user.is_superuser:
        types = ContentType.objects.get_for_models(*models).values()
        entries = entries.filter(content_type__in=[t.pk for t in types])
    labels = {ADDITION: _("Added"), CHANGE: _("Changed"), DELETION: _("Deleted")}
    lines = []
    for entry in entries[:CHANGES_LIMIT]:
        lines.append(
            Line(
                title=entry.object_repr,
                kind=capfirst(entry.content_type.name) if entry.content_type else "",
                admin_url="" if entry.is_deletion() else (entry.get_admin_url() or ""),
                when=entry.action_time,
                when_label=labels.get(entry.action_flag, ""),
                who=who(entry.user),
                # "Added." says no more than the action itself.
                message=entry.get_change_message() if entry.is_change() else "",
            )
        )
    return Section(
        "changes",
        _("Recent changes"),
        _("The latest changes made here, by whom, newest first."),
        _("No changes recorded yet."),
        [],
        lines=lines,
        count=len(lines),
        is_log=True,
    )


def publish_advice(request, models):
    """For editors, who write drafts but may not publish them."""
    for model in models:
        model_admin = admin.site._registry[model]
        if hasattr(model_admin, "has_publish_permission") and not (
            model_admin.has_publish_permission(request)
        ):
            return _(
                "Only publishers can publish: when a draft is ready, open it and press "
                "“Submit for review”, and the publishers are emailed."
            )
    return ""


def dashboard(request):
    """The sections for this user, filled."""
    now = timezone.now()
    models = viewable_models(request)
    sections = []
    for section in sections_for(now):
        section.sources = [source for source in section.sources if source.model in models]
        if section.sources:
            sections.append(section)
    fill(sections)
    add_last_editors(sections)
    for section in sections:
        if section.key in ("drafts", "overdue"):
            section.advice = publish_advice(request, [s.model for s in section.sources])
    if models:
        from .moderation import review_section

        sections.insert(0, review_section(request, models))
        from .drafts_admin import live_drafts_section

        sections.insert(1, live_drafts_section(request, models))
        from .dashboard_sent_back import sent_back_section

        sent_back = sent_back_section(request, models)
        if sent_back is not None:
            sections.insert(1, sent_back)  # after Waiting for review
        sections.append(recent_changes(request, models))
    return sections
