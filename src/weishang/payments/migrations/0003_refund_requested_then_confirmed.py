from django.db import migrations, models
from django.db.models import F


def existing_refunds_were_sent(apps, schema_editor):
    """Refunds made before this migration were sent inside their transaction: they succeeded,
    and their number was what the provider saw."""
    Refund = apps.get_model("payments", "Refund")
    Refund.objects.update(
        status="succeeded", idempotency_key=F("number"), confirmed_at=F("created_at")
    )


class Migration(migrations.Migration):
    dependencies = [("payments", "0002_payment_payer_account")]

    operations = [
        migrations.AlterModelOptions(name="payment", options={"ordering": ["created_at", "pk"]}),
        migrations.AlterModelOptions(name="refund", options={"ordering": ["created_at", "pk"]}),
        migrations.AddField(
            model_name="refund",
            name="status",
            field=models.CharField(
                choices=[
                    ("requested", "refund in progress"),
                    ("succeeded", "refunded"),
                    ("failed", "refund refused by the provider, to retry"),
                ],
                default="requested",
                max_length=16,
            ),
        ),
        migrations.AddField(
            model_name="refund",
            name="idempotency_key",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="refund",
            name="attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="refund",
            name="last_error",
            field=models.CharField(blank=True, max_length=300),
        ),
        migrations.AddField(
            model_name="refund",
            name="confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(existing_refunds_were_sent, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="refund",
            name="idempotency_key",
            field=models.CharField(
                help_text="Sent with every attempt, so the provider refunds once.",
                max_length=64,
                unique=True,
            ),
        ),
        migrations.AddIndex(
            model_name="refund",
            index=models.Index(
                fields=["status", "created_at"], name="payments_re_status_698972_idx"
            ),
        ),
    ]
