from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weishang.catalog.models import ReturnClass
from weishang.uploads import private_storage

from .carriers import carrier_name


class CartItem(models.Model):
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="cart_items"
    )
    sku = models.ForeignKey("catalog.Sku", on_delete=models.CASCADE, related_name="+")
    quantity = models.PositiveIntegerField()
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "sku"], name="one_cart_row_per_sku"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="cart_quantity_positive"),
        ]


class FreightRule(models.Model):
    """The freight template (运费模板): a fee per order, free from a goods total, by province.

    The rule with an empty province is the default for provinces without their own; with no rule
    at all delivery is free. See ``orders.freight`` for how a fee is worked out."""

    province_code = models.CharField(
        _("province"), max_length=2, unique=True, blank=True, help_text=_("Empty: the default.")
    )
    fee_fen = models.PositiveIntegerField(_("freight (fen)"))
    free_from_fen = models.PositiveIntegerField(
        _("free delivery from a goods total of (fen)"), null=True, blank=True
    )

    class Meta:
        ordering = ["province_code"]
        verbose_name = _("freight rule")
        verbose_name_plural = _("freight rules")


class OrderStatus(models.TextChoices):
    PENDING_PAYMENT = "pending_payment", pgettext_lazy("order status", "awaiting payment")
    PAID = "paid", _("paid, awaiting shipment")
    SHIPPED = "shipped", pgettext_lazy("order status", "shipped")
    DELIVERED = "delivered", _("delivered")
    COMPLETED = "completed", _("completed")
    CANCELLED = "cancelled", _("cancelled")
    REFUNDED = "refunded", pgettext_lazy("order status", "refunded")
    PARTIALLY_REFUNDED = "partially_refunded", _("partially refunded")


class ReceiptConfirmedBy(models.TextChoices):
    """Who made the order delivered: the day after starts the no-reason return window."""

    COURIER = "courier", _("the courier's sign-for, recorded by the brand")
    CUSTOMER = "customer", _("the customer confirmed receipt")
    AUTOMATIC = "automatic", _("receipt confirmed automatically")


