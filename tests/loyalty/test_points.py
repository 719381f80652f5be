"""Points on the one ledger: granted in lots, spent first-expiring first, returned to the lots
they came from, never mixed with money."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from weishang.commissions import ledger
from weishang.commissions.models import Account
from weishang.loyalty import points
from weishang.loyalty.errors import LoyaltyError
from weishang.loyalty.models import LoyaltySettings

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def grant(customer, n, key, at=NOW):
    with transaction.atomic():
        return points.grant_points(customer_id=customer.pk, points=n, key=key, reason="r", now=at)


def spend(customer, n, key, at=NOW):
    with transaction.atomic():
        points.spend_points(customer_id=customer.pk, points=n, key=key, reason="r", now=at)


def give_back(customer, spent_key, n, key, at=NOW):
    with transaction.atomic():
        return points.return_points(
            customer_id=customer.pk, spent_key=spent_key, points=n, key=key, reason="r", now=at
        )


def test_a_grant_is_a_lot_and_a_ledger_transfer_once_per_key(customer):
    lot = grant(customer, 300, "order:1")
    again = grant(customer, 300, "order:1")
    assert lot.pk == again.pk
    assert points.points_balance(customer.pk) == 300
    assert lot.expires_at == NOW + timedelta(days=LoyaltySettings.current().points_valid_days)
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


def test_spending_takes_the_lots_that_expire_first(customer):
    old = grant(customer, 100, "a", at=NOW - timedelta(days=300))
    new = grant(customer, 100, "b", at=NOW - timedelta(days=10))
    spend(customer, 150, "order:9")
    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.remaining, new.remaining) == (0, 50)
    assert points.points_balance(customer.pk) == 50


def test_points_past_their_expiry_cannot_be_spent(customer):
    grant(customer, 100, "a", at=NOW - timedelta(days=400))
    grant(customer, 40, "b")
    assert points.spendable_points(customer.pk, NOW) == 40
    with pytest.raises(LoyaltyError, match="100 points"):
        spend(customer, 100, "order:1")
    assert points.points_balance(customer.pk) == 140


def test_returned_points_go_back_to_their_lots_and_an_expired_lot_takes_them_as_expired(customer):
    soon = grant(customer, 100, "a", at=NOW - timedelta(days=360))
    later = grant(customer, 100, "b")
    spend(customer, 150, "order:1")
    after_expiry = NOW + timedelta(days=10)
    assert give_back(customer, "order:1", 120, "refund:1", at=after_expiry) == 120
    assert give_back(customer, "order:1", 120, "refund:1", at=after_expiry) == 0
    soon.refresh_from_db()
    later.refresh_from_db()
    # 50 came from the later lot and return there; 70 of the 100 from the expired lot expire.
    assert (later.remaining, soon.remaining, soon.expired) == (100, 0, 70)
    assert points.points_balance(customer.pk) == 100
    assert give_back(customer, "order:1", 500, "refund:2", at=after_expiry) == 30


def test_points_and_money_never_meet_in_one_transfer(customer):
    with pytest.raises(ledger.LedgerConflict):
        ledger.transfer(
            debit=ledger.brand_account(Account.Kind.CASHBACK_EXPENSE),
            credit=ledger.customer_account(customer.pk, Account.Kind.CUSTOMER_POINTS),
            amount_fen=10,
            key="mixed",
            kind="x",
            now=NOW,
        )
