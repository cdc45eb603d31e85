"""Whole-page cache for anonymous readers, invalidated whenever content changes.

A public page is stored under its address together with the *content version* it was rendered
from, and served only while that version is current. The content version is a random token kept
in the cache: any save or delete of a model whose rows public pages show deletes it, so the next
request starts a new version and every page is rendered afresh — a staff edit is visible at once.
Each content app registers those models in its AppConfig.ready() (register_content_models): the
core imports no app. Scheduled changes need no save: the version also carries the time of the
next scheduled publication or expiry among the models registered as `scheduled`, and is
replaced when that time comes.

Only requests that cannot belong to anyone are served from the cache: GET requests without a
session or messages cookie. Logged-in users, members and staff (and their previews) always get
a page rendered for them. Only views marked with `cache_public_page` are stored, and only plain
200 responses that set no cookie.

With more than one server process the cache must be shared (Redis, `REDIS_URL`): a local-memory
cache is per process, so other processes would not see a new content version.
"""

import contextlib
import hashlib
import logging
import math
import re
import time
import uuid
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import models, transaction
from django.db.models import Min, Q
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils import timezone, translation
from django.utils.functional import cached_property

logger = logging.getLogger(__name__)

CONTENT_KEY = "mped:content-version"
PAGE_PREFIX = "mped:page"
# What is kept per content version (kept_per_version): a new version is a new key, and the old
# ones leave the cache after a day.
KEPT_PREFIX = "mped:kept"
KEPT_SECONDS = 24 * 60 * 60
_MISSING = object()
SAFE_KEY = re.compile(r"[A-Za-z0-9_.:/-]{0,100}")
# The models whose changes drop cached pages, as the content apps registered them; and only
# those: a row about a page (an alert email sent, a review link opened, a 404 logged, a task
# queued) changes no page.
CONTENT_MODELS = set()
# Those of them whose rows go public and leave by themselves, at their publication and unpublish
# times (core.publishing.Publishable's published_at and unpublish_at).
SCHEDULED_MODELS = []
# Other things that change pages at a set time with no save (editorial's scheduled drafts of live
# items): callables that return their next such time (a datetime) or None.
SCHEDULED_TIMES = []


def cache_public_page(view):
    """Mark a view whose page is the same for every anonymous reader."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    wrapped.cache_public_page = True
    return wrapped


def next_scheduled_change():
    """The earliest future publication or expiry time of any scheduled content, as a
    timestamp."""
    now = timezone.now()
    times = []
    for model in SCHEDULED_MODELS:
        times += (
            model._default_manager.filter(is_published=True)
            .aggregate(
                goes_live=Min("published_at", filter=Q(published_at__gt=now)),
                expires=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
            )
            .values()
        )
    times += [source() for source in SCHEDULED_TIMES]
    times = [at for at in times if at is not None]
    return min(times).timestamp() if times else None


def content_version(state=None):
    """The current content version: (token, time until which it holds or None).

    `state` is what the cache held under CONTENT_KEY, when the caller already fetched it."""
    if state is None:
        state = cache.get(CONTENT_KEY)
    if state is None or (state[1] is not None and time.time() >= state[1]):
        state = (uuid.uuid4().hex, next_scheduled_change())
        cache.set(CONTENT_KEY, state, None)
    return state


def current_content_token(request=None):
    """The current content version's token if there is one, else None: this does not start a
    version (that costs the queries for the next scheduled change), the page cache's middleware
    does, at the first anonymous request after a change. With the page cache off (development)
    there is none, and what is kept per version is worked out each time. With a `request` the
    token is read once for it, however many things ask."""
    if request is not None and hasattr(request, "_mped_content_token"):
        return request._mped_content_token
    token = None
    if settings.MPED_PAGE_CACHE_SECONDS:
        # An unreachable cache must not take the site down: nothing is kept then.
        with contextlib.suppress(Exception):
            state = cache.get(CONTENT_KEY)
            if state is not None and (state[1] is None or time.time() < state[1]):
                token = state[0]
    if request is not None:
        request._mped_content_token = token
    return token


def kept_per_version(compute, *parts, language=False, request=None, seconds=KEPT_SECONDS):
    """compute()'s value, worked out once per content version and key `parts` (and the active
    language with `language`) and kept in the cache: what is the same for every reader until
    content changes (a save, a deletion, a scheduled time: see content_version). Without a
    content version (the page cache off, or none started yet) or a reachable cache, it is
    computed each time. None is not kept: it is worked out again (a missing row, say, which
    a junk address must not fill the cache with). `seconds`: how long it is kept at most."""
    token = current_content_token(request)
    if token is None:
        return compute()
    if language:
        parts = (*parts, translation.get_language())
    text = ":".join(str(part) for part in parts)
    if not SAFE_KEY.fullmatch(text):  # long, or not what every cache takes in a key
        text = hashlib.sha256(text.encode()).hexdigest()
    key = f"{KEPT_PREFIX}:{token}:{text}"
    value = _MISSING
    with contextlib.suppress(Exception):
        value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = compute()
        if value is not None:
            with contextlib.suppress(Exception):
                cache.set(key, value, seconds)
    return value


def invalidate(**kwargs):
    """Start a new content version: every cached page is out of date."""
    try:
        cache.delete(CONTENT_KEY)
    except Exception:
        # The edit itself is saved; with the cache unreachable no page is served from it
        # either (see the middleware), and a cache that comes back empty has no old pages.
        logger.exception("The page cache could not be invalidated")


def content_changed(sender=None, **kwargs):
    # Now, so that this process sees the change even inside the transaction; and again on
    # commit, because a request may have rendered the old content in between.
    invalidate()
    transaction.on_commit(invalidate)


class ContentQuerySet(models.QuerySet):
    """The querysets of content models: bulk changes, which send no signals, invalidate too."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        content_changed()
        return rows

    update.alters_data = True

    def bulk_create(self, *args, **kwargs):
        objs = super().bulk_create(*args, **kwargs)
        content_changed()
        return objs

    bulk_create.alters_data = True

    def bulk_update(self, *args, **kwargs):
        rows = super().bulk_update(*args, **kwargs)
        content_changed()
        return rows

    bulk_update.alters_data = True


