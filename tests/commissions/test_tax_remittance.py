"""Paying withheld tax to the tax office: a balanced transfer out of tax payable, never more than
was withheld, each receipt number once, audited."""

import pytest
from django.utils import timezone, translation

from weishang.commissions import ledger, tax_remittance
from weishang.commissions.models import Account, Transfer
from weishang.commissions.services import CommissionError
from weishang.compliance.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def withheld():
    ledger.transfer(
        debit=ledger.brand_account(Account.Kind.BRAND_EXPENSE),
        credit=ledger.brand_account(Account.Kind.TAX_PAYABLE),
        amount_fen=1_240,
        key="withhold:1",
        kind="withhold",
        now=timezone.now(),
    )


def test_a_payment_moves_the_tax_out_of_payable_and_is_audited(withheld, staff):
    transfer = tax_remittance.remit_withheld_tax(
        actor=staff, amount_fen=1_000, reference="3650000123"
    )
    assert tax_remittance.tax_payable_fen() == 240
    assert ledger.balance_of(ledger.brand_account(Account.Kind.TAX_REMITTED)) == 1_000
    assert (transfer.kind, transfer.memo) == ("tax_remit", "3650000123")
    entry = AuditEntry.objects.get(action="tax.remit")
    assert entry.actor == staff
    assert entry.after["amount_fen"] == 1_000 and entry.after["still_payable_fen"] == 240
    assert tax_remittance.remittances() == [transfer]


@pytest.mark.parametrize(
    ("amount_fen", "reference", "message"),
    [
        (1_241, "3650000123", "Only ¥12.40"),
        (0, "3650000123", "greater than zero"),
        (100, "  ", "receipt number"),
    ],
)
def test_more_than_was_withheld_or_a_bad_entry_is_refused(
    withheld, staff, amount_fen, reference, message
):
    with translation.override("en"), pytest.raises(CommissionError) as exc:
        tax_remittance.remit_withheld_tax(actor=staff, amount_fen=amount_fen, reference=reference)
    assert message in exc.value.message
    assert not Transfer.objects.filter(kind="tax_remit").exists()
    assert tax_remittance.tax_payable_fen() == 1_240


def test_the_same_receipt_is_recorded_once(withheld, staff):
    tax_remittance.remit_withheld_tax(actor=staff, amount_fen=500, reference="3650000123")
    with translation.override("en"), pytest.raises(CommissionError, match="already recorded"):
        tax_remittance.remit_withheld_tax(actor=staff, amount_fen=500, reference="3650000123")
    assert tax_remittance.tax_payable_fen() == 740
    assert AuditEntry.objects.filter(action="tax.remit").count() == 1
