# The news item's image comes from the media library (issue 17): the new foreign key, under a
# temporary name while the old file field is still there (0013 fills it, 0014 renames it).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0003_roles'),
        ('news', '0011_slug_help_text_escaped'),
    ]

    operations = [
        migrations.AddField(
            model_name='newsitem',
            name='library_image',
            field=models.ForeignKey(blank=True, help_text='Choose an image from the library, or upload one there.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='%(app_label)s_%(class)s_uses', to='library.image', verbose_name='image'),
        ),
    ]
