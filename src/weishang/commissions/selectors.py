"""Reads for the distributor and brand consoles; each is a fixed number of queries."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weishang.distribution.models import Distributor
from weishang.orders.models import Order

from . import ledger, rules
from .models import Account, Commission, CommissionPlan, Transfer, Withdrawal, WithholdingRule
from .rules import SalesLevel

Kind = Account.Kind


def balances(distributor: Distributor) -> dict[str, int]:
    """``{"pending", "held", "available", "withdrawing": fen}`` computed from transfers."""
    return ledger.balances_for([distributor.pk])[distributor.pk]


def balances_for(distributor_ids) -> dict[int, dict[str, int]]:
    return ledger.balances_for(distributor_ids)


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
    return (
        Withdrawal.objects.filter(distributor=distributor)
        .select_related("payout_account")
        .order_by("-requested_at", "-pk")
    )


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


def recently_paid(*, since: datetime, limit: int = 50):
    """Withdrawals paid since ``since``, newest first, with the tax withheld from each."""
    return (
        Withdrawal.objects.filter(status=Withdrawal.Status.PAID, paid_at__gte=since)
        .select_related("distributor", "payout_account")
        .order_by("-paid_at", "-pk")[:limit]
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


# The ledger in the distributor's words ------------------------------------------------------------
# One row per business event, never a bookkeeping pair: a settlement is one "settled" row, not a
# minus on pending and a plus on available; a payout and the tax withheld from it are one "paid".

EVENTS = {
    "earn": pgettext_lazy("ledger event", "Commission earned"),
    "release": pgettext_lazy("ledger event", "Released after review"),
    "reject": pgettext_lazy("ledger event", "Rejected after review"),
    "settle": pgettext_lazy("ledger event", "Settled"),
    "reverse": pgettext_lazy("ledger event", "Reversed"),
    "withdraw": pgettext_lazy("ledger event", "Withdrawal requested"),
    "withdraw_release": pgettext_lazy("ledger event", "Withdrawal rejected"),
    "payout": pgettext_lazy("ledger event", "Paid to you"),
}
EVENTS["withhold"] = EVENTS["payout"]
MARKUP_EARNED = pgettext_lazy("ledger event", "Reseller markup earned")
# How each event changes what he has earned in all (+ in, − out, "" a move within it).
SIGNS = {"earn": "+", "reject": "−", "reverse": "−", "payout": "−", "withhold": "−"}
STATES = {
    ("earn", Kind.PENDING): _("pending until the return window closes"),
    ("earn", Kind.HELD): _("held for review"),
    ("release", Kind.PENDING): _("pending until the return window closes"),
    ("reject", Kind.HELD): _("not paid: the sale was judged self-dealing"),
    ("settle", Kind.AVAILABLE): _("available to withdraw"),
    ("reverse", Kind.PENDING): _("the customer was refunded before settlement"),
    ("reverse", Kind.HELD): _("the customer was refunded before settlement"),
    ("reverse", Kind.AVAILABLE): _("the customer was refunded after settlement"),
    ("withdraw_release", Kind.AVAILABLE): _("back in your available balance"),
}


@dataclass
class LedgerEvent:
    at: datetime
    kind: str  # earn, release, reject, settle, reverse, withdraw, withdraw_release, paid
    event: str
    state: str
    sign: str
    amount_fen: int
    order_number: str = ""
    withheld_fen: int = 0
    net_fen: int = 0


def _mine(transfer: Transfer, distributor_id: int) -> Account:
    """The leg of the transfer that is his (the credit when both are)."""
    return transfer.credit if transfer.credit.distributor_id == distributor_id else transfer.debit


def _event(t: Transfer, distributor_id: int) -> LedgerEvent:
    account = _mine(t, distributor_id)
    w = t.withdrawal
    if t.kind in ("payout", "withhold"):
        return LedgerEvent(
            at=t.created_at,
            kind="paid",
            event=str(EVENTS["payout"]),
            state=str(Withdrawal.Status(w.status).label),
            sign="−",
            amount_fen=w.amount_fen,
            withheld_fen=w.withheld_fen,
            net_fen=w.net_fen,
        )
    if t.kind == "withdraw":
        state = str(Withdrawal.Status(w.status).label)
    else:
        state = str(STATES.get((t.kind, account.kind), ""))
    event = EVENTS.get(t.kind, pgettext_lazy("ledger event", "Other"))
    if t.kind == "earn" and t.commission and t.commission.kind == Commission.Kind.MARKUP:
        event = MARKUP_EARNED
    return LedgerEvent(
        at=t.created_at,
        kind=t.kind,
        event=str(event),
        state=state,
        sign=SIGNS.get(t.kind, ""),
        amount_fen=t.amount_fen,
        order_number=t.commission.order.number if t.commission else "",
    )


def _events(transfers, distributor_id: int) -> list[LedgerEvent]:
    events, paid = [], {}
    for t in transfers:
        if t.kind in ("payout", "withhold"):
            if t.withdrawal_id in paid:
                continue  # the payout and its withholding are one event
            paid[t.withdrawal_id] = True
        events.append(_event(t, distributor_id))
    return events


def _his_transfers(distributor: Distributor):
    return Transfer.objects.filter(
        Q(debit__distributor=distributor) | Q(credit__distributor=distributor)
    ).select_related("debit", "credit", "commission__order", "withdrawal")


def ledger_events(distributor: Distributor, *, limit: int = 200) -> list[LedgerEvent]:
    """His money's history, newest first, one row per business event — one query."""
    transfers = _his_transfers(distributor).order_by("-created_at", "-pk")[:limit]
    return _events(transfers, distributor.pk)


