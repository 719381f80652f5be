from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .rules import SalesLevel


class PlanMode(models.TextChoices):
    STRICT = "strict", _("strict: only the distributor who brought the customer is paid")
    ADVISORY = (
        "advisory",
        _("advisory: his inviter may earn a second level (《禁止传销条例》Art. 7(3) risk)"),
    )


class CommissionPlan(models.Model):
    """One immutable version of the commission plan; the newest version is in force.

    Orders keep the version that priced them, so editing the plan never changes past commission.
    """

    version = models.PositiveIntegerField(unique=True)
    mode = models.CharField(max_length=16, choices=PlanMode, default=PlanMode.STRICT)
    default_rate_bp = models.PositiveIntegerField(_("default rate (basis points)"))
    second_level_rate_bp = models.PositiveIntegerField(
        _("inviter's second-level rate (basis points)"), default=0
    )
    risk_acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    risk_acknowledged_at = models.DateTimeField(null=True, blank=True)
    # Levels by the distributor's own completed sales: [{"name", "threshold_fen",
    # "extra_rate_bp"}, …], lowest threshold first, checked by rules.check_plan before saving.
    # Kept on the version itself so quoting an order reads them without another query.
    sales_levels = models.JSONField(_("levels by own sales"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(mode="advisory") | Q(second_level_rate_bp=0),
                name="strict_plan_pays_one_level",
            ),
            models.CheckConstraint(
                condition=Q(second_level_rate_bp=0) | Q(risk_acknowledged_at__isnull=False),
                name="second_level_needs_acknowledgment",
            ),
            models.CheckConstraint(
                condition=Q(default_rate_bp__lte=10000), name="rate_at_most_100pc"
            ),
        ]

    def levels(self):
        """The levels by own sales as rules.SalesLevel, lowest threshold first."""
        return tuple(SalesLevel(**level) for level in self.sales_levels)


class PlanRate(models.Model):
    """A per-category or per-product rate overriding the plan's default (product wins)."""

    plan = models.ForeignKey(CommissionPlan, on_delete=models.PROTECT, related_name="rates")
    category = models.ForeignKey(
        "catalog.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    product = models.ForeignKey(
        "catalog.Product", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rate_bp = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(category__isnull=True, product__isnull=False)
                | Q(category__isnull=False, product__isnull=True),
                name="rate_for_category_or_product",
            ),
            models.UniqueConstraint(fields=["plan", "category"], name="one_rate_per_category"),
            models.UniqueConstraint(fields=["plan", "product"], name="one_rate_per_product"),
            models.CheckConstraint(condition=Q(rate_bp__lte=10000), name="override_at_most_100pc"),
        ]


class Commission(models.Model):
    """What one order line earns one distributor, priced when the order is placed: the plan's
    commission, or on a line sold at a reseller's own price, his markup over the supply price
    (``reseller``). Both are frozen, settled, reversed and reviewed alike."""

    class Kind(models.TextChoices):
        COMMISSION = "commission", pgettext_lazy("earning kind", "commission")
        MARKUP = "markup", pgettext_lazy("earning kind", "reseller markup")

    class Status(models.TextChoices):
        AWAITING_PAYMENT = (
            "awaiting_payment",
            pgettext_lazy("commission status", "awaiting payment"),
        )
        PENDING = "pending", _("pending (return window open)")
        HELD = "held", pgettext_lazy("commission status", "held for review")
        AVAILABLE = "available", pgettext_lazy("commission status", "available")
        REJECTED = "rejected", _("rejected after review")
        REVERSED = "reversed", _("reversed: the line was refunded in full")
        VOID = "void", _("void (order not paid)")

    order = models.ForeignKey("orders.Order", on_delete=models.PROTECT, related_name="commissions")
    # Settlement rewrites every settled row, so each index costs; these three are covered by the
    # unique (order_line, level), the (distributor, status) index, or never looked up (plans are
    # never deleted).
    order_line = models.ForeignKey(
        "orders.OrderLine", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    distributor = models.ForeignKey(
        "distribution.Distributor",
        on_delete=models.PROTECT,
        related_name="commissions",
        db_index=False,
    )
    level = models.PositiveSmallIntegerField(default=1)
    # A markup is no plan's: it is the reseller's price less the brand's supply price.
    kind = models.CharField(
        max_length=12, choices=Kind, default=Kind.COMMISSION, db_default=Kind.COMMISSION
    )
    plan = models.ForeignKey(
        CommissionPlan,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        null=True,
        blank=True,
    )
    rule = models.CharField(
        max_length=40, help_text="Which rate applied: product, category or default."
    )
    base_fen = models.PositiveIntegerField(help_text="What the customer paid for the line.")
    rate_bp = models.PositiveIntegerField()
    amount_fen = models.PositiveIntegerField()
    reversed_fen = models.PositiveIntegerField(default=0)
    refunded_base_fen = models.PositiveIntegerField(
        default=0, help_text="How much of the base has been refunded so far (pro-rata reversals)."
    )
    status = models.CharField(max_length=16, choices=Status, default=Status.AWAITING_PAYMENT)
    hold_reason = models.CharField(max_length=300, blank=True)
    review_note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["distributor", "status"]),
            # Partial: only commissions still waiting to settle or under review are indexed, so a
            # settled row leaves these indexes instead of adding entries to them.
            models.Index(fields=["id"], condition=Q(status="pending"), name="commission_pending"),
            models.Index(fields=["id"], condition=Q(status="held"), name="commission_held"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "level"], name="one_commission_per_line_level"
            ),
            models.CheckConstraint(condition=Q(level__in=[1, 2]), name="never_a_third_level"),
            models.CheckConstraint(
                condition=Q(kind="commission", plan__isnull=False)
                | Q(kind="markup", plan__isnull=True, level=1),
                name="commission_has_a_plan_markup_none",
            ),
            models.CheckConstraint(
                condition=Q(reversed_fen__lte=F("amount_fen")), name="reverse_at_most_earned"
            ),
            models.CheckConstraint(
                condition=Q(refunded_base_fen__lte=F("base_fen")), name="refund_at_most_base"
            ),
        ]


