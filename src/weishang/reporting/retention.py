"""Records retention (E-commerce Law Art. 31, a platform operator's duty: the brand's site hosts
its distributors' micro-stores): transaction records are kept unchanged for three years from the
transaction's completion, and this module shows when they were not.

The application never updates or deletes orders, order lines, payments, refunds or ledger
transfers (their foreign keys are PROTECT). What a database user could still do by hand shows
here:

- ``seal_ledger`` chains every ledger account's transfers, in id order, into a sha256 hash
  chain (previous hash + the transfer's immutable fields) and keeps the chain's end in a
  ``RetentionSeal`` per account. It streams the new transfers once and writes one row per account.
- ``check_records`` recomputes every chain (an edited, deleted or back-dated transfer breaks it)
  and checks that orders younger than three years still add up: lines to totals, paid orders to a
  successful payment of the same amount, refunds to what the order says was refunded.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from weishang.commissions.models import Transfer
from weishang.compliance.models import RetentionSeal
from weishang.orders.models import (
    ClaimStatus,
    Order,
    OrderStatus,
    QualityClaim,
    ReturnRequest,
    ReturnStatus,
)
from weishang.payments.models import Payment, Refund

RETENTION_YEARS = 3
GENESIS = "0" * 64
SEAL_LAG = timedelta(minutes=5)
TRANSFER_FIELDS = ("id", "debit_id", "credit_id", "amount_fen", "kind", "idempotency_key")
PAID_STATUSES = (
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.PARTIALLY_REFUNDED,
)


# The hash chain (pure) ---------------------------------------------------------------------------


def canonical_transfer(row: tuple) -> str:
    """A transfer's immutable fields, ``(id, debit, credit, amount_fen, kind, key, created_at)``,
    as one unambiguous line of JSON; the time in UTC to the microsecond."""
    *fields, created_at = row
    moment = created_at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps([*fields, moment], ensure_ascii=False, separators=(",", ":"))


def chain_link(previous: str, canonical: str) -> str:
    return hashlib.sha256(f"{previous}\n{canonical}".encode()).hexdigest()


def _transfers(**filters):
    return (
        Transfer.objects.filter(**filters)
        .order_by("id")
        .values_list(*TRANSFER_FIELDS, "created_at")
    )


# Sealing -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SealResult:
    accounts: int
    transfers: int
    up_to_transfer: int


def seal_ledger(
    *, now: datetime | None = None, lag: timedelta = SEAL_LAG, chunk: int = 5000
) -> SealResult:
    """Extends every account's chain over the transfers made since the last run.

    A transfer younger than ``lag`` and everything after it waits for the next run, so that a
    transaction that took an id but has not committed yet is not skipped over.
    """
    now = now or timezone.now()
    with transaction.atomic():
        # Locking every seal serialises two runs; accounts are few next to transfers.
        seals = {s.account_id: s for s in RetentionSeal.objects.select_for_update().order_by("pk")}
        watermark = max((s.last_transfer_id for s in seals.values()), default=0)
        young = Transfer.objects.filter(id__gt=watermark, created_at__gt=now - lag).aggregate(
            first=Min("id")
        )["first"]
        filters = {"id__gt": watermark}
        if young is not None:
            filters["id__lt"] = young
        state: dict[int, list] = {}
        count = 0
        for row in _transfers(**filters).iterator(chunk_size=chunk):
            count += 1
            canonical = canonical_transfer(row)
            for account_id in (row[1], row[2]):
                chain = state.get(account_id)
                if chain is None:
                    seal = seals.get(account_id)
                    chain = state[account_id] = (
                        [seal.chain_hash, seal.transfer_count, 0] if seal else [GENESIS, 0, 0]
                    )
                chain[0] = chain_link(chain[0], canonical)
                chain[1] += 1
                chain[2] = row[0]
        new, changed = [], []
        for account_id, (chain_hash, transfer_count, last_id) in state.items():
            seal = seals.get(account_id)
            if seal is None:
                seal = RetentionSeal(account_id=account_id)
                new.append(seal)
            else:
                changed.append(seal)
            seal.chain_hash, seal.transfer_count = chain_hash, transfer_count
            seal.last_transfer_id, seal.sealed_at = last_id, now
        RetentionSeal.objects.bulk_create(new, batch_size=1000)
        RetentionSeal.objects.bulk_update(
            changed,
            ["chain_hash", "transfer_count", "last_transfer_id", "sealed_at"],
            batch_size=1000,
        )
    top = max((row_id for *_, row_id in state.values()), default=watermark)
    return SealResult(accounts=len(state), transfers=count, up_to_transfer=top)


# Checking ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing that is missing or altered."""

    kind: str  # "ledger" or "orders"
    subject: str
    problem: str

    def __str__(self):
        return f"[{self.kind}] {self.subject}: {self.problem}"


