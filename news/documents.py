"""The documents' text that news items keep for the site search, kept in step with their links
and their documents (connected in NewsConfig.ready()).

The generated search columns (news.models.search_vector) read only the item's row, so the text
of the library documents an item offers is copied into it: `documents_text` (documents anyone
may download) and `members_documents_text` (documents marked members only). It is refreshed
when a link row is saved or deleted (the admin's inline, a draft published, a restore from the
history), when a document is saved (a new file, a members-only flag changed), and when an item
is saved (NewsItem.save(), or restored by django-reversion, which saves rows raw)."""

from django.db.models.signals import post_delete, post_save

from .models import ItemDocument, NewsItem, refresh_documents_text


def link_changed(sender, instance, raw=False, **kwargs):
    refresh_documents_text([instance.news_item_id])


def document_saved(sender, instance, **kwargs):
    item_ids = ItemDocument.objects.filter(document=instance).values_list("news_item_id", flat=True)
    refresh_documents_text(list(item_ids))


def item_restored(sender, instance, raw=False, **kwargs):
    # A raw save (django-reversion's restore, loaddata) skips NewsItem.save().
    if raw:
        refresh_documents_text([instance.pk])


def connect():
    from library.models import Document

    post_save.connect(link_changed, sender=ItemDocument, dispatch_uid="news_documents_link_saved")
    post_delete.connect(
        link_changed, sender=ItemDocument, dispatch_uid="news_documents_link_deleted"
    )
    post_save.connect(document_saved, sender=Document, dispatch_uid="news_documents_saved")
    post_save.connect(item_restored, sender=NewsItem, dispatch_uid="news_documents_item_restored")
