"""Commission is held for review when the buyer looks like the distributor under another account,
or when the brand's thresholds trip; the brand releases or rejects it."""

import pytest

from tests.helpers import deliver
from weishang.commissions import fraud, services
from weishang.commissions.models import Commission
from weishang.customers.models import Device
from weishang.orders.models import Order

from .conftest import after_window, assert_ledger_balanced, balances, pay, place

pytestmark = pytest.mark.django_db
S = Commission.Status


def held(order):
    return Commission.objects.get(order=order)


def test_an_ordinary_buyer_is_not_held(plan, seller, buyer, sku):
    commission = held(pay(place(buyer, {sku: 1})))
    assert commission.status == S.PENDING and commission.hold_reason == ""


def test_same_phone_as_the_distributor(plan, seller, buyer, sku):
    buyer.addresses.update(phone=seller.customer.mobile)
    commission = held(pay(place(buyer, {sku: 1})))
    assert commission.status == S.HELD and "phone" in commission.hold_reason
    assert balances(seller) == {"pending": 0, "held": 199, "available": 0, "withdrawing": 0}


def test_same_delivery_address_as_one_of_his_own(plan, seller, buyer, sku):
    own = seller.customer.addresses.get()
    buyer.addresses.update(detail=own.detail, district=own.district)
    commission = held(pay(place(buyer, {sku: 1})))
    assert commission.status == S.HELD and "address" in commission.hold_reason


def test_same_device_cookie(plan, seller, buyer, sku):
    from django.utils import timezone

    now = timezone.now()
    Device.objects.create(
        customer=seller.customer, device_id="dev-1", first_seen=now, last_seen=now
    )
    commission = held(pay(place(buyer, {sku: 1}, device_id="dev-1")))
    assert commission.status == S.HELD and "device" in commission.hold_reason
    other = held(pay(place(buyer, {sku: 1}, device_id="dev-2")))
    assert other.status == S.PENDING


def test_same_payment_account(plan, seller, buyer, sku, make_seller, bind):
    # The distributor once paid from this account for an order of his own.
    boss = make_seller()
    bind(seller.customer, boss)
    pay(place(seller.customer, {sku: 1}), payer_account="openid-seller")
    commission = held(pay(place(buyer, {sku: 1}), payer_account="openid-seller"))
    assert commission.status == S.HELD and "payment account" in commission.hold_reason


def test_order_above_the_amount_threshold(plan, programme, seller, buyer, sku):
    programme.review_order_amount_fen = 5000
    programme.save()
    assert held(pay(place(buyer, {sku: 1}))).status == S.PENDING  # 39.90
    commission = held(pay(place(buyer, {sku: 2})))  # 79.80
    assert commission.status == S.HELD and "total" in commission.hold_reason


def test_refund_rate_above_the_threshold_after_a_minimum_sample(
    plan, programme, seller, buyer, sku
):
    programme.review_refund_rate_bp = 3000
    programme.save()
    paid = [pay(place(buyer, {sku: 1})) for _ in range(fraud.REFUND_RATE_MIN_ORDERS)]
    Order.objects.filter(pk__in=[o.pk for o in paid[:4]]).update(refunded_fen=3990)  # 40 %
    commission = held(pay(place(buyer, {sku: 1})))
    assert commission.status == S.HELD and "refund rate" in commission.hold_reason


def test_refund_rate_ignored_on_a_small_sample():
    facts = fraud.Facts(100, "", "", "", "", paid_orders=3, paid_fen=300, refunded_fen=300)
    assert fraud.hold_reasons(facts, fraud.Thresholds(10_000, 3000)) == []
    facts = fraud.Facts(100, "", "", "", "", paid_orders=10, paid_fen=1000, refunded_fen=301)
    assert len(fraud.hold_reasons(facts, fraud.Thresholds(10_000, 3000))) == 1


def test_release_makes_it_pending_and_it_settles(plan, seller, buyer, sku, staff):
    buyer.addresses.update(phone=seller.customer.mobile)
    order = deliver(pay(place(buyer, {sku: 1})))
    assert services.settle_commissions(now=after_window()) == 0  # held never settles
    services.release_commission(commission=held(order), actor=staff, note="his sister")
    assert held(order).status == S.PENDING
    assert balances(seller)["held"] == 0 and balances(seller)["pending"] == 199
    assert services.settle_commissions(now=after_window()) == 1
    assert balances(seller)["available"] == 199
    assert_ledger_balanced()


def test_reject_needs_a_reason_and_returns_the_money(plan, seller, buyer, sku, staff):
    buyer.addresses.update(phone=seller.customer.mobile)
    order = deliver(pay(place(buyer, {sku: 1})))
    with pytest.raises(services.CommissionError, match="why"):
        services.reject_commission(commission=held(order), actor=staff, reason="  ")
    assert held(order).status == S.HELD
    services.reject_commission(commission=held(order), actor=staff, reason="self-purchase")
    commission = held(order)
    assert commission.status == S.REJECTED and commission.review_note == "self-purchase"
    assert balances(seller) == {"pending": 0, "held": 0, "available": 0, "withdrawing": 0}
    assert services.settle_commissions(now=after_window()) == 0
    with pytest.raises(services.CommissionError):
        services.release_commission(commission=commission, actor=staff)
    assert held(order).status == S.REJECTED
    assert_ledger_balanced()


def test_a_refund_of_a_held_commission_comes_out_of_held(plan, seller, buyer, sku):
    from weishang.sales import services as sales

    buyer.addresses.update(phone=seller.customer.mobile)
    order = pay(place(buyer, {sku: 1}))
    sales.cancel_order(order=order, by_brand=False)
    assert balances(seller)["held"] == 0
    assert_ledger_balanced()