@transaction.atomic  # one snapshot, and its cursor stays on one connection behind PgBouncer
def check_ledger(*, chunk: int = 5000) -> list[Finding]:
    """Recomputes every sealed chain from the transfers as they are now."""
    seals = {
        account_id: (last_id, chain_hash, transfer_count)
        for account_id, last_id, chain_hash, transfer_count in RetentionSeal.objects.values_list(
            "account_id", "last_transfer_id", "chain_hash", "transfer_count"
        )
    }
    if not seals:
        return []
    watermark = max(last_id for last_id, _, _ in seals.values())
    state: dict[int, list] = {}
    findings = []
    for row in _transfers(id__lte=watermark).iterator(chunk_size=chunk):
        canonical = canonical_transfer(row)
        for account_id in (row[1], row[2]):
            seal = seals.get(account_id)
            if seal is None or row[0] > seal[0]:
                findings.append(
                    Finding(
                        "ledger",
                        f"account {account_id}",
                        f"transfer #{row[0]} appeared after the ledger was sealed",
                    )
                )
                continue
            chain = state.setdefault(account_id, [GENESIS, 0])
            chain[0] = chain_link(chain[0], canonical)
            chain[1] += 1
    for account_id, (last_id, chain_hash, transfer_count) in sorted(seals.items()):
        found_hash, found_count = state.get(account_id, (GENESIS, 0))
        if found_hash != chain_hash:
            findings.append(
                Finding(
                    "ledger",
                    f"account {account_id}",
                    f"its transfers up to #{last_id} were altered or deleted "
                    f"(sealed {transfer_count}, found {found_count})",
                )
            )
    return findings


def retention_start(now: datetime) -> datetime:
    try:
        return now.replace(year=now.year - RETENTION_YEARS)
    except ValueError:  # 29 February
        return now.replace(year=now.year - RETENTION_YEARS, day=28)


@transaction.atomic  # one snapshot, and its cursors stay on one connection behind PgBouncer
def check_orders(*, now: datetime | None = None) -> list[Finding]:
    """Orders placed in the last three years, with their lines, payments and refunds, add up."""
    since = retention_start(now or timezone.now())
    recent = Order.objects.filter(placed_at__gte=since).order_by()
    findings = []

    def report(rows, problem):
        findings.extend(Finding("orders", f"order {number}", problem) for number in rows)

    report(
        recent.annotate(n=Count("lines"), lines_fen=Sum("lines__line_total_fen"))
        .filter(Q(n=0) | ~Q(lines_fen=F("total_fen")))
        .values_list("number", flat=True)
        .iterator(),
        "its lines are missing or no longer add up to its total",
    )
    succeeded = Payment.objects.filter(order=OuterRef("pk"), status=Payment.Status.SUCCEEDED)
    report(
        recent.filter(Q(paid_at__isnull=False) | Q(status__in=PAID_STATUSES))
        .exclude(Exists(succeeded))
        .values_list("number", flat=True)
        .iterator(),
        "it was paid but has no successful payment",
    )
    report(
        Payment.objects.filter(order__placed_at__gte=since, status=Payment.Status.SUCCEEDED)
        .exclude(amount_fen=F("order__total_fen"))
        .values_list("order__number", flat=True)
        .iterator(),
        "its successful payment differs from its total",
    )
    report(
        recent.annotate(refunds_fen=Coalesce(Sum("payments__refunds__amount_fen"), 0))
        .exclude(refunds_fen=F("refunded_fen"))
        .values_list("number", flat=True)
        .iterator(),
        "its refunds do not add up to what it says was refunded",
    )
    report(
        Refund.objects.filter(payment__order__placed_at__gte=since)
        .exclude(payment__status=Payment.Status.SUCCEEDED)
        .values_list("payment__order__number", flat=True)
        .iterator(),
        "a refund was made on a payment that never succeeded",
    )
    refund_for_return = Refund.objects.filter(return_number=OuterRef("number"))
    report(
        ReturnRequest.objects.filter(order__placed_at__gte=since, status=ReturnStatus.REFUNDED)
        .exclude(Exists(refund_for_return))
        .values_list("order__number", flat=True)
        .iterator(),
        "a return was marked refunded without a refund",
    )
    report(
        QualityClaim.objects.filter(order__placed_at__gte=since, status=ClaimStatus.REFUNDED)
        .exclude(Exists(refund_for_return))
        .values_list("order__number", flat=True)
        .iterator(),
        "a quality claim was marked refunded without a refund",
    )
    return findings


def check_records(*, now: datetime | None = None) -> list[Finding]:
    return check_ledger() + check_orders(now=now)


def last_sealed_transfer() -> int:
    return RetentionSeal.objects.aggregate(top=Max("last_transfer_id"))["top"] or 0
