"""Complaint photos move out of the public media root into the private one (same names), so no
URL under /media/ can reach them even if a path check were got round."""

import shutil
from pathlib import Path

from django.conf import settings
from django.db import migrations, models

import weishang.uploads


def _move(apps, source: Path, target: Path) -> None:
    photos = apps.get_model("compliance", "ComplaintPhoto")
    for name in photos.objects.exclude(image="").values_list("image", flat=True):
        old, new = source / name, target / name
        if old.is_file() and not new.exists():
            new.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(old, new)


def to_private(apps, schema_editor):
    _move(apps, Path(settings.MEDIA_ROOT), Path(settings.PRIVATE_MEDIA_ROOT))


def to_public(apps, schema_editor):
    _move(apps, Path(settings.PRIVATE_MEDIA_ROOT), Path(settings.MEDIA_ROOT))


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0004_retention_seal"),
    ]

    operations = [
        migrations.AlterField(
            model_name="complaintphoto",
            name="image",
            field=models.ImageField(
                storage=weishang.uploads.PrivateStorage(), upload_to="complaints/%Y/%m/"
            ),
        ),
        migrations.RunPython(to_private, to_public),
    ]
