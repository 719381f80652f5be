"""The daily expiry of points (FIFO lots past their period): what is left of each expired lot
moves to the brand's ``points_expired`` account, one transaction per customer. Safe to rerun: a
lot's transfer key carries its cumulative expired count, so each expiry is recorded once."""

from datetime import datetime

from django.db import transaction

from weishang.commissions import ledger
from weishang.commissions.locks import lock_customer_account
from weishang.commissions.models import Account
from weishang.transactions import step

from .locks import lock_expired_lots, lock_spendable_lots
from .models import PointsLot

Kind = Account.Kind


def customers_with_expired_points(now: datetime) -> list[int]:
    return list(
        PointsLot.objects.filter(remaining__gt=0, expires_at__lte=now)
        .order_by("customer_id")
        .values_list("customer_id", flat=True)
        .distinct()
    )


def _expire(*, customer_id: int, lock_lots, now: datetime) -> int:
    """Moves what is left of the lots ``lock_lots`` locks to ``points_expired``, the customer's
    account locked first; returns the points expired."""
    account = lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_POINTS)
    lots = list(lock_lots())
    sink = ledger.brand_account(Kind.POINTS_EXPIRED)
    expired = 0
    for lot in lots:
        amount = lot.remaining
        lot.expired += amount
        lot.remaining = 0
        ledger.transfer(
            debit=account,
            credit=sink,
            amount_fen=amount,
            key=f"points-expire:{lot.pk}:{lot.expired}",
            kind="points_expire",
            now=now,
            memo=lot.reason,
        )
        expired += amount
    PointsLot.objects.bulk_update(lots, ["remaining", "expired"])
    return expired


@transaction.atomic(durable=True)
def expire_customer_points(*, customer_id: int, now: datetime) -> int:
    """Expires the customer's lots past their expiry; returns the points expired."""
    return _expire(
        customer_id=customer_id,
        lock_lots=lambda: lock_expired_lots(customer_id=customer_id, now=now),
        now=now,
    )


@step
def forfeit_points(*, customer_id: int, now: datetime) -> int:
    """Expires every point the customer holds now, whatever its date: his account is closing and
    a closed account spends nothing. Returns the points forfeited."""
    return _expire(
        customer_id=customer_id,
        lock_lots=lambda: lock_spendable_lots(customer_id=customer_id),
        now=now,
    )


def expire_points(*, now: datetime) -> tuple[int, int]:
    """Expires every customer's points past their expiry: (customers, points expired)."""
    customers = points = 0
    for customer_id in customers_with_expired_points(now):
        expired = expire_customer_points(customer_id=customer_id, now=now)
        if expired:
            customers += 1
            points += expired
    return customers, points
