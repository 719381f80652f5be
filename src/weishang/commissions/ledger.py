"""The one ledger: accounts and immutable double-entry transfers, for commission, the customers'
points and their cash-back wallets.

A transfer moves ``amount_fen`` out of its debit account into its credit account, both of one
asset (money in fen, or points), so every transfer's two postings sum to zero and, per asset, all
balances together always sum to zero. Balances are never stored: an account's balance is what it
received minus what it gave, read from transfers. Only the totals per account kind are kept
(``kind_totals``), as changes appended by every transfer and folded in from time to time.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, transaction
from django.db.models import IntegerField, Max, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from weishang import bulk

from .models import (
    Account,
    Asset,
    Commission,
    KindTotal,
    KindTotalChange,
    Transfer,
    Withdrawal,
)

Kind = Account.Kind
DISTRIBUTOR_KINDS = (Kind.PENDING, Kind.HELD, Kind.AVAILABLE, Kind.WITHDRAWING)


class LedgerConflict(Exception):
    """An idempotency key was reused for a different movement: a programming error, not a user's."""


def brand_account(kind: str) -> Account:
    account, _ = Account.objects.get_or_create(
        distributor=None, customer=None, kind=kind, defaults={"asset": Account.asset_of(kind)}
    )
    return account


def customer_account(customer_id: int, kind: str) -> Account:
    """The customer's points or wallet account, made on first use."""
    account, _ = Account.objects.get_or_create(
        customer_id=customer_id, kind=kind, defaults={"asset": Account.asset_of(kind)}
    )
    return account


def distributor_account(distributor_id: int, kind: str) -> Account:
    account, _ = Account.objects.get_or_create(distributor_id=distributor_id, kind=kind)
    return account


def ensure_accounts(distributor_ids: Iterable[int]) -> None:
    """Creates any missing distributor accounts in one statement (safe to run concurrently)."""
    Account.objects.bulk_create(
        [
            Account(distributor_id=d, kind=k)
            for d in set(distributor_ids)
            for k in DISTRIBUTOR_KINDS
        ],
        ignore_conflicts=True,
    )


def transfer(
    *,
    debit: Account,
    credit: Account,
    amount_fen: int,
    key: str,
    kind: str,
    now: datetime,
    commission: Commission | None = None,
    withdrawal: Withdrawal | None = None,
    memo: str = "",
) -> Transfer:
    """Records one movement once: the same key again returns the first transfer unchanged.
    Both accounts must hold the same asset: points and money never meet in one transfer."""
    if debit.asset != credit.asset:
        raise LedgerConflict(
            f"transfer {key!r} would move {debit.asset} into a {credit.asset} account"
        )
    existing = Transfer.objects.filter(idempotency_key=key).first()
    if existing is not None:
        if (existing.debit_id, existing.credit_id, existing.amount_fen) != (
            debit.pk,
            credit.pk,
            amount_fen,
        ):
            raise LedgerConflict(f"idempotency key {key!r} already names another transfer")
        return existing
    made = Transfer.objects.create(
        idempotency_key=key,
        debit=debit,
        credit=credit,
        amount_fen=amount_fen,
        kind=kind,
        commission=commission,
        withdrawal=withdrawal,
        memo=memo[:200],
        created_at=now,
    )
    KindTotalChange.objects.bulk_create(
        [
            KindTotalChange(kind=credit.kind, amount_fen=amount_fen),
            KindTotalChange(kind=debit.kind, amount_fen=-amount_fen),
        ]
    )
    return made


def recorded(key: str) -> bool:
    """Whether a transfer was recorded under this idempotency key."""
    return Transfer.objects.filter(idempotency_key=key).exists()


def _sum_of(field: str):
    total = (
        Transfer.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=Sum("amount_fen"))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def accounts_with_balances(accounts):
    """Annotates an Account queryset with ``balance_fen`` (received minus given), in one query."""
    return accounts.annotate(received_fen=_sum_of("credit"), given_fen=_sum_of("debit")).order_by(
        "pk"
    )


def balance_of(account: Account) -> int:
    received = Transfer.objects.filter(credit=account).aggregate(s=Sum("amount_fen"))["s"] or 0
    given = Transfer.objects.filter(debit=account).aggregate(s=Sum("amount_fen"))["s"] or 0
    return received - given


