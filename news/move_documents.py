"""Moving the PDFs news items kept themselves into the media library (issue 17), for news
migration 0016: used with the migration's historical models only, never with the app's own.

A report had its PDF in each language (`pdf`, `pdf_fr`, `pdf_km`, with their sizes and page
counts, the English one's text and first-page picture) and a flag `pdf_members_only`; a press
feature's articles each had a `file`. The move makes one library Document per stored file name,
pointing at the SAME file in the private storage (nothing is copied or removed), with:

- its title in each language: the item's title (an article's own title), followed for a French
  or Khmer PDF by the name of its language;
- its language, pages, size, text for the search and first-page picture (the English PDF's as
  stored; for the others read from the file once, when it can be read);
- members only if the item's PDF was (`pdf_members_only`).

The item then offers it through an ItemDocument row (English, French, Khmer in that order, each
in the role "report"); an article points at its copy. The item's saved versions
(django-reversion) get the same: the old keys go, and each revision gains the link rows of the
PDFs it had, so that restoring a version saved before the move restores its documents. Pending
drafts of live items are rewritten too, so they still publish.

Backwards: the items get their files back in the old fields (versions and drafts are left as
they are, which the old code reads without the PDFs)."""

import json
import logging
import posixpath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils import translation

from files.pdfs import MAX_TEXT_CHARS, PdfError, read_pdf
from files.storage import get_private_storage

logger = logging.getLogger(__name__)

# The old fields: (language, file field, size field, pages field).
PDF_FIELDS = [
    ("en", "pdf", "pdf_size", "pdf_pages"),
    ("fr", "pdf_fr", "pdf_fr_size", "pdf_fr_pages"),
    ("km", "pdf_km", "pdf_km_size", "pdf_km_pages"),
]
OLD_ITEM_KEYS = [
    "pdf",
    "pdf_size",
    "pdf_pages",
    "pdf_text",
    "pdf_thumbnail",
    "pdf_thumbnail_width",
    "pdf_thumbnail_height",
    "pdf_fr",
    "pdf_fr_size",
    "pdf_fr_pages",
    "pdf_km",
    "pdf_km_size",
    "pdf_km_pages",
    "pdf_members_only",
]
OLD_ARTICLE_KEYS = ["file", "file_size", "file_pages"]


def languages():
    return [code for code, _name in settings.LANGUAGES]


def language_name(code, in_lang):
    with translation.override(in_lang):
        return str(dict(settings.LANGUAGES).get(code, code))


def titles_for(fields, lang):
    """{language: title} of an item's PDF in `lang`: the item's title in each language (English
    where it has none), followed by the PDF's language when that is not English."""
    english = fields.get("title_en") or fields.get("title") or ""
    titles = {}
    for code in languages():
        title = fields.get(f"title_{code}") or ("" if code != "en" else english)
        if title and lang != "en":
            title = f"{title} ({language_name(lang, code)})"
        titles[code] = title[:250]
    if not titles["en"]:
        titles["en"] = (english or "Report")[:250]
    return titles


def article_titles(fields):
    titles = {code: (fields.get(f"title_{code}") or "")[:250] for code in languages()}
    titles["en"] = titles["en"] or (fields.get("title") or "Article")[:250]
    return titles


def share_text(texts, budget):
    """`texts` cut so that together they hold at most `budget` characters, shared fairly (as
    news.models.share_text, copied so the migration does not change with the app)."""
    kept = [""] * len(texts)
    remaining = budget
    by_length = sorted(range(len(texts)), key=lambda index: len(texts[index]))
    for done, index in enumerate(by_length):
        share = remaining // (len(texts) - done)
        kept[index] = texts[index][:share]
        remaining -= len(kept[index])
    return kept


class Library:
    """The library documents made by one move, by stored file name."""

    def __init__(self, apps):
        self.Document = apps.get_model("library", "Document")
        self.storage = get_private_storage()
        self.by_name = {}

    def exists(self, name):
        if not name:
            return False
        if name in self.by_name:
            return True
        try:
            return self.storage.exists(name)
        except OSError:
            return False

    def document_for(self, name, titles, *, language="en", members_only=False, facts=None):
        """The library document of the stored file `name` (made if there is none yet).
        `facts`: what the item knew of it (size, pages, text, thumbnail and its size)."""
        document = self.by_name.get(name)
        if document is None:
            document = self.Document.objects.filter(file=name).order_by("pk").first()
        if document is None:
            facts = dict(facts or {})
            document = self.Document(
                file=name,
                language=language,
                is_members_only=members_only,
                file_type="pdf",
                size=facts.get("size") or 0,
                pages=facts.get("pages") or 0,
                text=facts.get("text") or "",
                thumbnail=facts.get("thumbnail") or "",
                thumbnail_width=facts.get("thumbnail_width") or 0,
                thumbnail_height=facts.get("thumbnail_height") or 0,
                uploaded_by=None,
            )
            for code in languages():
                setattr(document, f"title_{code}", titles.get(code) or "")
            document.title = document.title_en
            self.complete(document)
            document.save()
        self.by_name[name] = document
        return document

    def complete(self, document):
        """What the item did not keep of a PDF (the size, a French PDF's text and first page),
        read from the stored file when it can be read."""
        try:
            if not document.size:
                document.size = self.storage.size(document.file.name)
            if document.text and document.thumbnail and document.pages:
                return
            with self.storage.open(document.file.name, "rb") as handle:
                data = handle.read()
            facts = read_pdf(data, thumbnail=not document.thumbnail, text=not document.text)
        except (OSError, PdfError):
            logger.warning("Could not read the PDF %s", document.file.name)
            return
        document.pages = document.pages or facts.pages
        if facts.text is not None and not document.text:
            document.text = facts.text
        if facts.thumbnail and not document.thumbnail:
            stem = posixpath.splitext(document.file.name)[0]
            stored = self.storage.save(f"{stem}.webp", ContentFile(facts.thumbnail))
            document.thumbnail = stored
            document.thumbnail_width, document.thumbnail_height = facts.thumbnail_size