class Order(models.Model):
    """A contract once submitted (E-commerce Law Art. 49); lines and address are snapshots."""

    number = models.CharField(_("order number"), max_length=24, unique=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="orders"
    )
    status = models.CharField(
        _("status"), max_length=24, choices=OrderStatus, default=OrderStatus.PENDING_PAYMENT
    )
    recipient = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=11)
    address = models.CharField(_("address"), max_length=300)
    city = models.CharField(_("city"), max_length=20)
    total_fen = models.PositiveIntegerField(_("total (fen)"))
    # Database defaults too: rows written by SQL that predates these columns stay valid.
    freight_fen = models.PositiveIntegerField(
        _("freight (fen)"),
        default=0,
        db_default=0,
        help_text=_("Part of the total; never earns commission."),
    )
    buyer_note = models.CharField(
        _("note from the buyer"), max_length=200, blank=True, default="", db_default=""
    )
    refunded_fen = models.PositiveIntegerField(_("refunded (fen)"), default=0)
    # What paid the goods besides the payment (orders.pricing); the total is what is left.
    member_discount_fen = models.PositiveIntegerField(
        _("member discount (fen)"), default=0, db_default=0
    )
    coupon_fen = models.PositiveIntegerField(_("coupons (fen)"), default=0, db_default=0)
    points = models.PositiveIntegerField(
        pgettext_lazy("loyalty", "points used"), default=0, db_default=0
    )
    points_fen = models.PositiveIntegerField(_("paid with points (fen)"), default=0, db_default=0)
    wallet_fen = models.PositiveIntegerField(
        _("paid from the wallet (fen)"), default=0, db_default=0
    )
    points_returned = models.PositiveIntegerField(default=0, db_default=0)
    wallet_returned_fen = models.PositiveIntegerField(default=0, db_default=0)
    return_exclusion_confirmed = models.BooleanField(
        _("customer confirmed goods excluded from no-reason return"), default=False
    )
    placed_at = models.DateTimeField(_("placed"), db_index=True)
    expires_at = models.DateTimeField(_("pay before"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    delivered_at = models.DateTimeField(_("signed for"), null=True, blank=True)
    receipt_confirmed_by = models.CharField(
        _("receipt confirmed by"),
        max_length=16,
        choices=ReceiptConfirmedBy,
        blank=True,
        default="",
        db_default="",  # rows inserted by SQL (benchmarks, the export test) name no value
    )
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=200, blank=True)
    distributor = models.ForeignKey(
        "distribution.Distributor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
        verbose_name=_("attributed distributor"),
        help_text=_("Who brought the customer, fixed when the order is placed."),
    )
    device_id = models.CharField(max_length=64, blank=True, help_text="The buyer's device cookie.")
    awaiting_presale = models.BooleanField(
        _("waiting for its pre-sale"),
        default=False,
        db_default=False,
        help_text=_("Ships only once its pre-sale has reached its target at its end."),
    )
    shared_by = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shared_orders",
        verbose_name=_("shared by"),
        help_text=_(
            "The customer whose share link brought the buyer (never a distributor, never binds)."
        ),
    )

    class Meta:
        ordering = ["-placed_at", "-pk"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        indexes = [
            models.Index(fields=["status", "placed_at"]),
            models.Index(fields=["customer", "placed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(refunded_fen__lte=F("total_fen")), name="refund_within_total"
            ),
            models.CheckConstraint(
                condition=Q(freight_fen__lte=F("total_fen")), name="freight_within_total"
            ),
            models.CheckConstraint(
                condition=Q(points_returned__lte=F("points")), name="order_points_returned_within"
            ),
            models.CheckConstraint(
                condition=Q(wallet_returned_fen__lte=F("wallet_fen")),
                name="wallet_returned_within_used",
            ),
            models.CheckConstraint(
                condition=Q(points=0, points_fen=0) | Q(points__gt=0, points_fen__gt=0),
                name="points_and_their_value_together",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def carrier_name(self) -> str:
        return carrier_name(self.carrier)


class OrderLine(models.Model):
    """What was bought, frozen at placement: later catalogue edits never change it
    (E-commerce Law Art. 31)."""

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="lines")
    sku = models.ForeignKey("catalog.Sku", on_delete=models.PROTECT, related_name="+")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="+")
    product_name = models.CharField(max_length=120)
    sku_name = models.CharField(max_length=60)
    sku_code = models.CharField(max_length=40)
    unit_price_fen = models.PositiveIntegerField()
    quantity = models.PositiveIntegerField()
    line_total_fen = models.PositiveIntegerField()
    member_discount_fen = models.PositiveIntegerField(default=0, db_default=0)
    coupon_fen = models.PositiveIntegerField(default=0, db_default=0)
    points_fen = models.PositiveIntegerField(default=0, db_default=0)
    wallet_fen = models.PositiveIntegerField(default=0, db_default=0)
    paid_fen = models.GeneratedField(
        expression=F("line_total_fen")
        - F("member_discount_fen")
        - F("coupon_fen")
        - F("points_fen")
        - F("wallet_fen"),
        output_field=models.BigIntegerField(),
        db_persist=True,
        help_text="What the payment paid for the line: the commission base.",
    )
    return_class = models.CharField(max_length=16, choices=ReturnClass)
    returnable = models.BooleanField(help_text="Covered by the 7-day no-reason return.")
    returned_quantity = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(line_total_fen=F("unit_price_fen") * F("quantity")),
                name="line_total_matches",
            ),
            models.CheckConstraint(
                condition=Q(returned_quantity__lte=F("quantity")), name="returned_within_bought"
            ),
            models.CheckConstraint(
                condition=Q(
                    line_total_fen__gte=F("member_discount_fen")
                    + F("coupon_fen")
                    + F("points_fen")
                    + F("wallet_fen")
                ),
                name="deductions_within_line",
            ),
        ]


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("return status", "requested")
    APPROVED = "approved", _("approved, awaiting the goods")
    RECEIVED = "received", _("goods received, refund due")
    REFUNDED = "refunded", pgettext_lazy("return status", "refunded")
    REJECTED = "rejected", pgettext_lazy("return status", "rejected")


class ReturnFreightPayer(models.TextChoices):
    CUSTOMER = "customer", _("the customer pays the return shipping")
    BRAND = "brand", _("the brand pays the return shipping")


class ReturnAddress(models.Model):
    """Where customers send returned goods; a brand may keep several (one per warehouse). Retired
    rather than deleted, since approved returns point at it."""

    recipient = models.CharField(_("recipient"), max_length=40)
    phone = models.CharField(_("phone"), max_length=20)
    address = models.CharField(_("address"), max_length=300)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-active", "pk"]
        verbose_name = _("return address")
        verbose_name_plural = _("return addresses")

    def __str__(self):
        return f"{self.recipient} {self.phone} {self.address}"


