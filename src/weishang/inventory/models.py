from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Stock(models.Model):
    """Stock of one SKU in the brand's central warehouse (no stock is ever held by distributors)."""

    sku = models.OneToOneField("catalog.Sku", on_delete=models.PROTECT, related_name="stock")
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)

    class Meta:
        verbose_name = _("stock")
        verbose_name_plural = _("stock")
        constraints = [
            models.CheckConstraint(condition=Q(on_hand__gte=0), name="stock_on_hand_non_negative"),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="stock_reserved_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__lte=F("on_hand")), name="stock_reserved_within_on_hand"
            ),
        ]

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved


class StockMovement(models.Model):
    """Append-only record of every change to a SKU's stock, for the warehouse's audit trail."""

    class Kind(models.TextChoices):
        RECEIVED = "received", pgettext_lazy("stock movement", "received")
        ADJUSTED = "adjusted", _("adjusted")
        RESERVED = "reserved", _("reserved")
        RELEASED = "released", _("released")
        SHIPPED = "shipped", pgettext_lazy("stock movement", "shipped")
        RETURNED = "returned", _("returned")

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=16, choices=Kind)
    quantity = models.IntegerField()
    reference = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["sku", "created_at"])]
