"""What news shows on the editorial dashboard (registered in NewsConfig.ready()): reports that
lack a summary or alt text, and the members-only items."""

from django.db.models import F, Lookup, Q
from django.utils.translation import gettext as _

from core.translated import has_text, is_empty_q
from editorial.dashboard import Section, Source
from library.models import Image

from .models import Kind, NewsItem

# Never needed on the dashboard, and long: the documents' text, the bodies.
HEAVY_FIELDS = ["documents_text", "members_documents_text", "body_en", "body_fr", "body_km"]


class InList(Lookup):
    """`column = ANY(ARRAY(subquery))` on PostgreSQL, `column IN (subquery)` elsewhere: unlike
    IN (which PostgreSQL answers as a join, reading every report), the array is worked out first
    and the column's index looked up with it, so it can be one arm of a BitmapOr."""

    lookup_name = "in_list"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} IN {rhs}", (*lhs_params, *rhs_params)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)


def incomplete_report_q():
    """Reports without an English summary, or with a library image without English alt text
    (the other languages fall back to it). Each arm has its index at 100,000 items (news 0022):
    the reports without a summary, and the reports by image for the few images without alt
    text; a report that has both is read once."""
    no_alt = Image.objects.filter(is_empty_q("alt_en")).values("pk")
    missing_alt = InList(F("image_id"), no_alt)
    return Q(kind=Kind.REPORT) & (is_empty_q("summary_en") | missing_alt)


def report_notes(item):
    notes = []
    if not has_text(item.summary_en):
        notes.append(_("No summary"))
    if item.image_id and not has_text(item.image.alt_en):
        notes.append(_("Image without alt text"))
    return notes


def sections(now):
    return [
        Section(
            "reports",
            _("Reports missing a summary or alt text"),
            _(
                "Reports without an English summary, or with an image but no English "
                "description of it for readers who cannot see it."
            ),
            _("Every report has its summary, and its image description where it has an image."),
            [
                Source(
                    NewsItem,
                    incomplete_report_q(),
                    "-published_at",
                    _("Publication time"),
                    related=("image",),
                )
            ],
            notes=report_notes,
            show_status=True,
        ),
        Section(
            "members",
            _("Members-only items"),
            _("Items whose full text and files only logged-in members can read."),
            _("No members-only items."),
            [
                Source(
                    NewsItem,
                    Q(is_members_only=True),
                    "-published_at",
                    _("Publication time"),
                    {"is_members_only__exact": "1"},
                )
            ],
            show_status=True,
        ),
    ]
