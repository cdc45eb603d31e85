"""Only Publishers change the site settings, which every page shows; Editors see them."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

PUBLISH = ["publish_sitesettings"]


def allow_publishers(apps, schema_editor):
    # Permissions are normally made after all migrations run; make them now.
    app_config = apps.get_app_config("pages")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    publish = Permission.objects.filter(content_type__app_label="pages", codename__in=PUBLISH)
    publishers, _created = Group.objects.get_or_create(name="Publishers")
    publishers.permissions.add(*publish)
    # On a fresh database the Editors' migration may have given them every permission of
    # the pages app, this one included.
    for editors in Group.objects.filter(name="Editors"):
        editors.permissions.remove(*publish)


def disallow_publishers(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Permission.objects.filter(content_type__app_label="pages", codename__in=PUBLISH).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("pages", "0006_publishing_roles"),
        ("accounts", "0004_publishers_group"),
    ]

    operations = [migrations.RunPython(allow_publishers, disallow_publishers)]
