"""Renaming a live item leaves a redirect from its old address.

Model signals rather than the admin, so that every way of saving (the admin, a CSV import, the
shell, restoring an old version) keeps old links working. Bulk `update()` sends no signal and
makes no redirect."""

from django.apps import apps
from django.db.models.signals import post_save, pre_save

from .models import FOLLOWED_MODELS, clear_redirects_from, record_move
from .paths import canonical, neutral


def public_path(obj):
    """The item's address without a language: "/news/<slug>/"."""
    return neutral(canonical(obj.get_absolute_url()))


def is_public(obj):
    # News items and program pages have publishing times (core/publishing.py); municipalities
    # only a tick box.
    return obj.is_live if hasattr(obj, "is_live") else obj.is_published


def remember_address(sender, instance, raw=False, **kwargs):
    instance._stored_address = None
    if raw or instance._state.adding or instance.pk is None:
        return
    fields = ["slug", "is_published"] + [
        name for name in ("published_at", "unpublish_at") if hasattr(instance, name)
    ]
    stored = sender._base_manager.filter(pk=instance.pk).only(*fields).first()
    if stored is not None:
        instance._stored_address = (public_path(stored), is_public(stored))


def follow_move(sender, instance, raw=False, **kwargs):
    stored = instance.__dict__.pop("_stored_address", None)
    if raw or not is_public(instance):
        return
    path = public_path(instance)
    if stored == (path, True):
        return
    old_path, was_public = stored or (None, False)
    if was_public and old_path != path:
        record_move(old_path, path, note=f"{sender._meta.verbose_name}: {instance}")
    else:
        clear_redirects_from(path)


def connect_signals():
    for label in FOLLOWED_MODELS.values():
        model = apps.get_model(label)
        pre_save.connect(remember_address, sender=model, dispatch_uid=f"redirects-pre-{label}")
        post_save.connect(follow_move, sender=model, dispatch_uid=f"redirects-post-{label}")
