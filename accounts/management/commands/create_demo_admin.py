"""Create the demo staff account with a fresh random password, printed once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from .createsuperuser import record_confirmed_email


class Command(BaseCommand):
    help = "Create a demo superuser with a random password (printed), unless it exists."

    def add_arguments(self, parser):
        parser.add_argument("--username", default="admin")
        parser.add_argument(
            "--reset-password", action="store_true", help="Give an existing account a new password."
        )

    def handle(self, *args, username, reset_password, **options):
        users = get_user_model().objects
        user = users.filter(username=username).first()
        if user is not None and not reset_password:
            self.stdout.write(
                f"Demo admin '{username}' already exists. For a new password run: "
                f"python manage.py create_demo_admin --reset-password"
            )
            return
        password = secrets.token_urlsafe(12)
        if user is None:
            users.create_superuser(
                username=username, email=f"{username}@example.org", password=password
            )
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        user = users.get(username=username)
        # Staff log in through allauth's page, by email address, which must be confirmed.
        record_confirmed_email(user)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo admin: username '{username}', log in with the email address "
                f"'{user.email}' and the password '{password}'"
            )
        )