@dataclass
class Statement:
    distributor: Distributor
    month: date
    earned_fen: int
    reversed_fen: int
    withheld_fen: int
    paid_fen: int
    events: list[LedgerEvent]


def month_bounds(month: date) -> tuple[datetime, datetime]:
    tz = timezone.get_default_timezone()
    start = datetime.combine(month.replace(day=1), time.min, tzinfo=tz)
    return start, datetime.combine(
        (month.replace(day=1) + timedelta(days=32)).replace(day=1), time.min, tzinfo=tz
    )


STATEMENT_MONTHS = 12


def statement_months(today: date) -> list[date]:
    """The first days of the months he may read a statement of: this month and the eleven
    before, newest first."""
    months, month = [], today.replace(day=1)
    for _index in range(STATEMENT_MONTHS):
        months.append(month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def monthly_statement(distributor: Distributor, month: date) -> Statement:
    """One month of his commission: earned, reversed (refunds and rejections), tax withheld and
    paid to him, with each event of the month, oldest first — two queries."""
    start, end = month_bounds(month)
    in_month = _his_transfers(distributor).filter(created_at__gte=start, created_at__lt=end)
    totals = in_month.aggregate(
        earned=Sum("amount_fen", filter=Q(kind="earn")),
        reversed=Sum("amount_fen", filter=Q(kind__in=["reverse", "reject"])),
        withheld=Sum("amount_fen", filter=Q(kind="withhold")),
        paid=Sum("amount_fen", filter=Q(kind="payout")),
    )
    return Statement(
        distributor=distributor,
        month=month.replace(day=1),
        earned_fen=totals["earned"] or 0,
        reversed_fen=totals["reversed"] or 0,
        withheld_fen=totals["withheld"] or 0,
        paid_fen=totals["paid"] or 0,
        events=_events(in_month.order_by("created_at", "pk"), distributor.pk),
    )


def withholding_rule():
    """The withholding rule in force, or None when the brand never set one."""
    return WithholdingRule.objects.order_by("-created_at", "-pk").first()


def own_completed_sales_fen(distributor_id: int) -> int:
    """What customers he brought paid for goods on his completed orders and kept: each order once
    completed (even if partly refunded since), less its freight and every refund. His own sales
    only, over his whole time as a distributor — never a recruit's or a team's. One query."""
    kept = Greatest(F("total_fen") - F("freight_fen") - F("refunded_fen"), Value(0))
    return Order.objects.filter(
        distributor_id=distributor_id, completed_at__isnull=False
    ).aggregate(fen=Coalesce(Sum(kept), Value(0)))["fen"]


@dataclass(frozen=True)
class LevelProgress:
    own_sales_fen: int
    level: SalesLevel | None
    next_level: SalesLevel | None

    @property
    def extra_rate(self) -> str:
        """His level's extra rate as '1.5 %'."""
        return rules.format_bp(self.level.extra_rate_bp) if self.level else ""

    @property
    def to_next_fen(self) -> int:
        return self.next_level.threshold_fen - self.own_sales_fen if self.next_level else 0


def level_progress(distributor: Distributor) -> LevelProgress | None:
    """His level under the plan in force and what he still needs to sell for the next; None when
    the plan has no levels. Two queries at most."""
    plan = CommissionPlan.objects.order_by("-version").only("sales_levels").first()
    levels = plan.levels() if plan is not None else ()
    if not levels:
        return None
    sales = own_completed_sales_fen(distributor.pk)
    return LevelProgress(sales, rules.level_for(sales, levels), rules.next_level(sales, levels))
