"""Redirects from old addresses, and the log of addresses that found nothing (404).

Not django.contrib.redirects: it needs django.contrib.sites (a Site row per domain, SITE_ID) and
matches the full path as typed, so each language would need its own row; ours are one row per
old address, language-neutral, and also record who made them and how often they are used."""

import re
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.urls import Resolver404, resolve
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .paths import (
    candidates,
    canonical,
    in_language,
    is_admin_path,
    is_site_path,
    language_codes,
    neutral,
    split_language,
)

MAX_PATH = 500
MAX_TARGET = 1000
# Longer chains than this are not followed (chains are collapsed, so real ones have one hop).
MAX_HOPS = 20
# The 404 log is trimmed to MPED_NOT_FOUND_LOG_ROWS at every this many new rows.
PRUNE_EVERY = 50
# The models whose page is /<section>/<slug>/, by the name of that page's URL: renaming a live
# one leaves a redirect (redirects/apps.py), and a redirect from a live one is refused.
FOLLOWED_MODELS = {
    "news:detail": "news.NewsItem",
    "pages:detail": "pages.ProgramPage",
    "partners:detail": "partners.Municipality",
}

PATH_ERROR = _(
    "Write a path beginning with /, such as /news/old-title/, without https:// and the site's name."
)
TARGET_ERROR = _(
    "Write a path on this site beginning with /, or a full address beginning with https:// "
    "or http://."
)
SPACE_ERROR = _("An address cannot contain spaces, line breaks or backslashes.")
# Addresses of private pages, without their language: never written to the 404 log (which Editors
# read), since the address itself may be a secret: a review link's token, a password-reset or
# email-confirmation key, an unsubscribe token, a members-only document's name. The staff admin
# is never logged either (is_admin_path).
PRIVATE_PREFIXES = ("/review/", "/accounts/", "/news/documents/")


def is_private_path(path):
    """Whether `path` (canonical), in any language, is under PRIVATE_PREFIXES. Doubled slashes
    and letter case do not hide one."""
    rest = neutral(re.sub(r"/{2,}", "/", path.lower()))
    return rest.startswith(PRIVATE_PREFIXES)


def _has_space(value):
    return any(char.isspace() or char == "\\" for char in value) or not value.isprintable()


def is_live_page(path):
    """Whether `path` (canonical) shows a page now, so that a redirect from it would never be
    used: a live item of FOLLOWED_MODELS, or a fixed page such as /en/news/."""
    language, rest = split_language(path)
    language = language or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            match = resolve(f"/{language}{rest}" if rest == path else path)
    except Resolver404:
        return False
    if match.view_name in FOLLOWED_MODELS:
        model = apps.get_model(FOLLOWED_MODELS[match.view_name])
        return model.objects.published().filter(slug=match.kwargs.get("slug")).exists()
    # A page without parts taken from the address always exists; one with them (a document,
    # a review link, a feed's kind) may not, and is left alone.
    return not match.kwargs


def find_redirect(path, redirects):
    """Of `redirects`, the one that answers a request for `path`."""
    by_path = {redirect.old_path: redirect for redirect in redirects}
    for candidate in candidates(path):
        if candidate in by_path:
            return by_path[candidate]
    return None


