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


class CouponKind(models.TextChoices):
    AMOUNT_OFF = "amount_off", _("amount off")
    PERCENT_OFF = "percent_off", _("percent off")


class CouponScope(models.TextChoices):
    ALL = "all", _("every product")
    PRODUCTS = "products", _("chosen products")
    CATEGORIES = "categories", _("chosen categories")


class CouponSource(models.TextChoices):
    BY_HAND = "by_hand", _("issued by the brand")
    SEGMENT = "segment", _("issued to a customer segment")
    NEW_MEMBER = "new_member", _("welcome gift for a new member")
    TIER_UPGRADE = "tier_upgrade", _("gift for a tier upgrade")
    BIRTHDAY = "birthday", _("birthday gift")
    CLAIMED = "claimed", _("claimed in the coupon centre")
    REFERRAL = "referral", _("share reward")


class SegmentKind(models.TextChoices):
    """Who a segment's coupons go to; "bought" means paid for an order."""

    ALL = "all", _("every customer")
    BOUGHT_WITHIN = "bought_within", _("bought in the last N days")
    NOT_BOUGHT_WITHIN = "not_bought_within", _("has not bought for N days (never-buyers too)")
    BOUGHT_PRODUCT = "bought_product", _("ever bought a chosen product")
    BOUGHT_CATEGORY = "bought_category", _("ever bought from a chosen category")


class CouponTemplate(models.Model):
    """What a coupon gives, where, for how long and to how many: the brand's design, from which
    coupons are issued. Issued coupons freeze their own validity; the rest is read from here."""

    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=16, choices=CouponKind)
    amount_off_fen = models.PositiveIntegerField(_("amount off"), default=0)
    percent_off_bp = models.PositiveIntegerField(
        _("percent off"), default=0, help_text="Basis points: 1000 = 10 % off."
    )
    cap_fen = models.PositiveIntegerField(_("most taken off"), null=True, blank=True)
    threshold_fen = models.PositiveIntegerField(_("spend threshold"), default=0)
    scope = models.CharField(_("applies to"), max_length=16, choices=CouponScope)
    products = models.ManyToManyField(
        "catalog.Product", blank=True, related_name="+", verbose_name=_("products")
    )
    categories = models.ManyToManyField(
        "catalog.Category", blank=True, related_name="+", verbose_name=_("categories")
    )
    valid_from = models.DateTimeField(_("valid from"), null=True, blank=True)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    valid_days = models.PositiveSmallIntegerField(_("valid for (days from issue)"), null=True)
    per_customer_limit = models.PositiveSmallIntegerField(_("per customer"), default=1)
    quota = models.PositiveIntegerField(_("total quota"), null=True, blank=True)
    stackable = models.BooleanField(_("stacks with other coupons"), default=False)
    claimable = models.BooleanField(_("customers claim it in the coupon centre"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-is_active", "-pk"]
        verbose_name = _("coupon template")
        verbose_name_plural = _("coupon templates")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(kind="amount_off", amount_off_fen__gt=0, percent_off_bp=0)
                    | Q(
                        kind="percent_off",
                        amount_off_fen=0,
                        percent_off_bp__gt=0,
                        percent_off_bp__lte=10000,
                    )
                ),
                name="coupon_gives_one_thing",
            ),
            models.CheckConstraint(
                condition=(
                    Q(
                        valid_from__isnull=False,
                        valid_until__gt=F("valid_from"),
                        valid_days__isnull=True,
                    )
                    | Q(valid_from__isnull=True, valid_until__isnull=True, valid_days__gt=0)
                ),
                name="coupon_window_or_days",
            ),
            models.CheckConstraint(
                condition=Q(per_customer_limit__gt=0), name="coupon_per_customer_positive"
            ),
            models.CheckConstraint(
                condition=Q(quota__isnull=True) | Q(quota__gt=0), name="coupon_quota_positive"
            ),
        ]

    def __str__(self):
        return self.name


class Coupon(models.Model):
    """One coupon issued to one customer, once per key. It is usable from ``valid_from`` until
    ``valid_until`` (frozen at issue) unless an order used it; past its window it is expired."""

    class Status(models.TextChoices):
        AVAILABLE = "available", pgettext_lazy("coupon status", "available")
        USED = "used", pgettext_lazy("coupon status", "used")
        EXPIRED = "expired", pgettext_lazy("coupon status", "expired")

    template = models.ForeignKey(
        CouponTemplate,
        on_delete=models.PROTECT,
        related_name="coupons",
        verbose_name=_("coupon template"),
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        related_name="coupons",
        verbose_name=_("customer"),
    )
    key = models.CharField(max_length=80, unique=True, help_text="The issue's idempotency key.")
    source = models.CharField(_("how it was issued"), max_length=16, choices=CouponSource)
    issued_at = models.DateTimeField(pgettext_lazy("coupon", "issued"))
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"))
    used_at = models.DateTimeField(pgettext_lazy("coupon", "used"), null=True, blank=True)
    order_number = models.CharField(_("order number"), max_length=24, blank=True, default="")

    class Meta:
        ordering = ["valid_until", "pk"]
        verbose_name = _("coupon")
        verbose_name_plural = _("coupons")
        indexes = [
            models.Index(fields=["customer", "valid_until"], name="coupon_of_customer"),
            models.Index(fields=["template", "customer"], name="coupon_of_template"),
            models.Index(fields=["order_number"], name="coupon_of_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gt=F("valid_from")), name="coupon_window_not_empty"
            ),
            models.CheckConstraint(
                condition=(Q(used_at__isnull=True, order_number=""))
                | (Q(used_at__isnull=False) & ~Q(order_number="")),
                name="coupon_used_by_an_order",
            ),
        ]

    def status_at(self, now) -> str:
        if self.used_at is not None:
            return self.Status.USED
        if self.valid_until <= now:
            return self.Status.EXPIRED
        return self.Status.AVAILABLE


class CouponRule(models.Model):
    """Which template is issued automatically on an occasion; no row means nothing is issued."""

    class Occasion(models.TextChoices):
        NEW_MEMBER = "new_member", _("a new member signs up")
        TIER_UPGRADE = "tier_upgrade", _("a member moves up a tier")
        BIRTHDAY = "birthday", _("a member's birthday")

    rule = models.CharField(_("occasion"), max_length=16, choices=Occasion, unique=True)
    template = models.ForeignKey(
        CouponTemplate,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("coupon template"),
    )

    class Meta:
        verbose_name = _("coupon rule")
        verbose_name_plural = _("coupon rules")
