# Issue 17: a program page's header image and the site's default sharing image, chosen from the
# media library.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0003_roles'),
        ('pages', '0007_publishers_change_site_settings'),
    ]

    operations = [
        migrations.AddField(
            model_name='programpage',
            name='image',
            field=models.ForeignKey(blank=True, help_text='Shown at the top of the page and when the page is shared.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='%(app_label)s_%(class)s_uses', to='library.image', verbose_name='header image'),
        ),
        migrations.AddField(
            model_name='sitesettings',
            name='share_image',
            field=models.ForeignKey(blank=True, help_text='Shown when a page that has no image of its own is shared (a 1200×630 crop).', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='%(app_label)s_%(class)s_uses', to='library.image', verbose_name='default sharing image'),
        ),
    ]
