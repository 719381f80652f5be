"""Row locks for the ledger, always taken in primary-key order so deadlocks cannot form."""

from .models import Account, Commission, Withdrawal


def lock_accounts(*, distributor_id: int, kinds):
    """The distributor's accounts of these kinds, locked (balances are read under this lock)."""
    return (
        Account.objects.filter(distributor_id=distributor_id, kind__in=list(kinds))
        .order_by("pk")
        .select_for_update()
    )


def lock_brand_account(kind: str) -> Account:
    """The brand's account of this kind, made if missing, then locked."""
    Account.objects.get_or_create(
        distributor=None, customer=None, kind=kind, defaults={"asset": Account.asset_of(kind)}
    )
    return (
        Account.objects.filter(distributor=None, customer=None, kind=kind).select_for_update().get()
    )


def lock_customer_account(*, customer_id: int, kind: str) -> Account:
    """The customer's points or wallet account, made if missing, then locked: spending reads the
    balance under this lock, so two checkouts cannot spend the same points or money."""
    Account.objects.get_or_create(
        customer_id=customer_id, kind=kind, defaults={"asset": Account.asset_of(kind)}
    )
    return Account.objects.filter(customer_id=customer_id, kind=kind).select_for_update().get()


def lock_commissions(**filters):
    return Commission.objects.filter(**filters).order_by("pk").select_for_update()


def lock_withdrawal(withdrawal_id: int) -> Withdrawal:
    return Withdrawal.objects.filter(pk=withdrawal_id).order_by("pk").select_for_update().get()
