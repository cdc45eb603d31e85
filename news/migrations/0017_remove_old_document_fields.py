# The items' own PDF fields go (the files stay: the library documents point at them). The
# search columns that read them are made again from the documents' text (generated columns
# cannot be altered: removed and added, with their indexes).

import core.postgres
import django.contrib.postgres.search
import django.db.models.functions.text
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0016_move_documents_to_library'),
    ]

    operations = [
        migrations.RemoveIndex(model_name='newsitem', name='news_search_public'),
        migrations.RemoveIndex(model_name='newsitem', name='news_search_members'),
        migrations.RemoveIndex(model_name='newsitem', name='news_search_members_fr'),
        migrations.RemoveField(model_name='newsitem', name='search_public'),
        migrations.RemoveField(model_name='newsitem', name='search_members'),
        migrations.RemoveField(model_name='newsitem', name='search_members_fr'),
        migrations.RemoveField(
            model_name='article',
            name='file',
        ),
        migrations.RemoveField(
            model_name='article',
            name='file_pages',
        ),
        migrations.RemoveField(
            model_name='article',
            name='file_size',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_fr',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_fr_pages',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_fr_size',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_km',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_km_pages',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_km_size',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_members_only',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_pages',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_size',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_text',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_thumbnail',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_thumbnail_height',
        ),
        migrations.RemoveField(
            model_name='newsitem',
            name='pdf_thumbnail_width',
        ),
        migrations.AddField(
            model_name='newsitem',
            name='search_public',
            field=models.GeneratedField(db_persist=True, expression=core.postgres.PostgresOnly(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title_en', config='english', weight='A'), '||', django.contrib.postgres.search.SearchVector('summary_en', config='english', weight='B'), django.contrib.postgres.search.SearchConfig('english')), '||', django.contrib.postgres.search.SearchVector(models.Case(models.When(is_members_only=True, then=models.Value('')), default=models.F('body_en'), output_field=models.TextField()), config='english', weight='C'), django.contrib.postgres.search.SearchConfig('english')), '||', django.contrib.postgres.search.SearchVector(models.Case(models.When(is_members_only=True, then=models.Value('')), default=models.F('documents_text'), output_field=models.TextField()), config='english', weight='D'), django.contrib.postgres.search.SearchConfig('english'))), output_field=django.contrib.postgres.search.SearchVectorField(), serialize=False),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='search_members',
            field=models.GeneratedField(db_persist=True, expression=core.postgres.PostgresOnly(models.Case(models.When(models.Q(('is_members_only', True), models.Q(('members_documents_text', ''), _negated=True), _connector='OR'), then=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title_en', config='english', weight='A'), '||', django.contrib.postgres.search.SearchVector('summary_en', config='english', weight='B'), django.contrib.postgres.search.SearchConfig('english')), '||', django.contrib.postgres.search.SearchVector(models.F('body_en'), config='english', weight='C'), django.contrib.postgres.search.SearchConfig('english')), '||', django.contrib.postgres.search.SearchVector(django.db.models.functions.text.Concat(models.F('documents_text'), models.Value(' '), models.F('members_documents_text'), output_field=models.TextField()), config='english', weight='D'), django.contrib.postgres.search.SearchConfig('english'))), default=None, output_field=django.contrib.postgres.search.SearchVectorField())), output_field=django.contrib.postgres.search.SearchVectorField(), serialize=False),
        ),
        migrations.AddField(
            model_name='newsitem',
            name='search_members_fr',
            field=models.GeneratedField(db_persist=True, expression=core.postgres.PostgresOnly(models.Case(models.When(models.Q(('is_members_only', True), models.Q(('members_documents_text', ''), _negated=True), _connector='OR'), then=django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.CombinedSearchVector(django.contrib.postgres.search.SearchVector('title_fr', config='french', weight='A'), '||', django.contrib.postgres.search.SearchVector('summary_fr', config='french', weight='B'), django.contrib.postgres.search.SearchConfig('french')), '||', django.contrib.postgres.search.SearchVector(models.F('body_fr'), config='french', weight='C'), django.contrib.postgres.search.SearchConfig('french'))), default=None, output_field=django.contrib.postgres.search.SearchVectorField())), output_field=django.contrib.postgres.search.SearchVectorField(), serialize=False),
        ),
        migrations.AddIndex(
            model_name='newsitem',
            index=core.postgres.PostgresGinIndex(fields=['search_public'], name='news_search_public'),
        ),
        migrations.AddIndex(
            model_name='newsitem',
            index=core.postgres.PostgresGinIndex(fields=['search_members'], name='news_search_members'),
        ),
        migrations.AddIndex(
            model_name='newsitem',
            index=core.postgres.PostgresGinIndex(fields=['search_members_fr'], name='news_search_members_fr'),
        ),
    ]
