"""Records retention (E-commerce Law Art. 31): the seal over each ledger account's transfers."""

from django.db import models


class RetentionSeal(models.Model):
    """The end of one ledger account's hash chain: sha256 over its transfers in id order.

    ``weishang retention --seal`` extends it over new transfers; ``--check`` recomputes it, so an
    edited or deleted transfer shows. The account is kept as a plain id, not a foreign key, so
    that the seal outlives whatever happens to the account row.
    """

    account_id = models.BigIntegerField(unique=True)
    last_transfer_id = models.BigIntegerField(
        help_text="The newest transfer the chain covers; transfers are chained in id order."
    )
    transfer_count = models.PositiveBigIntegerField(default=0)
    chain_hash = models.CharField(max_length=64)
    sealed_at = models.DateTimeField()

    class Meta:
        app_label = "compliance"
        ordering = ["account_id"]
