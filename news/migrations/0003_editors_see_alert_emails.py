"""Editors may see the alert emails (what was sent, what the mail server refused)."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def allow_editors(apps, schema_editor):
    app_config = apps.get_app_config("news")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors = Group.objects.filter(name="Editors").first()
    if editors is not None:
        editors.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="news", codename="view_alertdelivery"
            )
        )


class Migration(migrations.Migration):
    dependencies = [
        ("news", "0002_members_only_and_alerts"),
        ("accounts", "0002_editors_group"),
    ]

    operations = [migrations.RunPython(allow_editors, migrations.RunPython.noop)]
