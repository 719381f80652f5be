from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .events import Event


class Message(models.Model):
    """One thing a customer is told: in his inbox from the transaction of the act that caused
    it; its other channels are sent after that commits. ``key`` makes telling idempotent."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="messages"
    )
    event = models.CharField(max_length=32, choices=Event.choices)
    params = models.JSONField(default=dict)
    key = models.CharField(max_length=120, unique=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # When its deliveries on other channels were made (None: not yet, the sender will).
    dispatched_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["customer", "-id"], name="message_inbox"),
            models.Index(
                fields=["created_at"],
                name="message_undispatched",
                condition=models.Q(dispatched_at__isnull=True),
            ),
        ]


class Delivery(models.Model):
    """A message sent on one channel besides the inbox (SMS, a WeChat subscribe message)."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("delivery status", "to send")
        SENT = "sent", pgettext_lazy("delivery status", "sent")
        FAILED = "failed", pgettext_lazy("delivery status", "given up")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=16)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    last_error = models.CharField(max_length=300, blank=True)
    reference = models.CharField(_("provider reference"), max_length=100, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once"),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="delivery_due",
                condition=models.Q(status="pending"),
            )
        ]
