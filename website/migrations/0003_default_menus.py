"""The header and footer menus with today's links: the header has Home, The latest, each
published program page in its order and Partners; the footer The latest, The program and
Partners (website/menus.py, shared with the demo content and a database without the rows)."""

from django.db import migrations


def create(apps, schema_editor):
    from website.menus import make_default_menus

    make_default_menus(
        apps.get_model("website", "Menu"),
        apps.get_model("website", "MenuLink"),
        apps.get_model("pages", "ProgramPage"),
    )


def remove(apps, schema_editor):
    apps.get_model("website", "Menu")._base_manager.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("website", "0002_roles"),
        ("pages", "0008_images"),
    ]

    operations = [migrations.RunPython(create, remove)]
