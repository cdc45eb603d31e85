"""Publishers (who publish and rename live pages) manage redirects and clear the 404 log;
Editors may look at both."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PUBLISHERS = [
    "add_redirect",
    "change_redirect",
    "delete_redirect",
    "view_redirect",
    "view_missingpage",
    "delete_missingpage",
]
EDITORS = ["view_redirect", "view_missingpage"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("redirects")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in (("Publishers", PUBLISHERS), ("Editors", EDITORS)):
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="redirects", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="redirects")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Publishers", "Editors"]):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("redirects", "0001_redirects_and_404_log"),
        ("accounts", "0004_publishers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
