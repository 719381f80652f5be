"""Paying the income tax withheld from payouts over to the tax office: the brand records each
payment with the tax office's receipt number, and the ledger moves it out of tax payable."""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.compliance import audit
from weishang.money import format_fen

from . import ledger
from .locks import lock_brand_account
from .models import Account, Transfer
from .services import CommissionError

KIND = "tax_remit"


def _key(reference: str) -> str:
    return f"{KIND}:{reference}"


def tax_payable_fen() -> int:
    """Withheld tax not yet paid to the tax office."""
    return ledger.balance_of(ledger.brand_account(Account.Kind.TAX_PAYABLE))


def remittances(limit: int = 12) -> list[Transfer]:
    """The latest payments to the tax office, newest first."""
    return list(Transfer.objects.filter(kind=KIND).order_by("-created_at", "-pk")[:limit])


@transaction.atomic
def remit_withheld_tax(
    *, actor, amount_fen: int, reference: str, now: datetime | None = None
) -> Transfer:
    """Records a payment of withheld tax to the tax office (its receipt number, 完税凭证号, once);
    it can never exceed what was withheld and not yet paid."""
    reference = (reference or "").strip()
    if not reference:
        raise CommissionError(_("Enter the tax office's receipt number."), code="no_reference")
    if type(amount_fen) is not int or amount_fen <= 0:
        raise CommissionError(_("Enter an amount greater than zero."), code="bad_amount")
    payable = lock_brand_account(Account.Kind.TAX_PAYABLE)
    if Transfer.objects.filter(idempotency_key=_key(reference)).exists():
        raise CommissionError(
            _("Receipt %(reference)s is already recorded.") % {"reference": reference},
            code="duplicate_reference",
        )
    owed = ledger.balance_of(payable)
    if amount_fen > owed:
        raise CommissionError(
            _("Only %(owed)s of withheld tax is still to be paid to the tax office.")
            % {"owed": format_fen(owed)},
            code="above_payable",
        )
    transfer = ledger.transfer(
        debit=payable,
        credit=ledger.brand_account(Account.Kind.TAX_REMITTED),
        amount_fen=amount_fen,
        key=_key(reference),
        kind=KIND,
        now=now or timezone.now(),
        memo=reference,
    )
    audit.record(
        actor=actor,
        action="tax.remit",
        obj=transfer,
        after={
            "amount_fen": amount_fen,
            "reference": reference,
            "still_payable_fen": owed - amount_fen,
        },
    )
    return transfer