def balances_for(distributor_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """``{distributor_id: {kind: balance_fen}}`` for every distributor kind, in one query."""
    ids = list(distributor_ids)
    result = {d: dict.fromkeys(DISTRIBUTOR_KINDS, 0) for d in ids}
    rows = accounts_with_balances(Account.objects.filter(distributor_id__in=ids)).values_list(
        "distributor_id", "kind", "received_fen", "given_fen"
    )
    for distributor_id, kind, received, given in rows:
        result[distributor_id][kind] = received - given
    return result


def customer_balances(customer_id: int) -> dict[str, int]:
    """``{kind: balance}`` of the customer's points and wallet, in one query (zero for an
    account not yet made)."""
    result = dict.fromkeys(Account.CUSTOMER_KINDS, 0)
    rows = accounts_with_balances(Account.objects.filter(customer_id=customer_id)).values_list(
        "kind", "received_fen", "given_fen"
    )
    for kind, received, given in rows:
        result[kind] = received - given
    return result


def all_balances() -> dict[tuple[int | None, int | None, str], int]:
    """Every account's balance, keyed by (distributor_id, customer_id, kind); per asset they sum
    to zero. Two grouped scans of the transfers, so it stays fast however many accounts and
    transfers there are."""
    received = dict(
        Transfer.objects.order_by().values_list("credit_id").annotate(s=Sum("amount_fen"))
    )
    given = dict(Transfer.objects.order_by().values_list("debit_id").annotate(s=Sum("amount_fen")))
    return {
        (distributor_id, customer_id, kind): received.get(pk, 0) - given.get(pk, 0)
        for pk, distributor_id, customer_id, kind in Account.objects.values_list(
            "pk", "distributor_id", "customer_id", "kind"
        )
    }


def kind_totals(kinds: Iterable[str]) -> dict[str, int]:
    """What all accounts of each kind hold together (for a distributor's kinds, what the brand owes
    its distributors pending, available, …): the folded totals plus the changes not yet folded,
    read in one statement, so a fold committing meanwhile is seen whole or not at all."""
    kinds = list(kinds)
    totals = dict.fromkeys(kinds, 0)
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(kinds))
        cursor.execute(
            f"""SELECT kind, SUM(amount_fen) FROM (
                SELECT kind, amount_fen FROM {KindTotal._meta.db_table} WHERE kind IN ({marks})
                UNION ALL
                SELECT kind, amount_fen FROM {KindTotalChange._meta.db_table}
                WHERE kind IN ({marks})
            ) AS parts GROUP BY kind""",
            [*kinds, *kinds],
        )
        for kind, amount in cursor.fetchall():
            totals[kind] = int(amount)
    return totals


@transaction.atomic
def fold_kind_totals() -> int:
    """Moves the changes appended so far into the totals; returns how many it folded. Safe to
    run at any time and in several processes (each change is deleted by exactly one)."""
    last = KindTotalChange.objects.aggregate(m=Max("pk"))["m"]
    if last is None:
        return 0
    changes = KindTotalChange.objects.filter(pk__lte=last).select_for_update(skip_locked=True)
    picked = list(changes.values_list("pk", "kind", "amount_fen"))
    sums: dict[str, int] = {}
    for _pk, kind, amount in picked:
        sums[kind] = sums.get(kind, 0) + amount
    for kind in sorted(sums):
        bulk.add_to(KindTotal, {"kind": kind}, {"amount_fen": sums[kind]})
    KindTotalChange.objects.filter(pk__in=[pk for pk, _kind, _amount in picked]).delete()
    return len(picked)


@transaction.atomic
def rebuild_kind_totals() -> None:
    """The totals counted again from every transfer (after a bulk load that wrote transfers
    directly)."""
    KindTotalChange.objects.all().delete()
    KindTotal.objects.all().delete()
    totals: dict[str, int] = {}
    for side, sign in (("credit", 1), ("debit", -1)):
        rows = (
            Transfer.objects.order_by().values_list(f"{side}__kind").annotate(s=Sum("amount_fen"))
        )
        for kind, amount in rows:
            totals[kind] = totals.get(kind, 0) + sign * amount
    KindTotal.objects.bulk_create(
        [KindTotal(kind=kind, amount_fen=amount) for kind, amount in sorted(totals.items())]
    )


def asset_totals() -> dict[str, int]:
    """The sum of all balances of each asset: zero for every asset, or the ledger is broken."""
    totals = dict.fromkeys(Asset.values, 0)
    for (_distributor, _customer, kind), balance in all_balances().items():
        totals[Account.asset_of(kind)] += balance
    return totals
