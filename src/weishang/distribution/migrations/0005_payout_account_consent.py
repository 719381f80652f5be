import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("distribution", "0004_payoutaccount"),
    ]

    operations = [
        migrations.AddField(
            model_name="payoutaccount",
            name="consented_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text=(
                    "When he agreed, apart from anything else, that the brand keeps this account "
                    "to pay him: a financial account is sensitive personal information (PIPL "
                    "Art. 28, 29)."
                ),
                verbose_name="separate consent given",
            ),
            preserve_default=False,
        ),
    ]