class AfterSalesSettings(models.Model):
    """The brand's after-sales settings; one row (pk 1), defaults apply until the brand saves it.
    Who pays no-reason return shipping is the brand's public statement and stays on ``Brand``."""

    auto_confirm_days = models.PositiveSmallIntegerField(
        _("receipt confirmed automatically after (days from shipment)"), default=10
    )
    claim_days = models.PositiveSmallIntegerField(
        _("quality claims accepted for (days after sign-for)"),
        default=730,
        help_text=_(
            "The brand's policy, unless an article says otherwise for the goods (a quality "
            "guarantee period such as a marked shelf life, the three-guarantees rules). The "
            "default, two years, is the period within which a buyer may give notice of a quality "
            "defect when no guarantee period applies (Civil Code Art. 621)."
        ),
    )

    class Meta:
        verbose_name = _("after-sales settings")
        verbose_name_plural = _("after-sales settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(auto_confirm_days__gte=1, auto_confirm_days__lte=60),
                name="auto_confirm_days_in_range",
            ),
            models.CheckConstraint(condition=Q(claim_days__gte=7), name="claim_days_at_least_7"),
        ]

    @classmethod
    def current(cls) -> "AfterSalesSettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class ReturnRequest(models.Model):
    """A 7-day no-reason return (Consumer Protection Law Art. 25)."""

    OPEN = (ReturnStatus.REQUESTED, ReturnStatus.APPROVED, ReturnStatus.RECEIVED)

    number = models.CharField(max_length=24, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="returns")
    status = models.CharField(max_length=16, choices=ReturnStatus, default=ReturnStatus.REQUESTED)
    reason = models.CharField(_("reason (optional)"), max_length=300, blank=True)
    refund_fen = models.PositiveIntegerField()
    wallet_fen = models.PositiveIntegerField(_("back to the wallet (fen)"), default=0, db_default=0)
    points = models.PositiveIntegerField(
        pgettext_lazy("loyalty", "points back"), default=0, db_default=0
    )
    return_tracking_no = models.CharField(_("return tracking number"), max_length=40, blank=True)
    return_address = models.ForeignKey(
        ReturnAddress, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    freight_paid_by = models.CharField(
        max_length=16, choices=ReturnFreightPayer, default=ReturnFreightPayer.CUSTOMER
    )
    return_carrier = models.CharField(_("return carrier"), max_length=16, blank=True)
    return_shipped_at = models.DateTimeField(null=True, blank=True)
    requested_at = models.DateTimeField()
    approved_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    refund_due_at = models.DateTimeField(null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    reject_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["requested_at", "pk"]
        indexes = [models.Index(fields=["status", "requested_at"])]


class ReturnLine(models.Model):
    return_request = models.ForeignKey(
        ReturnRequest, on_delete=models.PROTECT, related_name="lines"
    )
    order_line = models.ForeignKey(OrderLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="return_quantity_positive")
        ]


# Quality claims ----------------------------------------------------------------------------------


class ClaimRemedy(models.TextChoices):
    REFUND = "refund", _("return and refund")
    EXCHANGE = "exchange", _("exchange")
    REPAIR = "repair", _("repair")


class ClaimStatus(models.TextChoices):
    REQUESTED = "requested", pgettext_lazy("claim status", "requested")
    APPROVED = "approved", pgettext_lazy("claim status", "approved, to ship back")
    SHIPPED = "shipped", pgettext_lazy("claim status", "shipped back")
    REFUNDED = "refunded", pgettext_lazy("claim status", "refunded")
    REJECTED = "rejected", pgettext_lazy("claim status", "rejected")


class QualityClaim(models.Model):
    """After-sales for a quality problem (Consumer Protection Law Art. 24): return and refund,
    exchange or repair, within the brand's claim period; or a refund a complaint's resolution
    ordered (then ``complaint`` is set and no line is named)."""

    OPEN = (ClaimStatus.REQUESTED, ClaimStatus.APPROVED)

    number = models.CharField(_("claim number"), max_length=24, unique=True)
    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="claims")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="claims"
    )
    quantity = models.PositiveIntegerField(default=0)
    remedy = models.CharField(_("remedy asked for"), max_length=16, choices=ClaimRemedy)
    decided_remedy = models.CharField(
        _("remedy granted"), max_length=16, choices=ClaimRemedy, blank=True
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ClaimStatus, default=ClaimStatus.REQUESTED
    )
    description = models.TextField(_("what is wrong"), max_length=1000, blank=True)
    complaint = models.ForeignKey(
        "compliance.Complaint",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
    )
    refund_fen = models.PositiveIntegerField(_("refund (fen)"), default=0)
    wallet_fen = models.PositiveIntegerField(_("back to the wallet (fen)"), default=0, db_default=0)
    points = models.PositiveIntegerField(
        pgettext_lazy("loyalty", "points back"), default=0, db_default=0
    )
    requested_at = models.DateTimeField(_("requested"))
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.CharField(_("decision"), max_length=300, blank=True)
    return_carrier = models.CharField(_("customer's carrier"), max_length=40, blank=True)
    return_tracking_no = models.CharField(
        _("customer's tracking number"),
        max_length=40,
        blank=True,
        help_text=_("How the customer sent the goods to exchange or repair to the brand."),
    )
    returned_sent_at = models.DateTimeField(_("sent by the customer"), null=True, blank=True)
    carrier = models.CharField(_("carrier"), max_length=40, blank=True)
    tracking_no = models.CharField(_("tracking number"), max_length=40, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    refunded_at = models.DateTimeField(_("refunded"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("quality claim")
        verbose_name_plural = _("quality claims")
        indexes = [models.Index(fields=["status", "requested_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(Q(order_line__isnull=False) & Q(quantity__gt=0))
                | Q(complaint__isnull=False),
                name="claim_names_a_line_or_a_complaint",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(decision_reason=""),
                name="rejected_claim_has_reason",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def carrier_name(self) -> str:
        return carrier_name(self.carrier)

    @property
    def return_carrier_name(self) -> str:
        return carrier_name(self.return_carrier)


class QualityClaimPhoto(models.Model):
    claim = models.ForeignKey(QualityClaim, on_delete=models.CASCADE, related_name="photos")
    image = models.ImageField(upload_to="claims/%Y/%m/", storage=private_storage)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
