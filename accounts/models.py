from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _


def display_name(user):
    """How the header and emails name a person: their name, else their email address."""
    return user.get_full_name() or user.email or user.get_username()


def supported_language(code):
    """One of settings.LANGUAGES for a language code ("fr-ca" → "fr"), else the default."""
    try:
        return translation.get_supported_language_variant(code or "")
    except LookupError:
        return settings.LANGUAGE_CODE


class UserQuerySet(models.QuerySet):
    def with_confirmed_email(self):
        from allauth.account.models import EmailAddress

        return self.annotate(
            has_confirmed_email=Exists(
                EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
            )
        )

    def alert_recipients(self, flag):
        """Active people with a confirmed address who asked for this kind of alert."""
        return (
            self.with_confirmed_email()
            .filter(is_active=True, has_confirmed_email=True, **{flag: True})
            .order_by("pk")
        )


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """Our own user model from the first migration, as Django's docs advise. People sign up
    with an email address (django-allauth); the username is made for them."""

    organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        "partners.Municipality",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("partner municipality"),
        help_text=_("The partner municipality this person belongs to, if any."),
    )
    alerts_reports = models.BooleanField(
        _("email me new reports"), default=False, help_text=_("Sent when a report is published.")
    )
    alerts_press = models.BooleanField(
        _("email me new press features"),
        default=False,
        help_text=_("Sent when a press feature is published."),
    )
    language = models.CharField(
        _("Language for emails"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Alert emails are written in this language and link to its pages."),
    )

    objects = UserManager()

    @cached_property
    def is_member(self):
        """A member reads members-only content: an active account with a confirmed email
        address (staff count as members)."""
        if not self.is_active:
            return False
        if self.is_staff:
            return True
        return self.emailaddress_set.filter(verified=True).exists()
