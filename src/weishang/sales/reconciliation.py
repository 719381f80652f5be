"""What `weishang reconcile` reports: money moves requested but not confirmed, and records of the
provider side that disagree with the order or the ledger."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from weishang.commissions.models import Transfer, Withdrawal
from weishang.orders.models import Order, OrderStatus
from weishang.payments.models import Payment, Refund
from weishang.payments.selectors import unconfirmed_refunds

__all__ = ["Mismatch", "mismatches", "unconfirmed_payouts", "unconfirmed_refunds"]

UNCONFIRMED_PAYOUT = (Withdrawal.Status.PAYING, Withdrawal.Status.PAYOUT_FAILED)


@dataclass(frozen=True)
class Mismatch:
    subject: str
    problem: str


def unconfirmed_payouts(*, requested_before: datetime):
    return Withdrawal.objects.filter(
        status__in=UNCONFIRMED_PAYOUT, payout_requested_at__lt=requested_before
    ).order_by("payout_requested_at", "pk")


def _sum(queryset, field: str):
    total = queryset.values(field).annotate(s=Sum("amount_fen")).values("s")
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _refund_mismatches() -> list[Mismatch]:
    """Refunds of an order, confirmed or not, add up to its refunded amount; an order cancelled
    before it was paid refunds every payment that arrived late in full."""
    refunds = Refund.objects.filter(payment__order=OuterRef("pk")).exclude(
        payment__status=Payment.Status.DUPLICATE
    )
    paid = Payment.objects.filter(order=OuterRef("pk"), status=Payment.Status.SUCCEEDED)
    orders = (
        Order.objects.filter(Q(refunded_fen__gt=0) | Exists(refunds))
        .annotate(refunds_fen=_sum(refunds, "payment__order"), paid_fen=_sum(paid, "order"))
        .values_list("number", "status", "refunded_fen", "refunds_fen", "paid_fen")
    )
    found = []
    for number, status, refunded_fen, refunds_fen, paid_fen in orders:
        owed, label = (
            (paid_fen, "paid late")
            if status == OrderStatus.CANCELLED
            else (
                refunded_fen,
                "refunded",
            )
        )
        if refunds_fen != owed:
            found.append(
                Mismatch(f"order {number}", f"{label} {owed} fen, refunds {refunds_fen} fen")
            )
    twice = (
        Payment.objects.filter(status=Payment.Status.DUPLICATE)
        .annotate(refunds_fen=_sum(Refund.objects.filter(payment=OuterRef("pk")), "payment"))
        .exclude(refunds_fen=F("amount_fen"))
        .values_list("number", "amount_fen", "refunds_fen")
    )
    for number, amount_fen, refunds_fen in twice:
        found.append(
            Mismatch(f"payment {number}", f"paid twice {amount_fen} fen, refunds {refunds_fen} fen")
        )
    return found


def _payout_mismatches() -> list[Mismatch]:
    """A withdrawal is paid exactly when its payout transfer is in the ledger."""
    transfer = Transfer.objects.filter(withdrawal=OuterRef("pk"), kind="payout")
    rows = (
        Withdrawal.objects.annotate(posted=Exists(transfer))
        .filter(
            Q(status=Withdrawal.Status.PAID, posted=False)
            | (~Q(status=Withdrawal.Status.PAID) & Q(posted=True))
        )
        .values_list("pk", "status", "posted")
    )
    return [
        Mismatch(
            f"withdrawal {pk}",
            "paid without its payout transfer" if not posted else f"{status} but paid out",
        )
        for pk, status, posted in rows
    ]


def mismatches() -> list[Mismatch]:
    return _refund_mismatches() + _payout_mismatches()
