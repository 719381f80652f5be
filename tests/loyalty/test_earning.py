"""Completed orders earn points at the customer's tier multiplier and move him up a tier; a
return moves him down; a refund after completion takes the order's points back pro rata."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from tests.sales.test_claims import file
from weishang.commissions import ledger
from weishang.loyalty import earning, points, selectors, tiers
from weishang.loyalty.models import MemberStatus, TierChange
from weishang.orders import services as orders
from weishang.sales import services as sales

from .flows import delivered, make_tiers

pytestmark = pytest.mark.django_db
NOW = timezone.now()
AFTER_WINDOW = NOW + timedelta(days=10)


def test_a_completed_order_earns_its_points_once_and_lifts_the_tier(customer, sku):
    normal, silver, _gold = make_tiers()
    order = delivered(customer, sku, quantity=3)  # ¥119.70

    assert sales.complete_orders(now=AFTER_WINDOW) == [order.pk]
    assert sales.complete_orders(now=AFTER_WINDOW) == []
    with transaction.atomic():
        earning.order_completed(order=order, now=AFTER_WINDOW)  # a second completion earns nothing

    assert points.points_balance(customer.pk) == 119  # earned at the tier he held: ×1
    change = TierChange.objects.get(customer=customer)
    assert (change.from_tier, change.to_tier, change.spend_fen) == (normal, silver, 11_970)
    assert (change.reason, change.reference) == ("order_completed", order.number)
    assert tiers.member_discount_bp(customer.pk) == 500
    assert tiers.points_multiplier_bp(customer.pk) == 15_000

    second = delivered(customer, sku)  # 银卡 pays ¥39.90 less 5 %: ¥37.91
    assert (second.member_discount_fen, second.total_fen) == (199, 3_791)
    assert sales.complete_orders(now=AFTER_WINDOW) == [second.pk]
    assert points.points_balance(customer.pk) == 119 + 56  # ¥37.91 × 1.5, floored
    assert TierChange.objects.count() == 1  # still silver: no change recorded
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


def test_without_tiers_orders_earn_at_x1_and_checkout_sees_no_discount(customer, sku):
    delivered(customer, sku, quantity=2)
    sales.complete_orders(now=AFTER_WINDOW)
    assert points.points_balance(customer.pk) == 79
    assert not MemberStatus.objects.exists()
    assert (tiers.member_discount_bp(customer.pk), tiers.points_multiplier_bp(customer.pk)) == (
        0,
        10_000,
    )


def test_the_spend_counts_orders_paid_in_the_window_less_refunds_and_freight(customer, sku):
    order = delivered(customer, sku, quantity=2)
    now = timezone.now()
    assert selectors.qualifying_spend_fen(customer.pk, now) == 7980
    assert selectors.qualifying_spend_fen(customer.pk, now + timedelta(days=366)) == 0
    order.__class__.objects.filter(pk=order.pk).update(
        total_fen=order.total_fen + 1000, freight_fen=1000, refunded_fen=3990
    )
    assert selectors.qualifying_spend_fen(customer.pk, now) == 3990


def test_a_return_takes_him_back_down(customer, sku):
    normal, silver, _gold = make_tiers()
    first = delivered(customer, sku, quantity=2, signed_at=timezone.now() - timedelta(days=10))
    second = delivered(customer, sku)
    assert sales.complete_orders(now=timezone.now()) == [first.pk]
    assert MemberStatus.objects.get(customer=customer).tier == silver  # both paid: ¥119.70

    rr = orders.request_return(
        order=second, customer=customer, quantities={second.lines.get().pk: 1}
    )
    orders.approve_return(actor=None, return_request=rr)
    rr = orders.receive_return(actor=None, return_request=rr)
    sales.refund_return(return_request=rr)  # reviews his tier in the refund's transaction

    change = TierChange.objects.filter(customer=customer).latest("pk")
    assert (change.from_tier, change.to_tier, change.spend_fen) == (silver, normal, 7980)
    assert (change.reason, change.reference) == ("refund", rr.number)
    assert MemberStatus.objects.get(customer=customer).tier == normal
    assert tiers.member_discount_bp(customer.pk) == 0


def test_a_refund_after_completion_takes_the_points_back_pro_rata_once(customer, sku, staff):
    delivered(customer, sku, quantity=10)  # ¥399.00 earns 399 points
    [order_id] = sales.complete_orders(now=AFTER_WINDOW)
    order = customer.orders.get(pk=order_id)
    claim = sales.refund_claim(
        claim=file(order, "refund", quantity=3, now=AFTER_WINDOW), actor=staff, reason="发霉"
    )

    def revoke(key, fen):
        with transaction.atomic():
            return earning.revoke_order_points(
                order=order, refunded_fen=fen, key=key, now=AFTER_WINDOW
            )

    # The claim's refund took back 3 of 10 of the 399 points, floored, in its own transaction.
    assert points.points_balance(customer.pk) == 399 - 119
    assert revoke(claim.number, claim.refund_fen) == 0
    # He spends what is left; the rest of the order refunded takes back nothing he lacks.
    with transaction.atomic():
        points.spend_points(
            customer_id=customer.pk, points=280, key="spent", reason="r", now=AFTER_WINDOW
        )
    assert revoke("claim:rest", 7 * 3990) == 0
    assert points.points_balance(customer.pk) == 0
    assert ledger.asset_totals() == {"fen": 0, "points": 0}