class Asset(models.TextChoices):
    """What an account holds. Transfers move one asset only: points never become money except
    through two transfers, one in each asset (a red packet bought with points, say)."""

    MONEY = "fen", _("money (fen)")
    POINTS = "points", pgettext_lazy("loyalty", "points")


POINTS_KINDS = ("customer_points", "points_issued", "points_redeemed", "points_expired")
CUSTOMER_KINDS = ("customer_points", "customer_wallet")


class Account(models.Model):
    """A ledger account, owned by a distributor, a customer or (neither) the brand.

    A distributor has pending, held, available and withdrawing accounts; a customer has points and
    a cash-back wallet; the brand has its commission expense, the commission it paid out, the tax
    it withheld, and the sources and sinks of points and cash-back."""

    class Kind(models.TextChoices):
        PENDING = "pending", _("pending")
        HELD = "held", pgettext_lazy("ledger account", "held for review")
        AVAILABLE = "available", pgettext_lazy("ledger account", "available")
        WITHDRAWING = "withdrawing", _("withdrawal in progress")
        BRAND_EXPENSE = "brand_expense", _("brand: commission expense")
        BRAND_MARKUP = "brand_markup", _("brand: resellers' markup expense")
        BRAND_PAYOUTS = "brand_payouts", _("brand: commission paid out")
        TAX_PAYABLE = "tax_payable", _("brand: income tax withheld, to pay to the tax office")
        TAX_REMITTED = "tax_remitted", _("brand: income tax paid to the tax office")
        CUSTOMER_POINTS = "customer_points", _("customer: points")
        CUSTOMER_WALLET = "customer_wallet", _("customer: cash-back wallet")
        POINTS_ISSUED = "points_issued", _("brand: points granted")
        POINTS_REDEEMED = "points_redeemed", _("brand: points redeemed")
        POINTS_EXPIRED = "points_expired", _("brand: points expired")
        CASHBACK_EXPENSE = "cashback_expense", _("brand: cash-back granted")
        WALLET_SPENT = "wallet_spent", _("brand: wallet money spent on orders")

    POINTS_KINDS = POINTS_KINDS
    CUSTOMER_KINDS = CUSTOMER_KINDS

    distributor = models.ForeignKey(
        "distribution.Distributor",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accounts",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="ledger_accounts",
    )
    kind = models.CharField(max_length=24, choices=Kind)
    asset = models.CharField(max_length=8, choices=Asset, default=Asset.MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["distributor", "kind"], name="one_account_per_kind"),
            models.UniqueConstraint(
                fields=["customer", "kind"], name="one_customer_account_per_kind"
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(distributor__isnull=True, customer__isnull=True),
                name="one_brand_account_per_kind",
            ),
            models.CheckConstraint(
                condition=Q(distributor__isnull=True) | Q(customer__isnull=True),
                name="account_has_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(kind__in=POINTS_KINDS, asset="points")
                | (~Q(kind__in=POINTS_KINDS) & Q(asset="fen")),
                name="account_asset_follows_kind",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=CUSTOMER_KINDS) | Q(customer__isnull=False),
                name="customer_kinds_have_a_customer",
            ),
        ]

    @classmethod
    def asset_of(cls, kind: str) -> str:
        return Asset.POINTS if kind in cls.POINTS_KINDS else Asset.MONEY


