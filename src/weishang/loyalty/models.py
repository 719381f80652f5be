from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class LoyaltySettings(models.Model):
    """The brand's points settings; one row (pk 1), the defaults apply until the brand saves it."""

    points_per_yuan = models.PositiveSmallIntegerField(
        _("points earned per yuan paid"),
        default=1,
        help_text=_("Before the member tier's multiplier; freight earns none."),
    )
    fen_per_point = models.PositiveSmallIntegerField(
        _("what one point is worth when redeemed (fen)"), default=1
    )
    points_valid_days = models.PositiveSmallIntegerField(
        _("points expire after (days)"), default=365
    )

    class Meta:
        verbose_name = _("points settings")
        verbose_name_plural = _("points settings")
        constraints = [
            models.CheckConstraint(condition=Q(fen_per_point__gte=1), name="a_point_is_worth_fen"),
            models.CheckConstraint(
                condition=Q(points_valid_days__gte=30), name="points_valid_a_month_at_least"
            ),
        ]

    @classmethod
    def current(cls) -> "LoyaltySettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class PointsLot(models.Model):
    """Points granted together, which expire together: spending takes the lots that expire first
    (FIFO), so the customer never loses points he could have spent. The customer's points balance
    in the ledger always equals the sum of his lots' ``remaining``."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="points_lots"
    )
    key = models.CharField(max_length=80, unique=True, help_text="The grant's idempotency key.")
    reason = models.CharField(_("reason"), max_length=200)
    points = models.PositiveIntegerField(pgettext_lazy("loyalty", "points"))
    remaining = models.PositiveIntegerField()
    expired = models.PositiveIntegerField(default=0)
    granted_at = models.DateTimeField(_("granted"))
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["expires_at", "pk"]
        indexes = [
            models.Index(
                fields=["customer", "expires_at"],
                condition=Q(remaining__gt=0),
                name="points_lot_spendable",
            ),
            models.Index(fields=["expires_at"], condition=Q(remaining__gt=0), name="lot_to_expire"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="points_lot_positive"),
            models.CheckConstraint(
                condition=Q(remaining__lte=F("points")), name="points_lot_remaining_within"
            ),
        ]


class PointsUse(models.Model):
    """How many points one spending took from one lot, so a refund puts them back where they came
    from, with that lot's expiry."""

    lot = models.ForeignKey(PointsLot, on_delete=models.PROTECT, related_name="uses")
    key = models.CharField(max_length=80, help_text="The spending's idempotency key.")
    points = models.PositiveIntegerField()
    returned = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["key", "lot"], name="one_use_per_lot_and_key"),
            models.CheckConstraint(condition=Q(points__gt=0), name="points_use_positive"),
            models.CheckConstraint(
                condition=Q(returned__lte=F("points")), name="points_returned_within_used"
            ),
        ]


class ProductRedemption(models.Model):
    """A product the customer may take for points (积分兑换), alone or with some cash: each unit
    costs ``points`` and ``cash_fen``; the points pay the rest of the unit's price. Ordered like any
    order (stock reserved, shipped, returnable); retired rather than deleted."""

    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    points = models.PositiveIntegerField(pgettext_lazy("loyalty", "points per unit"))
    cash_fen = models.PositiveIntegerField(_("cash per unit (fen)"), default=0)
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-active", "points", "pk"]
        verbose_name = _("points redemption")
        verbose_name_plural = _("points redemptions")
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="redemption_costs_points"),
        ]