class Redirect(models.Model):
    old_path = models.CharField(
        pgettext_lazy("redirect", "from"),
        max_length=MAX_PATH,
        unique=True,
        help_text=_(
            "The old address: a path beginning with /, without the site's name, such as "
            "/news/old-title/ or an old site's /mped/led.html. Without a language "
            "(/news/old-title/) it works in every language; with one (/fr/news/old-title/) "
            "only in that language."
        ),
    )
    new_path = models.CharField(
        pgettext_lazy("redirect", "to"),
        max_length=MAX_TARGET,
        help_text=_(
            "Where readers go: a path on this site, such as /program/led-framework/ (without "
            "a language, readers stay in theirs), or a full address beginning with https://. "
            "The query string of the old address (after ?) is passed on."
        ),
    )
    is_permanent = models.BooleanField(
        _("permanent"),
        default=True,
        help_text=_(
            "Permanent (301): browsers and search engines replace the old address for good. "
            "Untick for a temporary move (302)."
        ),
    )
    note = models.CharField(
        _("note"), max_length=250, blank=True, help_text=_("Why it is there, for other staff.")
    )
    is_automatic = models.BooleanField(_("made automatically"), default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    hits = models.PositiveIntegerField(_("uses"), default=0, editable=False)
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["old_path"]
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def save(self, *args, **kwargs):
        with transaction.atomic():
            super().save(*args, **kwargs)
            self.retarget_chains()

    # Validation: what staff type in the admin (full_clean); automatic redirects are made
    # from addresses the site itself built.

    def clean(self):
        super().clean()
        errors = {}
        old_error = self._old_path_error()
        if old_error:
            errors["old_path"] = old_error
        new_error = self._new_path_error()
        if new_error:
            errors["new_path"] = new_error
        if errors:
            raise ValidationError(errors)
        loop = self.loop()
        if loop:
            raise ValidationError(
                {"new_path": _("This would make a loop: %(chain)s.") % {"chain": loop}}
            )
        if is_live_page(self.old_path):
            raise ValidationError(
                {
                    "old_path": _(
                        "%(path)s is a live page, so a redirect from it would never be used: "
                        "redirects only answer addresses where nothing is found. Unpublish or "
                        "rename the page first."
                    )
                    % {"path": self.old_path}
                }
            )
        # A target that redirects itself is replaced by where its chain ends: one hop.
        final = self.final_target()
        if final != self.new_path:
            self.collapsed_from = self.new_path
            self.new_path = final

    def _old_path_error(self):
        value = (self.old_path or "").strip()
        if _has_space(value):
            return SPACE_ERROR
        if not value.startswith("/") or value.startswith("//"):
            return PATH_ERROR
        if "?" in value or "#" in value:
            return _(
                "Leave out the query string (from the ? on) and the # part: redirects match "
                "the path alone and pass the query string on."
            )
        value = canonical(value)
        if len(value) > MAX_PATH:
            return _("This address is too long: at most %(max)d characters.") % {"max": MAX_PATH}
        if is_admin_path(value):
            return _("Addresses of the staff admin cannot be redirected.")
        self.old_path = value
        return None

    def _new_path_error(self):
        value = (self.new_path or "").strip()
        if _has_space(value):
            return SPACE_ERROR
        if value.startswith("/") and not value.startswith("//"):
            path, mark, rest = value.partition("?")
            if not rest:
                path, mark, rest = value.partition("#")
            value = canonical(path) + mark + rest
        else:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                return TARGET_ERROR
        if len(value) > MAX_TARGET:
            return _("This address is too long: at most %(max)d characters.") % {"max": MAX_TARGET}
        self.new_path = value
        return None

    def _others(self, paths):
        return Redirect.objects.filter(old_path__in=paths).exclude(pk=self.pk)

    def loop(self):
        """The loop this redirect would close, written "/a/ → /b/ → /a/", or None. Followed as
        the middleware would, from the old address in each language it stands for."""
        language, _rest = split_language(self.old_path)
        starts = [self.old_path] if language else [f"/{c}{self.old_path}" for c in language_codes()]
        for start in starts:
            chain, path = [start], start
            # Whether a redirect of one language only is on the way.
            in_one_language = language is not None
            for _hop in range(MAX_HOPS):
                found = candidates(path)
                redirect = find_redirect(path, [*self._others(found), self])
                if redirect is None:
                    break
                in_one_language |= split_language(redirect.old_path)[0] is not None
                target = in_language(redirect.new_path, split_language(path)[0])
                if not is_site_path(target):
                    break
                path = canonical(target.partition("?")[0].partition("#")[0])
                chain.append(path)
                if path in chain[:-1]:
                    if not in_one_language:
                        # A loop in every language: shown without the one it was followed in.
                        prefix = f"/{split_language(start)[0]}/"
                        chain = [neutral(hop) if hop.startswith(prefix) else hop for hop in chain]
                    return " → ".join(chain)
        return None

    def final_target(self):
        """Where the target leads once the redirects from it are followed."""
        target = self.new_path
        for _hop in range(MAX_HOPS):
            if not is_site_path(target) or "?" in target or "#" in target:
                return target
            redirect = find_redirect(target, self._others(candidates(target)))
            if redirect is None:
                return target
            target = in_language(redirect.new_path, split_language(target)[0])
        return target

    def retarget_chains(self):
        """Redirects that led to this one's old address now lead straight to its target."""
        old_language, _rest = split_language(self.old_path)
        if old_language:
            pointing = [self.old_path]
        else:
            pointing = [self.old_path] + [f"/{c}{self.old_path}" for c in language_codes()]
        for redirect in Redirect.objects.filter(new_path__in=pointing).exclude(pk=self.pk):
            redirect.new_path = in_language(self.new_path, split_language(redirect.new_path)[0])
            if neutral(redirect.new_path) == neutral(redirect.old_path):
                redirect.delete()
            else:
                Redirect.objects.filter(pk=redirect.pk).update(new_path=redirect.new_path)

    def used(self):
        Redirect.objects.filter(pk=self.pk).update(hits=F("hits") + 1, last_used=timezone.now())


def record_move(old_path, new_path, note=""):
    """A live item moved from `old_path` to `new_path` (language-neutral paths)."""
    with transaction.atomic():
        clear_redirects_from(new_path)
        redirect = Redirect.objects.filter(old_path=old_path).first() or Redirect(old_path=old_path)
        redirect.new_path = new_path
        redirect.is_permanent = True
        redirect.is_automatic = True
        redirect.note = note[:250]
        redirect.save()


def clear_redirects_from(path):
    """A live item is at `path` (language-neutral): redirects from there would never be used,
    and would make a loop if they led back to the item's old address."""
    Redirect.objects.filter(
        old_path__in=[path] + [f"/{code}{path}" for code in language_codes()]
    ).delete()


class MissingPage(models.Model):
    """An address that found nothing, with how often it was asked for."""

    path = models.CharField(_("address"), max_length=MAX_PATH, unique=True)
    # The path without its language: a redirect from either answers it.
    neutral_path = models.CharField(max_length=MAX_PATH, db_index=True, editable=False)
    hits = models.PositiveIntegerField(_("requests"), default=1)
    first_seen = models.DateTimeField(_("first requested"), default=timezone.now)
    last_seen = models.DateTimeField(_("last requested"), default=timezone.now)
    last_referrer = models.CharField(
        _("last linked from"),
        max_length=MAX_PATH,
        blank=True,
        help_text=_("The page the last reader came from, without its query string."),
    )

    class Meta:
        ordering = ["-hits", "-last_seen"]
        indexes = [models.Index(fields=["-hits", "-last_seen"], name="redirects_missing_by_hits")]
        verbose_name = _("missing address")
        verbose_name_plural = _("missing addresses (404 log)")

    def __str__(self):
        return self.path

    @classmethod
    def record(cls, path, referrer=""):
        """Count a request for `path` (canonical, no query string) that found nothing;
        nothing for a private page's address, nor a private page as the referrer."""
        if is_private_path(path):
            return
        if is_private_path(urlsplit(referrer).path):
            referrer = ""
        path = path[:MAX_PATH]
        referrer = referrer[:MAX_PATH]
        now = timezone.now()
        changes = {"hits": F("hits") + 1, "last_seen": now}
        if referrer:
            changes["last_referrer"] = referrer
        if cls.objects.filter(path=path).update(**changes):
            return
        try:
            with transaction.atomic():
                entry = cls.objects.create(
                    path=path,
                    neutral_path=neutral(path),
                    first_seen=now,
                    last_seen=now,
                    last_referrer=referrer,
                )
        except IntegrityError:
            return  # another request added it just now: one hit fewer is no harm
        # Bots ask for endless made-up addresses: now and then, keep only the most asked for.
        if entry.pk % PRUNE_EVERY == 0:
            cls.prune()

    @classmethod
    def prune(cls):
        keep = settings.MPED_NOT_FOUND_LOG_ROWS
        by_hits = cls.objects.order_by("-hits", "-last_seen").values_list("pk", flat=True)
        extra = list(by_hits[keep:])
        if extra:
            cls.objects.filter(pk__in=extra).delete()
