"""Points: their own asset on the one ledger, granted in lots that expire first-in first-out.

Granting moves points from the brand's ``points_issued`` account to the customer's; spending
moves them to ``points_redeemed``; expiry to ``points_expired``. Each movement is one idempotent
transfer, and the lots say which points are spent or expire when.
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from weishang.commissions import ledger
from weishang.commissions.locks import lock_customer_account
from weishang.commissions.models import Account
from weishang.compliance import audit
from weishang.transactions import step

from .errors import LoyaltyError
from .locks import lock_lots, lock_spendable_lots, lock_uses
from .models import LoyaltySettings, PointsLot, PointsUse

Kind = Account.Kind


def points_balance(customer_id: int) -> int:
    """All points the customer holds, including lots past expiry the daily run has not yet taken."""
    return ledger.customer_balances(customer_id)[Kind.CUSTOMER_POINTS]


def spendable_points(customer_id: int, now: datetime) -> int:
    total = PointsLot.objects.filter(
        customer_id=customer_id, remaining__gt=0, expires_at__gt=now
    ).aggregate(s=Sum("remaining"))["s"]
    return total or 0


@step
def grant_points(
    *, customer_id: int, points: int, key: str, reason: str, now: datetime
) -> PointsLot:
    """Grants points once per key, valid for the brand's period from now. The service other apps
    call to award points (a completed order, an accepted creative submission, a share reward)."""
    if points <= 0:
        raise LoyaltyError(_("Grant a positive number of points."))
    existing = PointsLot.objects.filter(key=key).first()
    if existing is not None:
        return existing
    account = lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_POINTS)
    valid_days = LoyaltySettings.current().points_valid_days
    lot = PointsLot.objects.create(
        customer_id=customer_id,
        key=key,
        reason=reason[:200],
        points=points,
        remaining=points,
        granted_at=now,
        expires_at=now + timedelta(days=valid_days),
    )
    ledger.transfer(
        debit=ledger.brand_account(Kind.POINTS_ISSUED),
        credit=account,
        amount_fen=points,
        key=f"points-grant:{key}",
        kind="points_grant",
        now=now,
        memo=reason,
    )
    return lot


@step
def spend_points(*, customer_id: int, points: int, key: str, reason: str, now: datetime) -> None:
    """Spends points from the lots that expire first, once per key; refuses more than the
    customer can spend now (lots past their expiry are not spendable)."""
    if points <= 0:
        raise LoyaltyError(_("Spend a positive number of points."))
    account = lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_POINTS)
    if PointsUse.objects.filter(key=key).exists():
        return
    take_from_lots(customer_id=customer_id, points=points, key=key, now=now)
    ledger.transfer(
        debit=account,
        credit=ledger.brand_account(Kind.POINTS_REDEEMED),
        amount_fen=points,
        key=f"points-spend:{key}",
        kind="points_spend",
        now=now,
        memo=reason,
    )


@step
def take_from_lots(*, customer_id: int, points: int, key: str, now: datetime) -> None:
    """Takes points from the customer's spendable lots, first-expiring first, and records each
    lot's share under ``key``; the caller holds the points account's lock and moves the points
    in the ledger."""
    lots = sorted(
        (lot for lot in lock_spendable_lots(customer_id=customer_id) if lot.expires_at > now),
        key=lambda lot: (lot.expires_at, lot.pk),
    )
    if sum(lot.remaining for lot in lots) < points:
        raise LoyaltyError(
            _("You do not have %(n)d points to spend.") % {"n": points}, code="points_short"
        )
    left = points
    uses = []
    for lot in lots:
        if not left:
            break
        taken = min(lot.remaining, left)
        lot.remaining -= taken
        left -= taken
        uses.append(PointsUse(lot=lot, key=key, points=taken))
    PointsLot.objects.bulk_update([use.lot for use in uses], ["remaining"])
    PointsUse.objects.bulk_create(uses)


@step
def return_points(
    *, customer_id: int, spent_key: str, points: int, key: str, reason: str, now: datetime
) -> int:
    """Gives back up to ``points`` of what the spending ``spent_key`` took, once per ``key``, to
    the lots they came from (latest expiry first). Points whose lot has expired meanwhile come
    back expired: the customer sees them returned and expired, and cannot spend them.
    Returns the points given back."""
    account = lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_POINTS)
    if ledger.recorded(f"points-return:{key}"):
        return 0
    uses = list(lock_uses(key=spent_key))
    lots = {lot.pk: lot for lot in lock_lots(use.lot_id for use in uses)}
    uses.sort(key=lambda use: (lots[use.lot_id].expires_at, use.pk), reverse=True)
    left = points
    expired_now = 0
    for use in uses:
        if not left:
            break
        back = min(use.points - use.returned, left)
        if not back:
            continue
        use.returned += back
        lot = lots[use.lot_id]
        if lot.expires_at <= now:
            lot.expired += back
            expired_now += back
        else:
            lot.remaining += back
        left -= back
    given = points - left
    if not given:
        return 0
    PointsUse.objects.bulk_update(uses, ["returned"])
    PointsLot.objects.bulk_update(lots.values(), ["remaining", "expired"])
    ledger.transfer(
        debit=ledger.brand_account(Kind.POINTS_REDEEMED),
        credit=account,
        amount_fen=given,
        key=f"points-return:{key}",
        kind="points_return",
        now=now,
        memo=reason,
    )
    if expired_now:
        ledger.transfer(
            debit=account,
            credit=ledger.brand_account(Kind.POINTS_EXPIRED),
            amount_fen=expired_now,
            key=f"points-return-expired:{key}",
            kind="points_expire",
            now=now,
            memo=reason,
        )
    return given


MAX_AWARD = 1_000_000


@transaction.atomic(durable=True)
def award_points(
    *, actor, customer_id: int, points: int, reason: str, request_key: str, now: datetime
) -> PointsLot:
    """Staff award points by hand from the customer's page, with a reason he sees; audited. The
    form's request key makes a resubmitted form one award."""
    reason = reason.strip()
    if not reason:
        raise LoyaltyError(_("Say why the points are awarded; the customer sees it."))
    if not 0 < points <= MAX_AWARD:
        raise LoyaltyError(_("Award from 1 to 1,000,000 points."))
    lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_POINTS)
    key = f"award:{customer_id}:{request_key}"
    existing = PointsLot.objects.filter(key=key).first()
    if existing is not None:
        return existing
    lot = grant_points(customer_id=customer_id, points=points, key=key, reason=reason, now=now)
    audit.record(
        actor=actor,
        action="points.award",
        obj=lot,
        after={"customer": customer_id, "points": points},
        reason=reason,
    )
    return lot
