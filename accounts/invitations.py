"""Staff invitations: an administrator names a new staff member and their role; they get an
email with a link to set their own password, which also confirms their address. Nobody types a
password for someone else.

- `invite(user, role, by)`: the account (staff, no usable password, the role's group, its
  address unconfirmed), and the email queued once the transaction commits.
- `resend(user, by)`: a new email whose link replaces the last one's.
- `send_invitation`: the task (`manage.py db_worker`) that builds and sends the email in the
  person's language.
- `InvitationView`: /<lang>/accounts/invitation/<uidb64>/<token>/, the set-password page.

The link is signed over the account, its address and when the invitation was sent (Django's
password-reset token, with our own salt), works for MPED_INVITATION_DAYS from then, and only
while the account has no password and has not accepted: once used, it is refused.
"""

import datetime

from allauth.account.models import EmailAddress
from allauth.account.utils import perform_login
from allauth.core import ratelimit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMultiAlternatives
from django.db import models, transaction
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare
from django.utils.decorators import method_decorator
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_decode, urlsafe_base64_encode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_tasks import task

from core.mail import site_name
from core.time_zones import with_time_zone

from .models import display_name, supported_language


class Role(models.TextChoices):
    EDITOR = "editor", gettext_lazy("Editor")
    PUBLISHER = "publisher", gettext_lazy("Publisher")
    ADMINISTRATOR = "administrator", gettext_lazy("Administrator")


# The group each role joins (made by accounts' migrations); administrators are superusers.
ROLE_GROUPS = {Role.EDITOR: "Editors", Role.PUBLISHER: "Publishers"}

ROLE_DESCRIPTIONS = {
    Role.EDITOR: gettext_lazy(
        "Editors write and change news items, program pages, partners, menus, the home page "
        "and the media library. What they change stays a draft until a publisher publishes it; "
        "they can submit it for review."
    ),
    Role.PUBLISHER: gettext_lazy(
        "Publishers do everything editors do, and also publish, schedule and unpublish, and "
        "review what editors submit."
    ),
    Role.ADMINISTRATOR: gettext_lazy(
        "Administrators can do everything on the site, including inviting staff and managing "
        "their accounts."
    ),
}


def roles_for(inviter):
    """The roles `inviter` may give: only a superuser makes another administrator."""
    roles = [Role.EDITOR, Role.PUBLISHER]
    if inviter.is_superuser:
        roles.append(Role.ADMINISTRATOR)
    return [(role.value, role.label) for role in roles]


def role_of(user):
    if user.is_superuser:
        return Role.ADMINISTRATOR
    names = {group.name for group in user.groups.all()}
    if ROLE_GROUPS[Role.PUBLISHER] in names:
        return Role.PUBLISHER
    if ROLE_GROUPS[Role.EDITOR] in names:
        return Role.EDITOR
    return None


# Where an invitation stands --------------------------------------------------------------------


class Status(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    ACCEPTED = "accepted", gettext_lazy("Accepted")
    EXPIRED = "expired", gettext_lazy("Expired")


def lifetime():
    return datetime.timedelta(days=settings.MPED_INVITATION_DAYS)


def expires_at(user):
    if user.invitation_sent_at is None:
        return None
    return user.invitation_sent_at + lifetime()


def status(user, now=None):
    """PENDING, ACCEPTED or EXPIRED for an invited account, None for one never invited."""
    if user.invitation_accepted_at is not None:
        return Status.ACCEPTED
    if user.invitation_sent_at is None:
        return None
    if expires_at(user) <= (now or timezone.now()):
        return Status.EXPIRED
    return Status.PENDING


def status_filter(value, now=None):
    """The User queryset filter for a Status (the admin list's filter)."""
    now = now or timezone.now()
    if value == Status.ACCEPTED:
        return models.Q(invitation_accepted_at__isnull=False)
    waiting = models.Q(invitation_accepted_at__isnull=True, invitation_sent_at__isnull=False)
    if value == Status.EXPIRED:
        return waiting & models.Q(invitation_sent_at__lte=now - lifetime())
    return waiting & models.Q(invitation_sent_at__gt=now - lifetime())


# The link ---------------------------------------------------------------------------------------


class Check(models.TextChoices):
    VALID = "valid"
    BAD = "bad"
    USED = "used"
    EXPIRED = "expired"


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """Django's password-reset token with its own salt, signed over the account, its address
    and when this invitation was sent: a newer invitation, or a changed address, makes it
    invalid. Whether it was used (a password set) and whether it has expired are read from
    the account, so the page can say which."""

    key_salt = "mped.accounts.invitations.InvitationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        sent = user.invitation_sent_at
        sent = "" if sent is None else sent.timestamp()
        return f"{user.pk}|{user.email}|{sent}|{timestamp}"

    def check(self, user, token, now=None):
        if user is None or not user.is_active or user.invitation_sent_at is None or not token:
            return Check.BAD
        try:
            timestamp = base36_to_int(token.split("-")[0])
        except ValueError:
            return Check.BAD
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, timestamp, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        ):
            return Check.BAD
        if user.invitation_accepted_at is not None or user.has_usable_password():
            return Check.USED
        if expires_at(user) <= (now or timezone.now()):
            return Check.EXPIRED
        return Check.VALID


tokens = InvitationTokenGenerator()


def uid(user):
    return urlsafe_base64_encode(force_bytes(user.pk))


def user_from_uid(uidb64):
    try:
        pk = int(urlsafe_base64_decode(uidb64).decode())
    except (ValueError, TypeError, UnicodeDecodeError, OverflowError):
        return None
    return get_user_model().objects.filter(pk=pk).first()


