"""Django's createsuperuser, for a site where staff log in by a confirmed email address.

An account made on the server by its operator is trusted: its email address is recorded as
confirmed (ACCOUNT_EMAIL_VERIFICATION is "mandatory", and a fresh install may not be able to
send the confirmation email yet), so the new superuser can log in to the admin at once."""

import os

from allauth.account.models import EmailAddress
from allauth.account.utils import filter_users_by_email
from django.conf import settings
from django.contrib.auth.management.commands import createsuperuser
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models.signals import post_save
from django.urls import reverse
from django.utils.translation import gettext as _


def record_confirmed_email(user):
    """Record the user's email address as confirmed and primary, as allauth would after the
    confirmation link: for accounts made by the site's operator on the server."""
    EmailAddress.objects.db_manager(user._state.db).update_or_create(
        user=user, email=user.email, defaults={"verified": True, "primary": True}
    )


class Command(createsuperuser.Command):
    help = (
        "Create a superuser who logs in with a confirmed email address "
        "(--noinput reads DJANGO_SUPERUSER_USERNAME, _EMAIL and _PASSWORD)."
    )

    def email_error(self, email):
        if not email:
            return _("Staff log in with their email address: give one.")
        if filter_users_by_email(email):
            return _("That email address belongs to another account.")
        return None

    def get_input_data(self, field, message, default=None):
        value = super().get_input_data(field, message, default)
        if field.name == "email" and value is not None:
            value = value.strip().lower()
            if error := self.email_error(value):
                self.stderr.write(_("Error: %(error)s") % {"error": error})
                return None
        return value

    def handle(self, *args, **options):
        email = options.get("email")
        if email is None and not options["interactive"]:
            email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "")
        if email is not None:
            email = email.strip().lower()
            if error := self.email_error(email):
                raise CommandError(error)
            # Django's command takes the option before the environment variable.
            options["email"] = email

        # Django's command does not return the user it made: note it as it is saved.
        created = []

        def remember(sender, instance, **kwargs):
            if kwargs["created"]:
                created.append(instance)

        post_save.connect(remember, sender=self.UserModel, weak=False)
        try:
            with transaction.atomic(using=options["database"]):
                super().handle(*args, **options)
                for user in created:
                    record_confirmed_email(user)
        finally:
            post_save.disconnect(remember, sender=self.UserModel)
        if options["verbosity"] >= 1:
            for user in created:
                self.report(user)

    def report(self, user):
        self.stdout.write(
            _(
                "The email address %(email)s is recorded as confirmed. Log in to the staff admin "
                "(%(admin)s) with it and the password."
            )
            % {"email": user.email, "admin": reverse("admin:index")}
        )
        if not user.has_usable_password():
            self.stdout.write(
                _("The account has no password yet: set one with `manage.py changepassword %s`.")
                % user.get_username()
            )
        if settings.MPED_STAFF_REQUIRE_2FA:
            self.stdout.write(
                _(
                    "At the first login you set up an authenticator app: the staff admin "
                    "requires two-factor authentication."
                )
            )
