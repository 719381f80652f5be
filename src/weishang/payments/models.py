from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Payment(models.Model):
    """One attempt to collect an order's total through a provider."""

    class Status(models.TextChoices):
        CREATED = "created", pgettext_lazy("payment status", "awaiting payment")
        SUCCEEDED = "succeeded", pgettext_lazy("payment status", "paid")
        # Paid at the provider when another payment had already paid the order: refunded in full.
        DUPLICATE = "duplicate", pgettext_lazy("payment status", "paid twice: refunded")

    number = models.CharField(
        max_length=32, unique=True, help_text="Our trade number sent to the provider."
    )
    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="payments")
    provider = models.CharField(max_length=16)
    amount_fen = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status, default=Status.CREATED)
    provider_txn_id = models.CharField(max_length=64, null=True, blank=True)
    payer_account = models.CharField(
        max_length=64,
        blank=True,
        help_text="The provider's id of the paying account (e.g. openid).",
    )
    created_at = models.DateTimeField()
    paid_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # The provider's transaction id is the idempotency key of its notifications.
            models.UniqueConstraint(
                fields=["provider", "provider_txn_id"], name="one_payment_per_provider_txn"
            ),
            # Never paid twice: at most one successful payment per order.
            models.UniqueConstraint(
                fields=["order"], condition=Q(status="succeeded"), name="one_success_per_order"
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="payment_amount_positive"),
        ]


class Refund(models.Model):
    """Money going back: requested in the transaction that decides it, sent to the provider by a
    task after that commits, confirmed in a second transaction."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("refund in progress")
        SUCCEEDED = "succeeded", pgettext_lazy("refund status", "refunded")
        FAILED = "failed", _("refund refused by the provider, to retry")

    number = models.CharField(max_length=32, unique=True)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount_fen = models.PositiveIntegerField()
    reason = models.CharField(max_length=200, blank=True)
    return_number = models.CharField(max_length=24, blank=True)
    provider_refund_id = models.CharField(max_length=64, null=True, blank=True)
    status = models.CharField(max_length=16, choices=Status, default=Status.REQUESTED)
    idempotency_key = models.CharField(
        max_length=64,
        unique=True,
        help_text="Sent with every attempt, so the provider refunds once.",
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["status", "created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "provider_refund_id"], name="one_refund_per_provider_id"
            ),
            # A return is refunded once, however often the button is pressed.
            models.UniqueConstraint(
                fields=["return_number"],
                condition=~Q(return_number=""),
                name="one_refund_per_return",
            ),
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="refund_amount_positive"),
        ]
