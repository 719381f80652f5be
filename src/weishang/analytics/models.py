"""Rollups: small tables kept in step with the orders by ``rollups`` (in the transaction that
changes the order) so that the pages read a period without scanning orders. ``recompute`` builds
each from scratch; the two always agree (tests/analytics/test_rollups.py).

Customers and distributors are plain integers here, not foreign keys: a rollup row is written on
every payment and must cost one index entry, not a lookup of its parent."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

COHORT_SHARDS = 8
SALES_SHARDS = 8


class BuyerDay(models.Model):
    """One customer's paid orders of one day (the day paid, in the brand's time zone) through one
    distributor (0: none). ``orders`` leaves out orders refunded in full; ``gmv_fen`` is what they
    paid less every refund so far (a refund lowers the day the order was paid)."""

    day = models.DateField()
    customer = models.IntegerField()
    distributor = models.IntegerField()
    orders = models.IntegerField(default=0)
    gmv_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "customer", "distributor"], name="buyer_day_once"
            ),
            models.CheckConstraint(
                condition=Q(orders__gte=0), name="buyer_day_orders_not_negative"
            ),
            models.CheckConstraint(condition=Q(gmv_fen__gte=0), name="buyer_day_gmv_not_negative"),
        ]
        # Covering: a distributor's buyers, orders and GMV of a period are read from the index
        # alone (a big distributor's month is 150,000 rows scattered over the table).
        indexes = [
            models.Index(
                fields=["distributor", "day"],
                include=["customer", "orders", "gmv_fen"],
                name="buyer_day_by_distributor",
            ),
            # Covering too: the rankings sum a month of every distributor's orders and GMV (a
            # million rows at 10M orders).
            models.Index(
                fields=["day"],
                include=["distributor", "customer", "orders", "gmv_fen"],
                name="buyer_day_by_day",
            ),
        ]


class SalesDay(models.Model):
    """The brand's orders and GMV of a day, as ``BuyerDay`` counts them, without the customer:
    what the home's totals and trend read. Split over shards by customer, so that payments do
    not queue on one row."""

    day = models.DateField()
    shard = models.SmallIntegerField()
    orders = models.IntegerField(default=0)
    gmv_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["day", "shard"], name="sales_day_once")]


class BuyerMonth(models.Model):
    """A month in which a customer paid for an order, with the month of his first (his cohort)."""

    customer = models.IntegerField()
    month = models.DateField(help_text="The first day of the month.")
    cohort = models.DateField(help_text="The first day of the month of his first paid order.")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["customer", "month"], name="buyer_month_once")
        ]


class CohortMonth(models.Model):
    """How many customers of a cohort paid for an order in a month. Each count is split over
    ``COHORT_SHARDS`` rows by customer, so that payments do not queue on one row."""

    cohort = models.DateField()
    month = models.DateField()
    shard = models.SmallIntegerField()
    customers = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cohort", "month", "shard"], name="cohort_month_once")
        ]


class CustomerJourney(models.Model):
    """A customer's steps on the funnel: his first completed order makes him a small C (小C); a
    second completed order, or a completed order his share link brought, a big C (大C)."""

    customer = models.IntegerField(primary_key=True)
    completed_orders = models.IntegerField(default=0)
    first_completed_at = models.DateTimeField(null=True, db_index=True)
    big_c_at = models.DateTimeField(null=True, db_index=True)


class DistributorJourney(models.Model):
    """A distributor's completed sales (what the completed orders he is credited with kept), and
    when they first reached the brand's big-B threshold (大B)."""

    distributor = models.IntegerField(primary_key=True)
    completed_sales_fen = models.BigIntegerField(default=0)
    big_b_at = models.DateTimeField(null=True, db_index=True)


class AnalyticsSettings(models.Model):
    """The brand's analytics settings; one row (pk 1), the defaults apply until the brand saves."""

    big_b_threshold_fen = models.PositiveBigIntegerField(
        _("big B: completed sales of at least (fen)"),
        default=1_000_000,
        help_text=_(
            "A distributor becomes a big B (大B) once the completed orders he brought reach this "
            "amount."
        ),
    )

    class Meta:
        verbose_name = _("analytics settings")
        verbose_name_plural = _("analytics settings")
        constraints = [
            models.CheckConstraint(
                condition=Q(big_b_threshold_fen__gt=0), name="big_b_threshold_positive"
            )
        ]

    @classmethod
    def current(cls) -> "AnalyticsSettings":
        return cls.objects.filter(pk=1).first() or cls(pk=1)


ROLLUP_SHARDS = 8


class ProductDay(models.Model):
    """A product's sales on the day its orders were paid: units bought and what the payments paid
    for them (``OrderLine.paid_fen``), and what refunds took back of both so far. Split over
    ``ROLLUP_SHARDS`` rows by order, so that payments of a hot product do not queue on one row."""

    day = models.DateField()
    product = models.IntegerField()
    shard = models.SmallIntegerField()
    units = models.IntegerField(default=0)
    sales_fen = models.BigIntegerField(default=0)
    refunded_units = models.IntegerField(default=0)
    refunded_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "product", "shard"], name="product_day_once")
        ]


class CommissionDay(models.Model):
    """What a distributor earned (level 1 and 2) on the orders paid on a day, less what refunds
    have reversed of it so far. Split over ``ROLLUP_SHARDS`` rows by order."""

    day = models.DateField()
    distributor = models.IntegerField()
    shard = models.SmallIntegerField()
    earned_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "distributor", "shard"], name="commission_day_once"
            )
        ]
        indexes = [models.Index(fields=["day", "distributor"], name="commission_day_by_day")]


class SoldProductDay(models.Model):
    """A product a distributor sold on a day (orders he is credited with paid for it that day):
    the units and what the payments paid for them, and what refunds took back so far. A row is
    his sell-through's "sold" (whatever came back later); its figures are his own best sellers.
    One distributor's payments rarely meet on a row, so it is not split."""

    day = models.DateField()
    distributor = models.IntegerField()
    product = models.IntegerField()
    units = models.IntegerField(default=0)
    sales_fen = models.BigIntegerField(default=0)
    refunded_units = models.IntegerField(default=0)
    refunded_fen = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["distributor", "day", "product"], name="sold_product_day_once"
            )
        ]


class UnfoldedOrder(models.Model):
    """A paid order not yet counted in the rollups: its payment queued it, the next fold counts
    it and deletes the row (``fold``)."""

    order = models.BigIntegerField(primary_key=True)