def invitation_url(user):
    """The set-password link, in the person's language, on the site's public address."""
    with translation.override(supported_language(user.language)):
        path = reverse("accounts:invitation", args=[uid(user), tokens.make_token(user)])
    return settings.MPED_SITE_URL + path


# Inviting ---------------------------------------------------------------------------------------


def invite(user, role, by):
    """Save the unsaved `user` (names, email, language filled in) as an invited staff member
    with `role`, and queue the email. Call inside a transaction."""
    from allauth.account.adapter import get_adapter

    user.email = user.email.strip().lower()
    get_adapter().populate_username(None, user)
    user.is_staff = True
    user.is_superuser = role == Role.ADMINISTRATOR
    user.set_unusable_password()
    user.invited_by = by
    user.invitation_sent_at = timezone.now()
    user.invitation_accepted_at = None
    user.save()
    if role in ROLE_GROUPS:
        user.groups.set([Group.objects.get(name=ROLE_GROUPS[role])])
    EmailAddress.objects.create(user=user, email=user.email, verified=False, primary=True)
    queue(user)
    return user


def resend(user, by):
    """Send a new invitation to someone who has not accepted one; the last link stops
    working. False when there is nothing to resend."""
    if status(user) not in {Status.PENDING, Status.EXPIRED} or user.has_usable_password():
        return False
    user.invited_by = by
    user.invitation_sent_at = timezone.now()
    user.save(update_fields=["invited_by", "invitation_sent_at"])
    queue(user)
    return True


def queue(user):
    transaction.on_commit(lambda: send_invitation.enqueue(user.pk))


def invitation_email(user):
    language = supported_language(user.language)
    with translation.override(language):
        role = role_of(user)
        context = {
            "user": user,
            "name": display_name(user),
            "inviter": display_name(user.invited_by) if user.invited_by else "",
            "role": role.label if role else "",
            "role_description": ROLE_DESCRIPTIONS.get(role, ""),
            "url": invitation_url(user),
            "expires": with_time_zone(expires_at(user)),
            "days": settings.MPED_INVITATION_DAYS,
            "site_url": settings.MPED_SITE_URL,
            "site_name": site_name(),
            "language": language,
        }
        subject = render_to_string("accounts/email/invitation_subject.txt", context)
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=render_to_string("accounts/email/invitation_message.txt", context),
            to=[user.email],
        )
        message.attach_alternative(
            render_to_string("accounts/email/invitation_message.html", context), "text/html"
        )
        return message


@task()
def send_invitation(user_id):
    """Email the invitation: built here, at sending time, so its link is the current one."""
    user = (
        get_user_model()
        .objects.select_related("invited_by")
        .prefetch_related("groups")
        .filter(pk=user_id)
        .first()
    )
    if user is None or status(user) != Status.PENDING or user.has_usable_password():
        return {"sent": 0, "skipped": "not waiting for an invitation"}
    invitation_email(user).send()
    return {"sent": 1}


# The set-password page --------------------------------------------------------------------------


class InvitationPasswordForm(SetPasswordForm):
    """Django's "new password, twice" with the site's password validators."""

    def __init__(self, user, *args, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.fields["new_password1"].label = _("Choose a password")
        self.fields["new_password2"].label = _("The same password again")


@method_decorator([never_cache, sensitive_post_parameters()], name="dispatch")
class InvitationView(View):
    template_name = "accounts/invitation.html"

    def dispatch(self, request, uidb64, token):
        self.invited = user_from_uid(uidb64)
        self.check = tokens.check(self.invited, token)
        if self.check != Check.VALID:
            return self.refused()
        return super().dispatch(request, uidb64, token)

    def refused(self):
        status_code = 404 if self.check == Check.BAD else 400
        user = self.invited if self.check != Check.BAD else None
        context = {
            "check": self.check.value,
            "inviter": display_name(user.invited_by) if user and user.invited_by else "",
            "days": settings.MPED_INVITATION_DAYS,
        }
        return render(self.request, "accounts/invitation_refused.html", context, status=status_code)

    def page(self, form, status_code=200):
        role = role_of(self.invited)
        context = {
            "form": form,
            "invited": self.invited,
            "role": role.label if role else "",
            "role_description": ROLE_DESCRIPTIONS.get(role, ""),
            "expires": with_time_zone(expires_at(self.invited)),
        }
        return render(self.request, self.template_name, context, status=status_code)

    def get(self, request, uidb64, token):
        return self.page(InvitationPasswordForm(self.invited))

    def post(self, request, uidb64, token):
        # As many tries per address as allauth allows on its own set-password-from-a-link page.
        if limited := ratelimit.consume_or_429(request, action="reset_password_from_key"):
            return limited
        form = InvitationPasswordForm(self.invited, request.POST)
        if not form.is_valid():
            return self.page(form, status_code=400)
        with transaction.atomic():
            user = get_user_model().objects.select_for_update().get(pk=self.invited.pk)
            if tokens.check(user, token) != Check.VALID:
                # Used in another tab a moment ago.
                self.check, self.invited = Check.USED, user
                return self.refused()
            form.user = user
            user = form.save(commit=False)
            user.invitation_accepted_at = timezone.now()
            user.save(update_fields=["password", "invitation_accepted_at"])
            # The link came to this address: it is confirmed, and the one they log in with.
            EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(
                primary=False
            )
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
        messages.success(
            request, _("Welcome! Your password is set and your email address is confirmed.")
        )
        # allauth's login (its signals, and the two-factor set-up the staff admin may then
        # require: core/security.py), straight on to the staff admin.
        return perform_login(request, user, redirect_url=reverse("admin:index"))
