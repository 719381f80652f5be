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


class ShareRewardRule(models.Model):
    """A version of the brand's share reward rule, checked by ``reward_rules.check_reward_rule``
    when saved. Saving makes a new version; earlier ones stay as they were, and each reward names
    the version that paid it. ``amount`` is points, points per yuan, fen or basis points, by
    ``reward``."""

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
                condition=Q(reward="none") | Q(amount__gt=0), name="share_reward_has_amount"
            ),
            models.CheckConstraint(
                condition=~Q(reward="cashback_bp") | Q(amount__lte=10_000),
                name="share_cashback_within_paid",
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
    granted_at = models.DateTimeField(_("granted"))

    class Meta:
        ordering = ["-granted_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__gt=0) | Q(cashback_fen__gt=0), name="share_reward_gives_some"
            )
        ]
