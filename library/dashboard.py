"""What the library shows on the editorial dashboard (registered in LibraryConfig.ready()):
the documents most downloaded this quarter."""

from django.db.models import Count, Q, Window
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from editorial.dashboard import LIMIT, Line, Section, Source, admin_url

from .downloads import quarter_downloads_sum, this_quarter
from .models import Document


def fill_most_downloaded(section):
    """The documents with downloads this quarter, the most downloaded first, and how many
    there are (counted over the grouped rows by a window): one query."""
    first, last = this_quarter()
    downloaded = Q(download_counts__month__gte=first, download_counts__month__lte=last)
    documents = list(
        Document.objects.filter(downloaded)
        .annotate(quarter_downloads=quarter_downloads_sum(), listed=Window(Count("pk")))
        .only("pk", "title", "language", "file_type")
        .order_by("-quarter_downloads", "pk")[:LIMIT]
    )
    section.count = documents[0].listed if documents else 0
    section.links = [
        (_("Export download counts (CSV)"), reverse("admin:library_document_downloads"))
    ]
    section.lines = [
        Line(
            title=str(document),
            kind=f"{document.get_file_type_display()} · {document.language}",
            admin_url=admin_url(document),
            when=None,
            when_label="",
            message=ngettext(
                "%(count)s download", "%(count)s downloads", document.quarter_downloads
            )
            % {"count": number_format(document.quarter_downloads)},
        )
        for document in documents
    ]


def sections(now):
    return [
        Section(
            "most_downloaded",
            _("Most downloaded this quarter"),
            _(
                "The documents readers downloaded most since the quarter began (bots and staff "
                "are not counted)."
            ),
            _("No document has been downloaded this quarter yet."),
            # For who may see the section (those who may view documents); filled by the filler.
            [Source(Document, Q(pk__in=[]), "pk", "")],
            filler=fill_most_downloaded,
        )
    ]
