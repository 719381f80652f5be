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
    tier_window_days = models.PositiveSmallIntegerField(
        _("member tiers count the spend of the last (days)"), default=365
    )

    class Meta:
        verbose_name = _("points settings")
        verbose_name_plural = _("points settings")
        constraints = [
            models.CheckConstraint(condition=Q(fen_per_point__gte=1), name="a_point_is_worth_fen"),
            models.CheckConstraint(
                condition=Q(points_valid_days__gte=30), name="points_valid_a_month_at_least"
            ),
            models.CheckConstraint(
                condition=Q(tier_window_days__gte=30, tier_window_days__lte=1095),
                name="tier_window_a_month_to_three_years",
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


class MemberTier(models.Model):
    """A member tier (会员等级) the brand defines: a customer whose qualifying spend over the
    brand's rolling period reaches ``threshold_fen`` holds it, with its member discount and points
    multiplier. The lowest tier starts at zero, so every customer holds one."""

    name = models.CharField(_("tier name"), max_length=40, unique=True)
    threshold_fen = models.PositiveIntegerField(_("spend to reach it (fen)"), unique=True)
    discount_bp = models.PositiveIntegerField(_("member discount (basis points)"), default=0)
    multiplier_bp = models.PositiveIntegerField(
        _("points multiplier (basis points, 10000 = ×1)"), default=10000
    )

    class Meta:
        ordering = ["threshold_fen"]
        verbose_name = _("member tier")
        verbose_name_plural = _("member tiers")
        constraints = [
            models.CheckConstraint(
                condition=Q(discount_bp__lte=5000), name="member_discount_at_most_half"
            ),
            models.CheckConstraint(
                condition=Q(multiplier_bp__gte=10000, multiplier_bp__lte=100000),
                name="points_multiplier_1_to_10",
            ),
        ]

    def __str__(self):
        return self.name


class MemberStatus(models.Model):
    """The customer's current tier and the qualifying spend it was reviewed on; one row per
    customer, made on his first review."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.PROTECT, related_name="member_status"
    )
    tier = models.ForeignKey(MemberTier, on_delete=models.PROTECT, related_name="+")
    spend_fen = models.PositiveBigIntegerField(default=0)
    reviewed_at = models.DateTimeField()


class TierChange(models.Model):
    """One change of a customer's tier, with its reason; shown to him on his membership page."""

    class Reason(models.TextChoices):
        ORDER_COMPLETED = "order_completed", _("an order completed")
        REFUND = "refund", _("an order was refunded")
        REVIEW = "review", _("the spend was reviewed")

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tier_changes"
    )
    from_tier = models.ForeignKey(MemberTier, on_delete=models.PROTECT, related_name="+")
    to_tier = models.ForeignKey(MemberTier, on_delete=models.PROTECT, related_name="+")
    spend_fen = models.PositiveBigIntegerField()
    reason = models.CharField(max_length=24, choices=Reason)
    reference = models.CharField(max_length=40, blank=True, help_text="The order number, if any.")
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["customer", "at"])]


class OrderPoints(models.Model):
    """What a completed order earned, kept so a later refund takes back its points pro rata:
    ``revoked_points`` is what the refunds so far make due, ``taken_points`` what could be taken
    (never more than the customer could still spend)."""

    order = models.OneToOneField("orders.Order", on_delete=models.PROTECT, related_name="+")
    customer = models.ForeignKey("customers.Customer", on_delete=models.PROTECT, related_name="+")
    lot = models.OneToOneField(PointsLot, on_delete=models.PROTECT, related_name="+")
    base_fen = models.PositiveIntegerField(help_text="The paid goods the points were earned on.")
    points = models.PositiveIntegerField()
    revoked_base_fen = models.PositiveIntegerField(default=0)
    revoked_points = models.PositiveIntegerField(default=0)
    taken_points = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_base_fen__lte=F("base_fen")), name="revoke_within_base"
            ),
            models.CheckConstraint(
                condition=Q(taken_points__lte=F("revoked_points"))
                & Q(revoked_points__lte=F("points")),
                name="take_within_due_within_earned",
            ),
        ]


class PointsRevocation(models.Model):
    """One refund's taking back of an order's points, once per key."""

    key = models.CharField(max_length=80, unique=True)
    earning = models.ForeignKey(OrderPoints, on_delete=models.PROTECT, related_name="revocations")
    refunded_fen = models.PositiveIntegerField()
    due_points = models.PositiveIntegerField()
    taken_points = models.PositiveIntegerField()
    at = models.DateTimeField()


class RedPacketOffer(models.Model):
    """A cash-back red packet (红包返现) the brand offers: ``points_cost`` points buy ``amount_fen``
    credited to the customer's wallet."""

    name = models.CharField(_("name"), max_length=40)
    points_cost = models.PositiveIntegerField(_("points it costs"))
    amount_fen = models.PositiveIntegerField(_("cash-back credited (fen)"))
    active = models.BooleanField(_("offered"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["points_cost", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points_cost__gt=0, amount_fen__gt=0), name="red_packet_positive"
            ),
        ]

    def __str__(self):
        return self.name


class RedPacketRedemption(models.Model):
    """A red packet a customer bought with points; the request key makes a double click one."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="red_packets"
    )
    offer = models.ForeignKey(RedPacketOffer, on_delete=models.PROTECT, related_name="+")
    request_key = models.CharField(max_length=64)
    points = models.PositiveIntegerField()
    amount_fen = models.PositiveIntegerField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "request_key"], name="one_red_packet_per_request"
            ),
        ]
