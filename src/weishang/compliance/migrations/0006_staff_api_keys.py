"""The staff API key model moves here from the api app, so that the console (below the API) can
manage keys; its table stays ``api_staffapikey`` and nothing in the database changes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0005_private_complaint_photos"),
        ("api", "0002_staff_api_keys"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StaffApiKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("name", models.CharField(max_length=60, verbose_name="name")),
                        (
                            "role",
                            models.CharField(
                                choices=[
                                    ("owner", "owner"),
                                    ("operator", "operator"),
                                    ("finance", "finance"),
                                    ("customer_service", "customer service"),
                                    ("auditor", "auditor"),
                                ],
                                max_length=20,
                                verbose_name="role",
                            ),
                        ),
                        ("prefix", models.CharField(max_length=12, unique=True)),
                        ("key_hash", models.CharField(max_length=64)),
                        ("created_at", models.DateTimeField()),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "api_staffapikey",
                        "verbose_name": "staff API key",
                        "verbose_name_plural": "staff API keys",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
