"""What the analytics pages read, from the rollups only (never a scan of the orders): sales and
the GMV factors of a period for the whole brand, a city station's distributors or one
distributor, the C→B funnel, work waiting and commission owed."""

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from weishang.commissions import ledger
from weishang.commissions.models import Account, Commission, Withdrawal
from weishang.compliance.models import Complaint
from weishang.distribution import presence
from weishang.distribution.models import Application, Distributor, Reach
from weishang.orders.models import (
    Order,
    OrderStatus,
    QualityClaim,
    ReturnRequest,
    ReturnStatus,
)

from .models import BuyerDay, CustomerJourney, DistributorJourney, SalesDay
from .periods import Period
from .rules import Factors, Sales


@dataclass(frozen=True)
class Slice:
    """Whose figures: the whole brand (no ids), or the distributors given."""

    distributor_ids: tuple[int, ...] | None = None

    def on(self, queryset, field: str = "distributor"):
        if self.distributor_ids is None:
            return queryset
        return queryset.filter(**{f"{field}__in": self.distributor_ids})


BRAND = Slice()


def station_slice(station_id: int) -> Slice:
    """A city station's distributors: the people their links reached and the orders they brought."""
    ids = Distributor.objects.filter(
        customer__station_membership__station_id=station_id
    ).values_list("pk", flat=True)
    return Slice(tuple(ids))


def distributor_slice(distributor_id: int) -> Slice:
    return Slice((distributor_id,))


def _days(period: Period) -> Q:
    return Q(day__gte=period.first, day__lte=period.last)


@contextmanager
def _room_to_count():
    """Counting distinct people over a month hashes hundreds of thousands of ids: on PostgreSQL
    the transaction gets the memory to do it without spilling to disk."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
        yield


def _daily(who: Slice):
    """The rows a slice's daily totals come from: the brand's own, or its distributors' buyers."""
    return SalesDay.objects if who.distributor_ids is None else who.on(BuyerDay.objects)


def sales(period: Period, who: Slice = BRAND) -> Sales:
    days = who.on(BuyerDay.objects.filter(_days(period)))
    totals = (
        _daily(who)
        .filter(_days(period))
        .aggregate(orders=Sum("orders", default=0), gmv=Sum("gmv_fen", default=0))
    )
    if who.distributor_ids is None:
        buyers = presence.people(presence.BUYER, period.first, period.last)
    else:
        with _room_to_count():
            buyers = days.filter(orders__gt=0).values("customer").distinct().count()
    return Sales(orders=totals["orders"], buyers=buyers, gmv_fen=totals["gmv"])


def factors(period: Period, who: Slice = BRAND) -> Factors:
    sold = sales(period, who)
    if who.distributor_ids is None:
        reached = presence.people(presence.REACHED, period.first, period.last)
    else:
        with _room_to_count():
            reached = (
                who.on(Reach.objects.filter(_days(period))).values("person").distinct().count()
            )
    return Factors(reached=reached, buyers=sold.buyers, orders=sold.orders, gmv_fen=sold.gmv_fen)


def sales_by_day(period: Period, who: Slice = BRAND) -> dict[date, tuple[int, int]]:
    """{day: (GMV in fen, orders)} for every day of the period, zero where nothing sold."""
    rows = (
        _daily(who)
        .filter(_days(period))
        .order_by()
        .values("day")
        .annotate(gmv=Sum("gmv_fen"), orders=Sum("orders"))
        .values_list("day", "gmv", "orders")
    )
    found = {day: (gmv, orders) for day, gmv, orders in rows}
    return {day: found.get(day, (0, 0)) for day in period.dates()}


def _moments(period: Period) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(period.first, time.min, tzinfo=tz)
    return start, datetime.combine(period.last + timedelta(days=1), time.min, tzinfo=tz)


@dataclass(frozen=True)
class Funnel:
    visitors: int
    small_c: int
    big_c: int
    small_b: int
    big_b: int

    def steps(self) -> list[tuple[str, int]]:
        return [
            ("visitors", self.visitors),
            ("small_c", self.small_c),
            ("big_c", self.big_c),
            ("small_b", self.small_b),
            ("big_b", self.big_b),
        ]


def funnel(period: Period) -> Funnel:
    """How many people reached each of seed 003's five steps during the period."""
    start, end = _moments(period)
    visitors = presence.people(presence.VISITOR, period.first, period.last)
    return Funnel(
        visitors=visitors,
        small_c=CustomerJourney.objects.filter(
            first_completed_at__gte=start, first_completed_at__lt=end
        ).count(),
        big_c=CustomerJourney.objects.filter(big_c_at__gte=start, big_c_at__lt=end).count(),
        small_b=Distributor.objects.filter(approved_at__gte=start, approved_at__lt=end).count(),
        big_b=DistributorJourney.objects.filter(big_b_at__gte=start, big_b_at__lt=end).count(),
    )


# Withdrawals finance must approve, or pay again after a refused payout.
WITHDRAWALS_WAITING = (
    Withdrawal.Status.REQUESTED,
    Withdrawal.Status.APPROVED,
    Withdrawal.Status.PAYOUT_FAILED,
)
# Complaints are answered within 48 hours; the home warns of those due within the next 12.
COMPLAINT_WARNING = timedelta(hours=12)


def work_waiting(now: datetime | None = None) -> dict[str, int]:
    """Counts of what waits for staff, each by an indexed status (no scan of all orders)."""
    now = now or timezone.now()
    held = Commission.objects.filter(status=Commission.Status.HELD).aggregate(
        n=Count("pk"), fen=Sum("amount_fen", default=0)
    )
    return {
        "unshipped": Order.objects.filter(status=OrderStatus.PAID).count(),
        "awaiting_payment": Order.objects.filter(status=OrderStatus.PENDING_PAYMENT).count(),
        "shipped": Order.objects.filter(status=OrderStatus.SHIPPED).count(),
        "returns": ReturnRequest.objects.filter(status__in=ReturnRequest.OPEN).count(),
        "refunds_overdue": ReturnRequest.objects.filter(
            status=ReturnStatus.RECEIVED, refund_due_at__lt=now
        ).count(),
        "claims": QualityClaim.objects.filter(status__in=QualityClaim.OPEN).count(),
        "applications": Application.objects.filter(status=Application.Status.PENDING).count(),
        "withdrawals": Withdrawal.objects.filter(status__in=WITHDRAWALS_WAITING).count(),
        "complaints_due": Complaint.objects.filter(
            status__in=Complaint.OPEN,
            first_answered_at__isnull=True,
            due_at__lt=now + COMPLAINT_WARNING,
        ).count(),
        "held": held["n"],
        "held_fen": held["fen"],
    }


OWED_KINDS = (
    Account.Kind.PENDING,
    Account.Kind.HELD,
    Account.Kind.AVAILABLE,
    Account.Kind.WITHDRAWING,
)


def commission_owed() -> dict[str, int]:
    """What the distributors' ledger accounts hold: commission pending its return window, held
    for review, available to withdraw, and in withdrawal."""
    return ledger.kind_totals(OWED_KINDS)
