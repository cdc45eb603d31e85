# The item's own image fields go (the file stays: the library image points at it); the library
# image's foreign key takes the name `image`.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('news', '0013_move_images_to_library'),
    ]

    operations = [
        migrations.RemoveField(model_name='newsitem', name='image'),
        migrations.RemoveField(model_name='newsitem', name='image_width'),
        migrations.RemoveField(model_name='newsitem', name='image_height'),
        migrations.RemoveField(model_name='newsitem', name='image_alt'),
        migrations.RemoveField(model_name='newsitem', name='image_alt_en'),
        migrations.RemoveField(model_name='newsitem', name='image_alt_fr'),
        migrations.RemoveField(model_name='newsitem', name='image_alt_km'),
        migrations.RenameField(model_name='newsitem', old_name='library_image', new_name='image'),
    ]
