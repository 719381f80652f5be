"""One distributor per ID number: a keyed hash of the (encrypted) number, unique among
distributors whose account is not closed. Existing distributors get their hash; where two already
share a number, the earliest approved keeps it and the later ones are listed for the brand to
review (they are not frozen here: that is a decision for a person, with a reason)."""

import sys

from django.db import migrations, models

from weishang.crypto import keyed_hash

CLOSED = "[closed]"


def backfill(apps, schema_editor):
    Distributor = apps.get_model("distribution", "Distributor")
    seen: dict[str, int] = {}
    for distributor in Distributor.objects.order_by("approved_at", "pk"):
        if distributor.id_number in ("", CLOSED):
            continue
        digest = keyed_hash("id_number", distributor.id_number)
        if digest in seen:
            sys.stdout.write(
                f"\n  Distributor {distributor.pk} ({distributor.slug}) has the ID number of "
                f"distributor {seen[digest]}: review and freeze one of them.\n"
            )
            continue
        seen[digest] = distributor.pk
        distributor.id_number_hash = digest
        distributor.save(update_fields=["id_number_hash"])


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="distributor",
            name="id_number_hash",
            field=models.CharField(blank=True, editable=False, max_length=64, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="distributor",
            constraint=models.UniqueConstraint(
                condition=models.Q(("id_number_hash__isnull", False)),
                fields=("id_number_hash",),
                name="one_distributor_per_id_number",
            ),
        ),
    ]
