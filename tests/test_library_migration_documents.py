"""The move of report PDFs and article copies into the media library (news migrations
0015-0017, news/move_documents.py), the document half of issue 17's migration test (the image
half is tests/test_library_migration.py): on a copy of the demo content taken back to before the
move, with a report in three languages and a members-only PDF added the old way, every item
offers the same files after the move, in the same order; the old addresses redirect to the new
ones; a version saved before the move restores its documents."""

import json

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import Client

from files.storage import private_storage

from .helpers import PDF_BYTES, make_member

BEFORE = [("news", "0014_remove_old_image_fields")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def old_files(apps):
    """{slug: [(language, stored name)]} and {article title: stored name}, the old way."""
    NewsItem = apps.get_model("news", "NewsItem")
    Article = apps.get_model("news", "Article")
    items = {}
    for item in NewsItem.objects.order_by("pk"):
        names = [(lang, getattr(item, field).name) for lang, field in PDF_FIELDS]
        items[item.slug] = [(lang, name) for lang, name in names if name]
    articles = {a.title: a.file.name for a in Article.objects.exclude(file="")}
    return items, articles


PDF_FIELDS = [("en", "pdf"), ("fr", "pdf_fr"), ("km", "pdf_km")]


@pytest.mark.django_db(transaction=True)
def test_every_item_offers_the_same_documents_after_the_move(settings):
    call_command("load_demo_content", verbosity=0)
    try:
        apps = migrate(BEFORE)
        NewsItem = apps.get_model("news", "NewsItem")
        # A report saved the old way: its PDF in three languages, the English one members-only.
        names = {
            lang: private_storage.save(f"news/reports/2016/old-{lang}.pdf", ContentFile(PDF_BYTES))
            for lang in ("en", "fr", "km")
        }
        old = NewsItem.objects.create(
            kind="report",
            title="Old report",
            title_en="Old report",
            title_fr="Ancien rapport",
            slug="old-report",
            summary="An old report.",
            summary_en="An old report.",
            is_published=True,
            published_at="2016-05-18T12:00:00Z",
            pdf=names["en"],
            pdf_fr=names["fr"],
            pdf_km=names["km"],
            pdf_size=len(PDF_BYTES),
            pdf_pages=1,
            pdf_text="Capybaran savings",
            pdf_members_only=True,
        )
        before_items, before_articles = old_files(apps)
        assert before_items["old-report"] == [(lang, names[lang]) for lang in ("en", "fr", "km")]
        assert before_items["new-report-womens-participation-in-local-politics"]
        assert len(before_articles) == 2
        # A version saved before the move (django-reversion's JSON of the old fields).
        Version = apps.get_model("reversion", "Version")
        Revision = apps.get_model("reversion", "Revision")
        ContentType = apps.get_model("contenttypes", "ContentType")
        item_type, _created = ContentType.objects.get_or_create(app_label="news", model="newsitem")
        fields = {
            field.attname if field.is_relation else field.name: field.value_from_object(old)
            for field in NewsItem._meta.concrete_fields
            if not field.primary_key and not getattr(field, "generated", False)
        }
        fields = {key: getattr(value, "name", value) for key, value in fields.items()}
        fields["published_at"] = "2016-05-18T12:00:00Z"
        fields["updated_at"] = "2016-05-18T12:00:00Z"
        fields.pop("image_id", None)
        revision = Revision.objects.create(date_created="2016-05-18T12:00:00Z", comment="Old")
        Version.objects.create(
            revision=revision,
            object_id=str(old.pk),
            content_type=item_type,
            db="default",
            format="json",
            serialized_data=json.dumps(
                [{"model": "news.newsitem", "pk": old.pk, "fields": fields}]
            ),
            object_repr="Old report",
        )

        migrate(latest())

        from library.models import Document
        from news.models import Article
        from news.models import NewsItem as Item

        for slug, files in before_items.items():
            item = Item.objects.get(slug=slug)
            offered = [
                (link.document.language, link.document.file.name)
                for link in item.documents.order_by("order", "pk").select_related("document")
            ]
            assert offered == files, slug
            assert all(link.role == "report" for link in item.documents.all())
        for title, name in before_articles.items():
            assert Article.objects.get(title=title).document.file.name == name
        # One document per stored file; the same file (nothing copied), its facts kept.
        moved = Document.objects.get(file=names["en"])
        assert Document.objects.filter(file__in=names.values()).count() == 3
        assert moved.is_members_only and moved.text == "Capybaran savings"
        assert moved.title_en == "Old report" and moved.pages == 1
        assert Document.objects.get(file=names["fr"]).title_en == "Old report (Français)"
        assert Document.objects.get(file=names["fr"]).language == "fr"
        with private_storage.open(names["en"], "rb") as stored:
            assert stored.read() == PDF_BYTES
        item = Item.objects.get(slug="old-report")
        assert item.members_documents_text == "Capybaran savings"

        # Old addresses redirect to the new ones.
        client = Client()
        for lang in ("en", "fr", "km"):
            response = client.get(f"/en/news/documents/{names[lang]}")
            assert response.status_code == 301
            document = Document.objects.get(file=names[lang])
            assert response["Location"] == document.get_absolute_url()
        report = Item.objects.get(slug="new-report-womens-participation-in-local-politics")
        document = report.documents.get().document
        old_first_page = client.get(f"/en/news/documents/{document.thumbnail.name}")
        assert old_first_page.status_code == 301
        assert old_first_page["Location"] == document.thumbnail_url
        # The members-only rule carried over: visitors are asked to log in, members served.
        assert client.get(moved.get_absolute_url()).status_code == 302
        client.force_login(make_member())
        assert client.get(moved.get_absolute_url()).status_code == 200

        # The version saved before the move restores the item's three documents.
        import reversion.models

        from news.models import ItemDocument

        item.documents.all().delete()
        assert item.documents.count() == 0
        reversion.models.Revision.objects.get(comment="Old").revert(delete=True)
        restored = ItemDocument.objects.filter(news_item=item).order_by("order")
        assert [link.document.file.name for link in restored] == [
            names["en"],
            names["fr"],
            names["km"],
        ]
        item.refresh_from_db()
        assert item.members_documents_text == "Capybaran savings"
    finally:
        migrate(latest())
