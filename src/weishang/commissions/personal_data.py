"""The commissions' part of closing a customer's account: a distributor with commission not yet
settled or withdrawn keeps his account open. The ledger itself is kept."""

from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from weishang.distribution.personal_data import distributor_id_of

from .models import Commission, Transfer, Withdrawal

OPEN_COMMISSION = (
    Commission.Status.AWAITING_PAYMENT,
    Commission.Status.PENDING,
    Commission.Status.HELD,
)
OPEN_WITHDRAWAL = (Withdrawal.Status.REQUESTED, Withdrawal.Status.APPROVED)


def _unsettled(distributor_id: int) -> bool:
    if Commission.objects.filter(
        distributor_id=distributor_id, status__in=OPEN_COMMISSION
    ).exists():
        return True
    if Withdrawal.objects.filter(
        distributor_id=distributor_id, status__in=OPEN_WITHDRAWAL
    ).exists():
        return True
    totals = Transfer.objects.filter(
        Q(credit__distributor_id=distributor_id) | Q(debit__distributor_id=distributor_id)
    ).aggregate(
        received=Sum("amount_fen", filter=Q(credit__distributor_id=distributor_id)),
        given=Sum("amount_fen", filter=Q(debit__distributor_id=distributor_id)),
    )
    return (totals["received"] or 0) != (totals["given"] or 0)


def closure_blockers(customer) -> list[str]:
    distributor_id = distributor_id_of(customer)
    if distributor_id is None or not _unsettled(distributor_id):
        return []
    return [
        _(
            "You have commission that is not settled or not yet withdrawn; withdraw it, or "
            "wait until it is settled, before closing your account."
        )
    ]
