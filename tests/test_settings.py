"""Which settings module a command uses (mped/settings/__init__.py): the one DJANGO_SETTINGS_MODULE
names; else, for manage.py, mped/wsgi.py and mped/asgi.py, production, or development with
DJANGO_DEBUG=1 (as before the settings were split)."""

import os
import subprocess
import sys

from .helpers import ROOT

SCRIPT = "from django.conf import settings as s; print(s.SETTINGS_MODULE, s.DEBUG)"


def settings_module(**variables):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SECRET_KEY": "test-only-secret-key-for-a-subprocess",
        "DATABASE_URL": "sqlite:///:memory:",
        **variables,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "--no-imports", "-v", "0", "-c", SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split("\n")[0]


def test_manage_py_uses_production_settings_unless_told_otherwise():
    assert settings_module() == "mped.settings.production False"
    assert settings_module(DJANGO_DEBUG="0") == "mped.settings.production False"
    assert settings_module(DJANGO_DEBUG="1") == "mped.settings.dev True"
    named = settings_module(DJANGO_DEBUG="1", DJANGO_SETTINGS_MODULE="mped.settings.production")
    assert named == "mped.settings.production False"


def test_the_suite_runs_on_the_test_settings():
    # pytest-django reads pyproject.toml's DJANGO_SETTINGS_MODULE, unless the environment has one.
    assert os.environ["DJANGO_SETTINGS_MODULE"] == "mped.settings.test"
