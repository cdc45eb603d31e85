"""Review links: a signed, expiring, revocable address that shows a draft or scheduled item to
someone without an account (a partner checking a report before it goes out)."""

import datetime
import secrets

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext_lazy as _

from news.models import SEARCH_VECTORS, NewsItem
from pages.models import ProgramPage

DEFAULT_DAYS = 7
MAX_DAYS = 90
# The signature binds the link's id to its random key: a guessed id, another link's key or any
# changed character fails the check before the database is asked about the link.
SALT = "reviews.ReviewLink"


def new_key():
    return secrets.token_urlsafe(24)


def signer():
    return signing.Signer(salt=SALT, sep=".")


class LinkStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class ReviewLinkQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_item(self, item):
        return self.filter(**{ReviewLink.field_for(item): item})


class ReviewLink(models.Model):
    """One address for one news item or program page. Deleting the item deletes its links."""

    news_item = models.ForeignKey(
        NewsItem,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_links",
        verbose_name=_("news item"),
    )
    program_page = models.ForeignKey(
        ProgramPage,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="review_links",
        verbose_name=_("program page"),
    )
    key = models.CharField(max_length=64, default=new_key, editable=False)
    note = models.CharField(
        _("for whom"),
        max_length=200,
        blank=True,
        help_text=_(
            "Who the link is for, for example: Chilliwack council staff. Only staff see it."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )

    objects = ReviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review link")
        verbose_name_plural = _("review links")
        constraints = [
            models.CheckConstraint(
                condition=Q(news_item__isnull=False, program_page__isnull=True)
                | Q(news_item__isnull=True, program_page__isnull=False),
                name="review_link_for_one_item",
            )
        ]

    def __str__(self):
        return str(self.item)

    def get_absolute_url(self):
        return reverse("reviews:review", args=[self.token])

    @staticmethod
    def field_for(item):
        return "news_item" if isinstance(item, NewsItem) else "program_page"

    @classmethod
    def make(cls, item, *, days=DEFAULT_DAYS, note="", user=None):
        now = timezone.now()
        return cls.objects.create(
            **{cls.field_for(item): item},
            note=note,
            created_by=user,
            created_at=now,
            expires_at=now + datetime.timedelta(days=days),
        )

    @property
    def item(self):
        return self.news_item if self.news_item_id else self.program_page

    @property
    def status(self):
        if self.revoked_at:
            return LinkStatus.REVOKED
        if self.expires_at <= timezone.now():
            return LinkStatus.EXPIRED
        return LinkStatus.ACTIVE

    @property
    def is_active(self):
        return self.status == LinkStatus.ACTIVE

    @property
    def token(self):
        return signer().sign(f"{self.pk}.{self.key}")

    @classmethod
    def from_token(cls, token):
        """The link a token was made for. BadSignature for a token we did not sign (or one
        changed since); cls.DoesNotExist for a link that was deleted (with its item)."""
        value = signer().unsign(token)
        pk, _sep, key = value.partition(".")
        if not pk.isdigit():
            raise signing.BadSignature("Not a review link.")
        link = (
            cls.objects.select_related("news_item", "program_page")
            .defer(*(f"news_item__{name}" for name in SEARCH_VECTORS))
            .get(pk=int(pk))
        )
        if not constant_time_compare(link.key, key):
            raise signing.BadSignature("The key does not match.")
        return link

    def revoke(self, user):
        if self.revoked_at is None:
            self.revoked_at = timezone.now()
            self.revoked_by = user
            self.save(update_fields=["revoked_at", "revoked_by"])


class ReviewLinkUse(models.Model):
    """One opening of a review link: the page, or one of the item's documents. No IP address
    or browser details: when and what is enough to know the partner has looked."""

    link = models.ForeignKey(
        ReviewLink, on_delete=models.CASCADE, related_name="uses", verbose_name=_("review link")
    )
    used_at = models.DateTimeField(_("opened"), default=timezone.now, db_index=True)
    document = models.CharField(
        _("document"),
        max_length=255,
        blank=True,
        help_text=_("The file downloaded; empty when the page itself was opened."),
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        ordering = ["-used_at", "-id"]
        verbose_name = _("use of a review link")
        verbose_name_plural = _("uses of review links")

    def __str__(self):
        return f"{self.link} · {self.used_at:%Y-%m-%d %H:%M}"
