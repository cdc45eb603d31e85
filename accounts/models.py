from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """Our own user model from the first migration, as Django's docs advise, so accounts can
    grow (profiles, organisations) without a painful swap later."""
