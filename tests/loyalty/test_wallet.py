"""The cash-back wallet: credited once per key, spent under a lock, refunded back."""

import pytest
from django.db import transaction
from django.utils import timezone

from tests.concurrency import run_in_parallel
from weishang.commissions import ledger
from weishang.loyalty import wallet
from weishang.loyalty.errors import LoyaltyError

NOW = timezone.now()


def credit(customer, fen, key):
    with transaction.atomic():
        wallet.credit_wallet(customer_id=customer.pk, amount_fen=fen, key=key, reason="r", now=NOW)


def spend(customer_id, fen, key):
    with transaction.atomic():
        return wallet.spend_wallet(
            customer_id=customer_id, amount_fen=fen, key=key, reason="r", now=NOW
        )


@pytest.mark.django_db
def test_credit_spend_and_refund_move_money_through_the_ledger(customer):
    credit(customer, 1_000, "packet:1")
    credit(customer, 1_000, "packet:1")
    spend(customer.pk, 600, "order:1")
    spend(customer.pk, 600, "order:1")
    assert wallet.wallet_balance(customer.pk) == 400
    with pytest.raises(LoyaltyError, match="cannot pay"):
        spend(customer.pk, 401, "order:2")
    with transaction.atomic():
        wallet.refund_to_wallet(
            customer_id=customer.pk, amount_fen=200, key="return:1", reason="r", now=NOW
        )
    assert wallet.wallet_balance(customer.pk) == 600
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_at_once_cannot_spend_the_same_money(postgres_only, customer):
    credit(customer, 1_000, "packet:1")
    results = run_in_parallel(lambda i: spend(customer.pk, 700, f"order:{i}"), 2)
    assert sum(isinstance(r, LoyaltyError) for r in results) == 1
    assert wallet.wallet_balance(customer.pk) == 300