class Transfer(models.Model):
    """An immutable double-entry movement: ``amount_fen`` leaves ``debit`` and enters ``credit``,
    counted in the accounts' one asset (fen for money, whole points for points).

    Each transfer is two postings that sum to zero by construction; the database refuses a
    non-positive amount, a transfer to the same account, and a second use of an idempotency key.
    """

    idempotency_key = models.CharField(max_length=80, unique=True)
    debit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="debits")
    credit = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="credits")
    amount_fen = models.BigIntegerField()
    kind = models.CharField(max_length=24)
    commission = models.ForeignKey(
        Commission, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers"
    )
    withdrawal = models.ForeignKey(
        "Withdrawal",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
        db_index=False,  # indexed partially below: most transfers belong to no withdrawal
    )
    memo = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["withdrawal"],
                condition=Q(withdrawal__isnull=False),
                name="transfer_of_withdrawal",
            )
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="transfer_amount_positive"),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="transfer_between_two_accounts"
            ),
        ]


class KindTotal(models.Model):
    """What all accounts of one kind held together when the changes were last folded in (see
    ``KindTotalChange``): how much commission the distributors have pending, available, in
    withdrawal. A sum of transfers like any balance, kept so the brand's home need not add up
    every transfer; ``ledger.rebuild_kind_totals`` counts it again from them."""

    kind = models.CharField(max_length=24, unique=True)
    amount_fen = models.BigIntegerField(default=0)


class KindTotalChange(models.Model):
    """What one transfer (or one settlement batch) changed in its kinds' totals, appended and never
    updated, so that transfers never wait for each other on a total's row; ``ledger.fold_kind_
    totals`` moves them into ``KindTotal`` from time to time (each settlement, and the
    housekeeping)."""

    kind = models.CharField(max_length=24)
    amount_fen = models.BigIntegerField()


class WithholdingRule(models.Model):
    """One immutable version of how the brand withholds income tax from payouts to individuals
    (``tax.py``); the newest version is in force, and each payout keeps the one it used."""

    class Kind(models.TextChoices):
        NONE = "none", _("no withholding")
        FLAT = "flat", _("a flat rate of the payout")
        LABOUR = "labour", _("labour income withholding (劳务报酬, 预扣率表二), per month")

    kind = models.CharField(max_length=16, choices=Kind)
    rate_bp = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="flat", rate_bp__gt=0, rate_bp__lte=10000)
                | Q(~Q(kind="flat"), rate_bp=0),
                name="flat_withholding_has_a_rate",
            ),
        ]


class Withdrawal(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", pgettext_lazy("withdrawal status", "requested")
        APPROVED = "approved", _("approved, awaiting payout")
        PAYING = "paying", _("payout in progress")
        PAYOUT_FAILED = "payout_failed", _("payout refused, to retry")
        PAID = "paid", pgettext_lazy("withdrawal status", "paid")
        REJECTED = "rejected", pgettext_lazy("withdrawal status", "rejected")

    distributor = models.ForeignKey(
        "distribution.Distributor", on_delete=models.PROTECT, related_name="withdrawals"
    )
    request_key = models.CharField(max_length=64)
    amount_fen = models.PositiveIntegerField()
    status = models.CharField(max_length=16, choices=Status, default=Status.REQUESTED)
    reason = models.CharField(max_length=300, blank=True)
    payout_reference = models.CharField(max_length=64, blank=True)
    payout_key = models.CharField(
        max_length=64,
        null=True,
        blank=True,
        unique=True,
        help_text="Sent with every payout attempt, so the backend pays once.",
    )
    payout_requested_at = models.DateTimeField(null=True, blank=True)
    payout_attempts = models.PositiveIntegerField(default=0)
    payout_error = models.CharField(max_length=300, blank=True)
    payout_confirmation = models.TextField(
        blank=True,
        help_text="What the payee's WeChat needs to confirm a transfer that waits for him "
        "(WeChat Pay's package_info, for wx.requestMerchantTransfer).",
    )
    requested_at = models.DateTimeField()
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    paid_at = models.DateTimeField(null=True, blank=True)
    payout_account = models.ForeignKey(
        "distribution.PayoutAccount",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="withdrawals",
        help_text="Where it is paid; none for withdrawals the brand pays by arrangement.",
    )
    withheld_fen = models.PositiveIntegerField(
        default=0, help_text="Income tax withheld when paid; the payout sends the rest."
    )
    withholding_rule = models.ForeignKey(
        WithholdingRule, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["distributor", "request_key"], name="one_withdrawal_per_key"
            ),
            models.CheckConstraint(
                condition=Q(amount_fen__gt=0), name="withdrawal_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(withheld_fen__lte=F("amount_fen")), name="withhold_at_most_gross"
            ),
        ]

    @property
    def net_fen(self) -> int:
        """What reaches the distributor: the gross less the tax withheld."""
        return self.amount_fen - self.withheld_fen
