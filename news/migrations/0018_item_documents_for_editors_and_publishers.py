"""Editors and Publishers edit all news content: the new list of an item's documents
(ItemDocument) too, as they did the PDF fields it replaces."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CODENAMES = ["add_itemdocument", "change_itemdocument", "delete_itemdocument", "view_itemdocument"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("news")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="news", codename__in=CODENAMES
    )
    for group in Group.objects.filter(name__in=["Editors", "Publishers"]):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(
        content_type__app_label="news", codename__in=CODENAMES
    )
    for group in apps.get_model("auth", "Group").objects.filter(
        name__in=["Editors", "Publishers"]
    ):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_publishers_group"),
        ("news", "0017_remove_old_document_fields"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
