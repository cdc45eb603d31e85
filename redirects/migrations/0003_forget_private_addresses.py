"""The 404 log no longer keeps private pages' addresses (review-link tokens, account keys,
members' document names, redirects.models.PRIVATE_PREFIXES): rows logged before are deleted, and
a private page given as where a reader came from is forgotten."""

from urllib.parse import urlsplit

from django.db import migrations

# As PRIVATE_PREFIXES was when this migration was written.
PRIVATE_PREFIXES = ("/review/", "/accounts/", "/news/documents/")


def forget(apps, schema_editor):
    MissingPage = apps.get_model("redirects", "MissingPage")
    for entry in MissingPage.objects.only("path", "neutral_path", "last_referrer").iterator():
        referrer_path = urlsplit(entry.last_referrer).path.lower()
        if entry.neutral_path.lower().startswith(PRIVATE_PREFIXES):
            MissingPage.objects.filter(pk=entry.pk).delete()
        elif any(prefix in referrer_path for prefix in PRIVATE_PREFIXES):
            MissingPage.objects.filter(pk=entry.pk).update(last_referrer="")


class Migration(migrations.Migration):
    dependencies = [("redirects", "0002_staff_manage_redirects")]

    operations = [migrations.RunPython(forget, migrations.RunPython.noop)]
