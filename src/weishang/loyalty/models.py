from django.conf import settings
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
    points_max_share_bp = models.PositiveSmallIntegerField(
        _("points pay at most (basis points of the goods after discounts)"), default=10_000
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
            models.CheckConstraint(
                condition=Q(points_max_share_bp__gte=1, points_max_share_bp__lte=10_000),
                name="points_share_a_basis_point_to_all",
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
        VOIDED = "voided", pgettext_lazy("coupon status", "voided")

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
    voided_at = models.DateTimeField(
        pgettext_lazy("coupon", "voided"),
        null=True,
        blank=True,
        help_text="Set when the share reward it was is taken back; a voided coupon is unusable.",
    )

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
        if self.voided_at is not None:
            return self.Status.VOIDED
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
        SHARE_REWARD = "share_reward", _("a share reward counted towards your tier")
        SHARE_REWARD_REVOKED = "share_reward_revoked", _("a share reward was taken back")

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


# Customer share rewards (分享有礼) ----------------------------------------------------------------


class CustomerShare(models.Model):
    """A product a customer shared: his own link, QR code and poster for it. Sharing never binds
    anyone to anyone; a friend's order through it records him as its sharer."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="shares"
    )
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("shared"))

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "product"], name="one_share_per_product")
        ]


class ShareTrigger(models.TextChoices):
    """The one lawful trigger; ``reward_rules.TRIGGERS`` lists the ones the check refuses."""

    ORDER_COMPLETED = (
        "order_completed",
        _("a friend's order through the link completes without any return or refund"),
    )


class ShareRewardKind(models.TextChoices):
    NONE = "none", _("no reward")
    POINTS_FIXED = "points_fixed", _("points per completed order")
    POINTS_PER_YUAN = "points_per_yuan", _("points per yuan the friend paid")
    CASHBACK_FIXED = "cashback_fixed", _("cash-back per completed order")
    CASHBACK_BP = "cashback_bp", _("cash-back, a percentage of what the friend paid")
    COUPON = "coupon", _("a coupon")
    TIER_FIXED = "tier_fixed", _("tier progress per completed order")
    TIER_BP = "tier_bp", _("tier progress, a percentage of what the friend paid")


class ShareRewardRule(models.Model):
    """A version of the brand's share reward rule, checked by ``reward_rules.check_reward_rule``
    when saved. Saving makes a new version; earlier ones stay as they were, and each reward names
    the version that paid it. ``amount`` is points, points per yuan, fen or basis points, by
    ``reward`` (a coupon reward names its template instead)."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    trigger = models.CharField(
        _("rewarded when"),
        max_length=24,
        choices=ShareTrigger,
        default=ShareTrigger.ORDER_COMPLETED,
    )
    reward = models.CharField(
        _("reward"), max_length=24, choices=ShareRewardKind, default=ShareRewardKind.NONE
    )
    amount = models.PositiveIntegerField(_("amount"), default=0)
    coupon_template = models.ForeignKey(
        CouponTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coupon template"),
    )
    invite_after_orders = models.PositiveSmallIntegerField(
        _("invite to become a distributor after (completed orders)"), default=3
    )
    created_at = models.DateTimeField(_("saved"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-version"]
        verbose_name = _("share reward rule")
        verbose_name_plural = _("share reward rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(trigger="order_completed"), name="share_reward_only_on_completion"
            ),
            models.CheckConstraint(
                condition=Q(reward__in=["none", "coupon"]) | Q(amount__gt=0),
                name="share_reward_has_amount",
            ),
            models.CheckConstraint(
                condition=~Q(reward__in=["cashback_bp", "tier_bp"]) | Q(amount__lte=10_000),
                name="share_cashback_within_paid",
            ),
            models.CheckConstraint(
                condition=Q(reward="coupon", coupon_template__isnull=False)
                | (~Q(reward="coupon") & Q(coupon_template__isnull=True)),
                name="share_coupon_names_its_template",
            ),
            models.CheckConstraint(
                condition=Q(invite_after_orders__gte=1), name="share_invite_after_an_order"
            ),
        ]

    @classmethod
    def current(cls) -> "ShareRewardRule":
        """The version in force; until the brand saves one, no reward and the default invite."""
        return cls.objects.order_by("-version").first() or cls(version=0)


class ShareReward(models.Model):
    """What a sharer got for a friend's order that completed without return or refund: once per
    order, under the key ``share:<order number>`` in the ledger."""

    order = models.OneToOneField(
        "orders.Order", on_delete=models.PROTECT, related_name="share_reward"
    )
    sharer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="share_rewards"
    )
    rule = models.ForeignKey(ShareRewardRule, on_delete=models.PROTECT, related_name="rewards")
    key = models.CharField(max_length=40, unique=True)
    points = models.PositiveIntegerField(pgettext_lazy("loyalty", "points"), default=0)
    cashback_fen = models.PositiveIntegerField(_("cash-back (fen)"), default=0)
    coupon = models.OneToOneField(
        Coupon, on_delete=models.PROTECT, null=True, blank=True, related_name="share_reward"
    )
    tier_fen = models.PositiveIntegerField(_("tier progress (fen)"), default=0)
    granted_at = models.DateTimeField(_("granted"))
    # What refunds of the friend's order took back (``share_rewards.revoke_reward``): the refund
    # accounted for so far, the points and cash-back due back and what could be taken; a coupon
    # still unused is voided (``Coupon.voided_at``).
    revoked_base_fen = models.PositiveIntegerField(default=0)
    revoked_points = models.PositiveIntegerField(default=0)
    taken_points = models.PositiveIntegerField(default=0)
    revoked_cashback_fen = models.PositiveIntegerField(default=0)
    taken_cashback_fen = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gt=0)
                | Q(cashback_fen__gt=0)
                | Q(coupon__isnull=False)
                | Q(tier_fen__gt=0),
                name="share_reward_gives_some",
            )
        ]


class TierCredit(models.Model):
    """Tier progress a share reward gives: ``fen`` counts towards the customer's qualifying spend
    while ``granted_at`` is inside the brand's rolling period, less what a refund of the friend's
    order took back (``revoked_fen``). Once per key."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tier_credits"
    )
    key = models.CharField(max_length=80, unique=True)
    fen = models.PositiveIntegerField(_("tier progress (fen)"))
    revoked_fen = models.PositiveIntegerField(_("taken back (fen)"), default=0)
    reference = models.CharField(max_length=40, blank=True, help_text="The order number.")
    granted_at = models.DateTimeField(_("granted"))

    class Meta:
        ordering = ["-granted_at", "-pk"]
        indexes = [models.Index(fields=["customer", "granted_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(fen__gt=0), name="tier_credit_gives_some"),
            models.CheckConstraint(
                condition=Q(revoked_fen__lte=F("fen")), name="tier_credit_revoked_within"
            ),
        ]
