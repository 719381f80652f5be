"""The staff API key model now belongs to compliance (compliance 0006 takes over the table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0002_staff_api_keys"),
        ("compliance", "0006_staff_api_keys"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="StaffApiKey")],
            database_operations=[],
        ),
    ]
