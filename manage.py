#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import sys

from mped.settings import use_default_settings


def main():
    """Run administrative tasks, with the settings named by DJANGO_SETTINGS_MODULE, else
    mped.settings.production (mped.settings.dev with DJANGO_DEBUG=1)."""
    use_default_settings()
    try:
        from django.core.management import execute_from_command_line
    except ImportError as exc:
        raise ImportError(
            "Couldn't import Django. Are you sure it's installed and "
            "available on your PYTHONPATH environment variable? Did you "
            "forget to activate a virtual environment?"
        ) from exc
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
