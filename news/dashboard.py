"""What news shows on the editorial dashboard (registered in NewsConfig.ready()): reports that
lack a summary or alt text, and the members-only items."""

from django.db.models import Q
from django.utils.translation import gettext as _

from core.translated import has_text, is_empty_q
from editorial.dashboard import Section, Source

from .models import Kind, NewsItem

# Never needed on the dashboard, and long: the documents' text, the bodies.
HEAVY_FIELDS = ["documents_text", "members_documents_text", "body_en", "body_fr", "body_km"]


def incomplete_report_q():
    # The alt text is the library image's (its English one; the others fall back to it).
    missing_alt = Q(image__isnull=False) & is_empty_q("image__alt_en")
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
