# The documents a news item offers come from the media library (issue 17): its list of them
# (ItemDocument: a document, its role, its order), an article's copy as a library document, and
# the documents' text kept on the item for the site search. 0016 fills them from the old files,
# 0017 removes the old fields.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('library', '0003_roles'),
        ('news', '0014_remove_old_image_fields'),
    ]

    operations = [
        migrations.CreateModel(
            name='ItemDocument',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('role', models.CharField(choices=[('report', 'Report'), ('annex', 'Annex'), ('summary', 'Summary'), ('other', 'Other')], default='report', max_length=10, verbose_name='role')),
                ('order', models.PositiveIntegerField(default=0, verbose_name='order')),
                ('document', models.ForeignKey(help_text='Choose a document from the library, or upload one there.', on_delete=django.db.models.deletion.PROTECT, related_name='%(app_label)s_%(class)s_uses', to='library.document', verbose_name='document')),
                ('news_item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='documents', to='news.newsitem')),
            ],
            options={
                'verbose_name': 'document',
                'verbose_name_plural': 'documents',
                'ordering': ['order', 'id'],
            },
        ),
        migrations.AddField(
            model_name='article',
            name='document',
            field=models.ForeignKey(blank=True, help_text='Or a copy of the article, chosen from the library.', null=True, on_delete=django.db.models.deletion.PROTECT, related_name='%(app_label)s_%(class)s_uses', to='library.document', verbose_name='document'),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='documents_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='members_documents_text',
            field=models.TextField(blank=True, default='', editable=False),
        ),
    ]
