"""Products for points (积分兑换): points alone or points and cash, stock reserved like any order,
the points spent once and given back by a return."""

import pytest
from django.db import transaction
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.compliance.models import AuditEntry
from weishang.inventory.models import Stock
from weishang.loyalty import points, redemptions
from weishang.loyalty.errors import LoyaltyError
from weishang.orders import services as orders
from weishang.orders.models import OrderStatus
from weishang.payments.models import Payment
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def give(customer, n):
    with transaction.atomic():
        points.grant_points(customer_id=customer.pk, points=n, key=f"g{n}", reason="r", now=NOW)


def redeem(customer, redemption, quantity=1):
    return sales.redeem_product(
        customer=customer,
        redemption_id=redemption.pk,
        quantity=quantity,
        address=customer.addresses.get(),
    )


def test_points_alone_pay_the_order_at_once_and_reserve_its_stock(customer, staff, make_product):
    sku = make_product(price_fen=3_990, stock=5)
    offer = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=4_000, cash_fen=0)
    assert AuditEntry.objects.filter(action="redemption.offer").count() == 1
    give(customer, 9_000)
    order = redeem(customer, offer, quantity=2)
    assert (order.status, order.total_fen, order.points, order.points_fen) == (
        OrderStatus.PAID,
        0,
        8_000,
        7_980,
    )
    assert not Payment.objects.exists()
    assert points.points_balance(customer.pk) == 1_000
    assert Stock.objects.get(sku=sku).reserved == 2


def test_points_and_cash_leave_the_cash_to_the_payment_and_a_return_gives_the_points_back(
    customer, staff, make_product
):
    sku = make_product(price_fen=5_000)
    offer = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=2_000, cash_fen=990)
    give(customer, 4_000)
    order = deliver(pay(redeem(customer, offer, quantity=2)))
    assert (order.total_fen, order.points, order.points_fen) == (1_980, 4_000, 8_020)
    line = order.lines.get()
    rr = orders.request_return(order=order, customer=customer, quantities={line.pk: 1})
    assert (rr.refund_fen, rr.points) == (990, 2_000)
    rr = orders.receive_return(
        actor=None, return_request=orders.approve_return(actor=None, return_request=rr)
    )
    sales.refund_return(return_request=rr)
    assert points.points_balance(customer.pk) == 2_000


def test_too_few_points_place_nothing_and_reserve_nothing(customer, staff, make_product):
    sku = make_product(price_fen=3_990, stock=5)
    offer = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=4_000, cash_fen=0)
    give(customer, 3_999)
    with pytest.raises(LoyaltyError, match="4000 points"):
        redeem(customer, offer)
    assert not customer.orders.exists()
    assert Stock.objects.get(sku=sku).reserved == 0


def test_terms_the_price_cannot_carry_and_retired_offers_are_refused(customer, staff, sku):
    with pytest.raises(LoyaltyError, match="less than the price"):
        redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=100, cash_fen=3_990)
    with pytest.raises(LoyaltyError):
        redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=0, cash_fen=0)
    offer = redemptions.offer_redemption(actor=staff, sku_id=sku.pk, points=100, cash_fen=0)
    redemptions.retire_redemption(actor=staff, redemption_id=offer.pk)
    give(customer, 1_000)
    with pytest.raises(LoyaltyError, match="no longer offered"):
        redeem(customer, offer)
    assert AuditEntry.objects.filter(action="redemption.retire").count() == 1