def register_content_models(*models, scheduled=False):
    """Public pages show rows of `models`: saving or deleting one, or changing one of their
    many-to-many relations, drops every cached page. Their querysets should be ContentQuerySets
    (bulk changes send no signal). With `scheduled`, the models are Publishable: a row also
    goes public or leaves at its publication or unpublish time, with no save, and cached pages
    last no longer than the next such time. Called from a content app's AppConfig.ready()."""
    for model in models:
        CONTENT_MODELS.add(model)
        if scheduled and model not in SCHEDULED_MODELS:
            SCHEDULED_MODELS.append(model)
        label = model._meta.label
        for signal in (post_save, post_delete):
            signal.connect(content_changed, sender=model, dispatch_uid=f"mped-cache-{label}")
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            m2m_changed.connect(
                content_changed, sender=through, dispatch_uid=f"mped-cache-{through._meta.label}"
            )


def register_scheduled_times(source):
    """`source()` gives the next time (a datetime, or None) at which something changes public
    pages by itself: cached pages last no longer than it. Called from an AppConfig.ready()."""
    if source not in SCHEDULED_TIMES:
        SCHEDULED_TIMES.append(source)


def connect_signals():
    # A deployment runs `migrate`: pages rendered by the previous code are dropped.
    post_migrate.connect(invalidate, dispatch_uid="mped-cache-migrate")


def is_anonymous_request(request):
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
    )


def page_key(request):
    address = f"{request.get_host()}{request.get_full_path()}"
    return f"{PAGE_PREFIX}:{hashlib.sha256(address.encode()).hexdigest()}"


class PublicPageCacheMiddleware:
    """Serves and stores the pages of `cache_public_page` views for anonymous readers."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        seconds = settings.MPED_PAGE_CACHE_SECONDS
        if not seconds or not is_anonymous_request(request):
            return self.get_response(request)
        # One round trip to the cache: the content version and the page stored at this address,
        # which is served if it was stored under the current version.
        key = page_key(request)
        try:
            found = cache.get_many([CONTENT_KEY, key])
            token, until = content_version(found.get(CONTENT_KEY))
        except Exception:
            # An unreachable cache must not take the site down: the page is rendered.
            logger.warning("The page cache is unreachable", exc_info=True)
            return self.get_response(request)
        stored_token, response = found.get(key, (None, None))
        if stored_token == token:
            response["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        if self.can_store(request, response):
            if until is not None:
                # The page goes with its content version when `until` comes, whatever this says.
                seconds = min(seconds, math.ceil(until - time.time()))
            if seconds > 0:
                try:
                    cache.set(key, (token, response), seconds)
                except Exception:
                    logger.warning("The page cache is unreachable", exc_info=True)
            response["X-Cache"] = "miss"
        return response

    @staticmethod
    def can_store(request, response):
        match = getattr(request, "resolver_match", None)
        return (
            match is not None
            and getattr(match.func, "cache_public_page", False)
            and response.status_code == 200
            and not response.streaming
            and not response.cookies
            and "private" not in response.get("Cache-Control", "")
            and "no-store" not in response.get("Cache-Control", "")
        )


class _ReusingRedisCacheClient(RedisCacheClient):
    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client

    @cached_property
    def _clients(self):
        return {}


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, keeping one redis-py client per connection pool.

    Django builds a new `redis.Redis` for every command, and building one (redis-py 8 fills a
    table of ~170 response callbacks) took longer than the command itself: half the time of a
    cached page. A client is safe to share; its pool hands out the connections.
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _ReusingRedisCacheClient