def item_pdfs(values):
    """[(language, stored name, facts)] of an item's PDFs (a row's __dict__ or a version's
    fields), English first."""
    pdfs = []
    for lang, field, size, pages in PDF_FIELDS:
        name = values.get(field)
        name = getattr(name, "name", name) or ""
        if not name:
            continue
        facts = {"size": values.get(size) or 0, "pages": values.get(pages) or 0}
        if lang == "en":
            thumbnail = values.get("pdf_thumbnail")
            facts.update(
                text=values.get("pdf_text") or "",
                thumbnail=getattr(thumbnail, "name", thumbnail) or "",
                thumbnail_width=values.get("pdf_thumbnail_width") or 0,
                thumbnail_height=values.get("pdf_thumbnail_height") or 0,
            )
        pdfs.append((lang, name, facts))
    return pdfs


def move_documents(apps, schema_editor):
    NewsItem = apps.get_model("news", "NewsItem")
    Article = apps.get_model("news", "Article")
    ItemDocument = apps.get_model("news", "ItemDocument")
    library = Library(apps)
    for item in NewsItem._base_manager.order_by("pk"):
        values = item.__dict__
        for order, (lang, name, facts) in enumerate(item_pdfs(values)):
            document = library.document_for(
                name,
                titles_for(values, lang),
                language=lang,
                members_only=bool(item.pdf_members_only),
                facts=facts,
            )
            ItemDocument.objects.create(
                news_item_id=item.pk, document=document, role="report", order=order
            )
    for article in Article._base_manager.exclude(file="").order_by("pk"):
        document = library.document_for(
            article.file.name,
            article_titles(article.__dict__),
            facts={"size": article.file_size, "pages": article.file_pages},
        )
        Article._base_manager.filter(pk=article.pk).update(document=document)
    for item_id in NewsItem._base_manager.values_list("pk", flat=True):
        store_documents_text(ItemDocument, NewsItem, item_id)
    rewrite_versions(apps, library)
    rewrite_drafts(apps, library)


def store_documents_text(ItemDocument, NewsItem, item_id):
    rows = list(
        ItemDocument.objects.filter(news_item_id=item_id)
        .order_by("order", "pk")
        .values_list("document__text", "document__is_members_only")
    )
    texts = share_text([text or "" for text, _members in rows], MAX_TEXT_CHARS)
    public = [t for t, (_x, members) in zip(texts, rows, strict=True) if t and not members]
    members = [t for t, (_x, members) in zip(texts, rows, strict=True) if t and members]
    NewsItem._base_manager.filter(pk=item_id).update(
        documents_text="\n\n".join(public), members_documents_text="\n\n".join(members)
    )


def content_type(apps, model):
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.filter(app_label="news", model=model).first()


