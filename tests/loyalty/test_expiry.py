"""The daily expiry moves what is left of each lot past its period to points_expired, once."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from weishang.commissions import ledger
from weishang.commissions.models import Account, Transfer
from weishang.loyalty import points
from weishang.loyalty.models import PointsLot

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def run(*args):
    out = StringIO()
    call_command("expire_points", *args, stdout=out)
    return out.getvalue()


def grant(customer, n, key, at):
    with transaction.atomic():
        return points.grant_points(customer_id=customer.pk, points=n, key=key, reason="r", now=at)


def test_expiry_takes_what_is_left_of_lots_past_their_period_and_is_idempotent(
    make_customer,
):
    alice, bob = make_customer(), make_customer()
    old = grant(alice, 100, "a-old", NOW - timedelta(days=400))
    grant(alice, 50, "a-new", NOW)
    grant(bob, 30, "b-old", NOW - timedelta(days=370))
    with transaction.atomic():
        points.spend_points(
            customer_id=alice.pk,
            points=40,
            key="before",
            reason="r",
            now=NOW - timedelta(days=100),
        )
    moment = timezone.localtime(NOW).replace(tzinfo=None).isoformat()

    assert "Expired 90 points of 2 customers" in run("--now", moment)
    assert "Expired 0 points of 0 customers" in run("--now", moment)

    old.refresh_from_db()
    assert (old.remaining, old.expired) == (0, 60)
    assert points.points_balance(alice.pk) == 50
    assert points.points_balance(bob.pk) == 0
    expired = ledger.brand_account(Account.Kind.POINTS_EXPIRED)
    assert ledger.balance_of(expired) == 90
    assert Transfer.objects.filter(kind="points_expire").count() == 2
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


def test_points_returned_to_a_lot_that_later_expires_expire_again_under_a_new_key(customer):
    lot = grant(customer, 100, "lot", NOW - timedelta(days=300))
    with transaction.atomic():
        points.spend_points(customer_id=customer.pk, points=100, key="o", reason="r", now=NOW)
    run("--now", timezone.localtime(NOW + timedelta(days=70)).replace(tzinfo=None).isoformat())
    with transaction.atomic():
        points.return_points(
            customer_id=customer.pk, spent_key="o", points=30, key="back", reason="r", now=NOW
        )
    assert "Expired 30 points" in run("--now", (NOW + timedelta(days=70)).isoformat())
    lot.refresh_from_db()
    assert (lot.remaining, lot.expired) == (0, 30)
    assert points.points_balance(customer.pk) == 0
    assert PointsLot.objects.get(pk=lot.pk).expired == 30


def test_the_clock_must_be_a_date():
    with pytest.raises(CommandError, match="ISO 8601"):
        run("--now", "tomorrow")
