from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.db import models
from django.db.models import Exists, OuterRef
from django.utils import translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.time_zones import time_zone_choices


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
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        choices=time_zone_choices,
        help_text=_(
            "Staff enter and read dates and times in the admin in this zone. Readers always "
            "see the site's time zone."
        ),
    )

    # Staff invitations (accounts/invitations.py): who sent the last one and when (the link in
    # it expires MPED_INVITATION_DAYS later, and a new one replaces it), and when it was used.
    invited_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    invitation_sent_at = models.DateTimeField(_("invitation sent"), null=True, blank=True)
    invitation_accepted_at = models.DateTimeField(_("invitation accepted"), null=True, blank=True)

    objects = UserManager()

    # Set on the request's user (core/security.py StaffTwoFactorMiddleware) when staff must use
    # two-factor authentication and this session has not: every permission is withheld, so no
    # view grants staff powers on a password alone. Never saved; is_staff stays as it is.
    staff_powers_withheld = False

    def has_perm(self, perm, obj=None):
        # Django's own has_perm answers True for an active superuser before asking any backend.
        if self.staff_powers_withheld:
            return False
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if self.staff_powers_withheld:
            return False
        return super().has_module_perms(app_label)

    def get_all_permissions(self, obj=None):
        if self.staff_powers_withheld:
            return set()
        return super().get_all_permissions(obj)

    @property
    def is_member(self):
        """A member reads members-only content: an active account with a confirmed email
        address (staff count as members, unless their staff powers are withheld)."""
        if not self.is_active:
            return False
        if self.is_staff and not self.staff_powers_withheld:
            return True
        return self.has_confirmed_email

    @cached_property
    def has_confirmed_email(self):
        return self.emailaddress_set.filter(verified=True).exists()