def rewrite_versions(apps, library):
    """Versions of items and articles saved before the move: the old keys go; an article's
    file becomes its document; each item version's revision gains its PDFs' link rows."""
    Version = apps.get_model("reversion", "Version")
    ItemDocument = apps.get_model("news", "ItemDocument")
    item_type = content_type(apps, "newsitem")
    article_type = content_type(apps, "article")
    link_type = content_type(apps, "itemdocument")
    if item_type is None:
        return
    if link_type is None:
        ContentType = apps.get_model("contenttypes", "ContentType")
        link_type = ContentType.objects.create(app_label="news", model="itemdocument")
    for version in Version.objects.filter(content_type=item_type).order_by("pk"):
        data = json.loads(version.serialized_data)
        if not data or not any(key in data[0].get("fields", {}) for key in OLD_ITEM_KEYS):
            continue
        entry = data[0]
        fields = entry["fields"]
        item_id = entry.get("pk", version.object_id)
        links = []
        for slot, (lang, name, facts) in enumerate(item_pdfs(fields)):
            if not library.exists(name):
                continue  # a file gone since: the version restores without it
            document = library.document_for(
                name,
                titles_for(fields, lang),
                language=lang,
                members_only=bool(fields.get("pdf_members_only")),
                facts=facts,
            )
            current = (
                ItemDocument.objects.filter(news_item_id=item_id, document=document)
                .order_by("pk")
                .first()
            )
            # A row the item has now, else one of the version's own (a negative key, which no
            # new row ever takes).
            pk = current.pk if current else -(version.revision_id * 10 + slot + 1)
            links.append((pk, document.pk, len(links)))
        for key in OLD_ITEM_KEYS:
            fields.pop(key, None)
        fields.setdefault("documents_text", "")
        fields.setdefault("members_documents_text", "")
        version.serialized_data = json.dumps(data)
        version.save(update_fields=["serialized_data"])
        for pk, document_id, order in links:
            if Version.objects.filter(
                revision_id=version.revision_id, content_type=link_type, object_id=str(pk)
            ).exists():
                continue
            row = {
                "model": "news.itemdocument",
                "pk": pk,
                "fields": {
                    "news_item": int(item_id),
                    "document": document_id,
                    "role": "report",
                    "order": order,
                },
            }
            Version.objects.create(
                revision_id=version.revision_id,
                object_id=str(pk),
                content_type=link_type,
                db=version.db,
                format="json",
                serialized_data=json.dumps([row]),
                object_repr=f"Report: {document_id}",
            )
    if article_type is None:
        return
    for version in Version.objects.filter(content_type=article_type).order_by("pk"):
        data = json.loads(version.serialized_data)
        if not data or "file" not in data[0].get("fields", {}):
            continue
        fields = data[0]["fields"]
        name = fields.get("file") or ""
        document = None
        if library.exists(name):
            document = library.document_for(
                name,
                article_titles(fields),
                facts={"size": fields.get("file_size"), "pages": fields.get("file_pages")},
            )
        for key in OLD_ARTICLE_KEYS:
            fields.pop(key, None)
        fields["document"] = document.pk if document else None
        version.serialized_data = json.dumps(data)
        version.save(update_fields=["serialized_data"])


def rewrite_drafts(apps, library):
    """Pending drafts of live items: their PDFs become link rows, their articles' files
    documents; the files are the library's now (discarding the draft keeps them)."""
    Draft = apps.get_model("editorial", "Draft")
    ItemDocument = apps.get_model("news", "ItemDocument")
    item_type = content_type(apps, "newsitem")
    if item_type is None:
        return
    for draft in Draft.objects.filter(content_type=item_type).exclude(data=None):
        data = draft.data or {}
        fields = data.get("fields", {})
        if not any(key in fields for key in OLD_ITEM_KEYS):
            continue
        moved = []
        rows = []
        for lang, name, facts in item_pdfs(fields):
            if not library.exists(name):
                continue
            document = library.document_for(
                name,
                titles_for(fields, lang),
                language=lang,
                members_only=bool(fields.get("pdf_members_only")),
                facts=facts,
            )
            moved.append(name)
            current = (
                ItemDocument.objects.filter(news_item_id=draft.object_id, document=document)
                .order_by("pk")
                .first()
            )
            rows.append(
                {
                    "pk": current.pk if current else None,
                    "fields": {"document_id": document.pk, "role": "report", "order": len(rows)},
                }
            )
        for key in OLD_ITEM_KEYS:
            fields.pop(key, None)
        inlines = data.setdefault("inlines", {})
        inlines["documents"] = rows
        for row in inlines.get("articles", []):
            row_fields = row.get("fields", {})
            if "file" not in row_fields:
                continue
            name = row_fields.pop("file") or ""
            row_fields.pop("file_size", None)
            row_fields.pop("file_pages", None)
            document = None
            if library.exists(name):
                document = library.document_for(name, article_titles(row_fields))
                moved.append(name)
            row_fields["document_id"] = document.pk if document else None
        data["uploads"] = [name for name in data.get("uploads", []) if name not in moved]
        draft.data = data
        draft.save(update_fields=["data"])


def move_documents_back(apps, schema_editor):
    """The items' files back in their old fields, from their links (the first document in
    each language) and their articles' documents."""
    NewsItem = apps.get_model("news", "NewsItem")
    Article = apps.get_model("news", "Article")
    ItemDocument = apps.get_model("news", "ItemDocument")
    fields = {lang: (field, size, pages) for lang, field, size, pages in PDF_FIELDS}
    for item in NewsItem._base_manager.order_by("pk"):
        changes = {}
        links = ItemDocument.objects.filter(news_item=item).select_related("document")
        for link in links.order_by("order", "pk"):
            document = link.document
            field, size, pages = fields.get(document.language, fields["en"])
            if field in changes:
                continue
            changes.update({field: document.file.name, size: document.size, pages: document.pages})
            if field == "pdf":
                changes.update(
                    pdf_text=document.text,
                    pdf_thumbnail=document.thumbnail.name,
                    pdf_thumbnail_width=document.thumbnail_width,
                    pdf_thumbnail_height=document.thumbnail_height,
                    pdf_members_only=document.is_members_only,
                )
        if changes:
            NewsItem._base_manager.filter(pk=item.pk).update(**changes)
    for article in Article._base_manager.exclude(document=None).select_related("document"):
        Article._base_manager.filter(pk=article.pk).update(
            file=article.document.file.name,
            file_size=article.document.size,
            file_pages=article.document.pages,
        )
