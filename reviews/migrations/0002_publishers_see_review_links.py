"""Publishers (who make review links) see the list of all links and their uses."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

VIEW = ["view_reviewlink", "view_reviewlinkuse"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("reviews")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    publishers, _created = Group.objects.get_or_create(name="Publishers")
    publishers.permissions.add(
        *Permission.objects.filter(content_type__app_label="reviews", codename__in=VIEW)
    )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="Publishers"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="reviews", codename__in=VIEW)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0001_review_links"),
        ("accounts", "0004_publishers_group"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
