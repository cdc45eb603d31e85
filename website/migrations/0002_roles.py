"""Editors and Publishers both shape the menus and the home page; an editor's change is kept as a
draft that only a Publisher publishes (the `publish_menu` and `publish_homepage` permissions)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = [
    "change_menu",
    "view_menu",
    "add_menulink",
    "change_menulink",
    "delete_menulink",
    "view_menulink",
    "change_homepage",
    "view_homepage",
    "add_homeblock",
    "change_homeblock",
    "delete_homeblock",
    "view_homeblock",
]
PUBLISHERS = [*EDITORS, "publish_menu", "publish_homepage"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("website")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Publishers", PUBLISHERS), ("Editors", EDITORS)):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="website", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="website")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Publishers", "Editors"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0001_menus_and_home_blocks"),
        ("accounts", "0004_publishers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
