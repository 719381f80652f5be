"""Reads for the distributor and brand consoles; each is a fixed number of queries."""

from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from weishang.distribution.models import Distributor
from weishang.orders.models import Order

from . import ledger
from .models import Account, Commission, Transfer, Withdrawal

Kind = Account.Kind

MEANINGS = {
    ("earn", Kind.PENDING): _("commission earned, pending until the return window closes"),
    ("earn", Kind.HELD): _("commission earned, held for review"),
    ("release", Kind.HELD): _("released after review"),
    ("release", Kind.PENDING): _("released after review, now pending"),
    ("reject", Kind.HELD): _("rejected after review"),
    ("settle", Kind.PENDING): _("settled: return window closed"),
    ("settle", Kind.AVAILABLE): _("settled: now available"),
    ("reverse", Kind.PENDING): _("reversed: the customer was refunded"),
    ("reverse", Kind.HELD): _("reversed: the customer was refunded"),
    ("reverse", Kind.AVAILABLE): _("reversed after settlement: the customer was refunded"),
    ("withdraw", Kind.AVAILABLE): _("withdrawal requested"),
    ("withdraw", Kind.WITHDRAWING): _("withdrawal requested"),
    ("withdraw_release", Kind.WITHDRAWING): _("withdrawal rejected"),
    ("withdraw_release", Kind.AVAILABLE): _("withdrawal rejected: amount returned"),
    ("payout", Kind.WITHDRAWING): _("withdrawal paid out"),
}


def balances(distributor: Distributor) -> dict[str, int]:
    """``{"pending", "held", "available", "withdrawing": fen}`` computed from transfers."""
    return ledger.balances_for([distributor.pk])[distributor.pk]


def balances_for(distributor_ids) -> dict[int, dict[str, int]]:
    return ledger.balances_for(distributor_ids)


@dataclass(frozen=True)
class Posting:
    """One leg of a transfer as the distributor sees it: which of his accounts, and + or −."""

    transfer: Transfer
    account_kind: str
    amount_fen: int  # signed: + into the account, − out of it
    meaning: str


def postings(distributor: Distributor, *, limit: int = 200) -> list[Posting]:
    """His transfers, newest first, each split into the legs that touch his own accounts."""
    transfers = (
        Transfer.objects.filter(
            Q(debit__distributor=distributor) | Q(credit__distributor=distributor)
        )
        .select_related("debit", "credit", "commission__order", "withdrawal")
        .order_by("-created_at", "-pk")[:limit]
    )
    result = []
    for t in transfers:
        for account, sign in ((t.credit, 1), (t.debit, -1)):
            if account.distributor_id == distributor.pk:
                meaning = MEANINGS.get((t.kind, account.kind), t.kind)
                result.append(Posting(t, account.kind, sign * t.amount_fen, str(meaning)))
    return result


def _day_and_month_start(now: datetime) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    today = timezone.localtime(now, tz).date()
    return (
        datetime.combine(today, time.min, tzinfo=tz),
        datetime.combine(today.replace(day=1), time.min, tzinfo=tz),
    )


def dashboard(distributor: Distributor, *, now: datetime | None = None) -> dict[str, int]:
    """Balances now, and commission earned (into pending or held) and settled (into available),
    today and this month, net of reversals — two queries."""
    day, month = _day_and_month_start(now or timezone.now())
    mine = Q(credit__distributor=distributor) | Q(debit__distributor=distributor)
    earned = Q(kind="earn")
    settled = Q(kind="settle")
    reversed_pending = Q(kind="reverse", debit__kind__in=[Kind.PENDING, Kind.HELD])
    reversed_available = Q(kind="reverse", debit__kind=Kind.AVAILABLE)
    figures = Transfer.objects.filter(mine, created_at__gte=min(day, month)).aggregate(
        earned_today=Sum("amount_fen", filter=earned & Q(created_at__gte=day)),
        earned_month=Sum("amount_fen", filter=earned),
        reversed_today=Sum("amount_fen", filter=reversed_pending & Q(created_at__gte=day)),
        reversed_month=Sum("amount_fen", filter=reversed_pending),
        settled_today=Sum("amount_fen", filter=settled & Q(created_at__gte=day)),
        settled_month=Sum("amount_fen", filter=settled),
        clawed_today=Sum("amount_fen", filter=reversed_available & Q(created_at__gte=day)),
        clawed_month=Sum("amount_fen", filter=reversed_available),
    )
    f = {k: v or 0 for k, v in figures.items()}
    return {
        **balances(distributor),
        "pending_today_fen": f["earned_today"] - f["reversed_today"],
        "pending_month_fen": f["earned_month"] - f["reversed_month"],
        "available_today_fen": f["settled_today"] - f["clawed_today"],
        "available_month_fen": f["settled_month"] - f["clawed_month"],
    }


def withdrawals_of(distributor: Distributor):
    return Withdrawal.objects.filter(distributor=distributor).order_by("-requested_at", "-pk")


def withdrawal_queue(
    *,
    statuses=(
        Withdrawal.Status.REQUESTED,
        Withdrawal.Status.APPROVED,
        Withdrawal.Status.PAYING,
        Withdrawal.Status.PAYOUT_FAILED,
    ),
):
    """Withdrawals waiting for the brand or for their payout to be confirmed, oldest first."""
    return (
        Withdrawal.objects.filter(status__in=list(statuses))
        .select_related("distributor", "reviewed_by")
        .order_by("requested_at", "pk")
    )


def held_commissions():
    """Commissions held for review, oldest first, with the order and the distributor."""
    return (
        Commission.objects.filter(status=Commission.Status.HELD)
        .select_related("order", "distributor", "order_line")
        .order_by("created_at", "pk")
    )


def commissions_of(distributor: Distributor):
    return (
        Commission.objects.filter(distributor=distributor)
        .select_related("order", "order_line")
        .order_by("-created_at", "-pk")
    )


def _subtotal(queryset, field: str, expression):
    total = queryset.order_by().values(field).annotate(v=expression).values("v")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def distributors_with_kpis():
    """The brand's distributor list: paid orders, sales net of refunds, commission earned net of
    reversals (rejected and void excluded), distinct customers — one query."""
    paid = Order.objects.filter(distributor=OuterRef("pk"), paid_at__isnull=False)
    earned = Commission.objects.filter(distributor=OuterRef("pk")).exclude(
        status__in=[
            Commission.Status.AWAITING_PAYMENT,
            Commission.Status.VOID,
            Commission.Status.REJECTED,
        ]
    )
    return (
        Distributor.objects.select_related("customer")
        .annotate(
            kpi_orders=_subtotal(paid, "distributor", Count("pk")),
            kpi_sales_fen=_subtotal(paid, "distributor", Sum("total_fen") - Sum("refunded_fen")),
            kpi_commission_fen=_subtotal(
                earned, "distributor", Sum("amount_fen") - Sum("reversed_fen")
            ),
            kpi_customers=_subtotal(paid, "distributor", Count("customer", distinct=True)),
        )
        .order_by("-kpi_sales_fen", "pk")
    )
