"""Editors and Publishers both build the library (upload, describe, tag, set focal points);
only Publishers change what live pages already show, delete, or see nothing less."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = [
    "add_image",
    "change_image",
    "view_image",
    "add_document",
    "change_document",
    "view_document",
    "add_tag",
    "change_tag",
    "view_tag",
    "view_downloadcount",
]
PUBLISHERS = [
    *EDITORS,
    "delete_image",
    "delete_document",
    "delete_tag",
    "change_live_image",
    "change_live_document",
]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("library")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Publishers", PUBLISHERS), ("Editors", EDITORS)):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="library", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="library")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Publishers", "Editors"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_live_permissions"),
        ("accounts", "0004_publishers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
