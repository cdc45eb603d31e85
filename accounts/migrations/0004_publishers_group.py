"""Roles: "Editors" write drafts; "Publishers" may also publish, schedule and unpublish."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT_APPS = ["news", "pages", "partners"]
PUBLISH = ["publish_newsitem", "publish_programpage"]


def create_publishers(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content = Permission.objects.filter(content_type__app_label__in=CONTENT_APPS)
    publishers, _created = Group.objects.get_or_create(name="Publishers")
    publishers.permissions.add(*content)
    # Editors keep every content permission except publishing.
    editors, _created = Group.objects.get_or_create(name="Editors")
    editors.permissions.remove(*content.filter(codename__in=PUBLISH))


def remove_publishers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="Publishers").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_user_profile_and_alerts"),
        ("news", "0004_publishing"),
        ("pages", "0002_publishing"),
    ]

    operations = [migrations.RunPython(create_publishers, remove_publishers)]
