"""A line sold at the reseller's own price: charged at it, and its markup frozen, settled and
reversed on the one ledger exactly like commission (it replaces the plan's commission there)."""

import pytest
from django.utils import timezone

from tests.helpers import deliver
from weishang.commissions import selectors as commission_selectors
from weishang.commissions import services as commissions
from weishang.commissions.models import Account, Commission, Transfer
from weishang.orders.models import OrderLine
from weishang.reseller import services
from weishang.sales import services as sales

from ..commissions.conftest import (
    after_window,
    assert_ledger_balanced,
    balances,
    pay,
    place,
    return_lines,
)

pytestmark = pytest.mark.django_db
S = Commission.Status


def test_his_price_is_charged_and_the_markup_replaces_the_commission_on_that_line(
    plan, reseller, buyer, sku, make_product, band
):
    other = make_product(price_fen=2000)
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4500)
    order = place(buyer, {sku: 2, other: 1})
    resold = OrderLine.objects.get(order=order, sku=sku)
    plain = OrderLine.objects.get(order=order, sku=other)
    assert (resold.unit_price_fen, resold.line_total_fen) == (4500, 9000)
    assert plain.unit_price_fen == 2000  # not listed: the brand's price
    assert order.total_fen == 9000 + 2000 + order.freight_fen
    markup = Commission.objects.get(order_line=resold)
    assert (markup.kind, markup.amount_fen, markup.plan) == (Commission.Kind.MARKUP, 3000, None)
    commission = Commission.objects.get(order_line=plain)
    assert (commission.kind, commission.amount_fen) == (Commission.Kind.COMMISSION, 100)


def test_markup_from_payment_to_settlement_then_a_refund_after_it(plan, reseller, buyer, sku, band):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=5000)
    order = pay(place(buyer, {sku: 3}))
    markup = Commission.objects.get(order=order)
    assert markup.status == S.PENDING and markup.amount_fen == 6000
    assert balances(reseller)["pending"] == 6000
    brand_markup = Account.objects.get(kind=Account.Kind.BRAND_MARKUP)
    paid = Transfer.objects.get(commission=markup, kind="earn")
    assert paid.debit == brand_markup and paid.memo.startswith("markup ")
    events = commission_selectors.ledger_events(reseller)
    assert events[0].event == "Reseller markup earned"

    deliver(order)
    assert commissions.settle_commissions(now=timezone.now()) == 0
    assert commissions.settle_commissions(now=after_window()) == 1
    assert balances(reseller) == {"pending": 0, "held": 0, "available": 6000, "withdrawing": 0}

    line = order.lines.get()
    return_lines(order, {line: 1})  # one of three units back: a third of the markup
    markup.refresh_from_db()
    assert markup.reversed_fen == 2000
    assert balances(reseller)["available"] == 4000
    reversal = Transfer.objects.get(commission=markup, kind="reverse")
    assert reversal.credit == brand_markup
    assert_ledger_balanced()


def test_a_price_change_applies_to_new_orders_only(plan, reseller, buyer, sku, band):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    first = place(buyer, {sku: 1})
    services.set_price(distributor=reseller, sku=sku, price_fen=5500)
    second = place(buyer, {sku: 1})
    assert first.lines.get().unit_price_fen == 4000
    assert second.lines.get().unit_price_fen == 5500
    pay(first)
    assert Commission.objects.get(order=first).amount_fen == 1000


def test_a_suspended_price_or_a_revoked_reseller_sells_at_the_brands_price(
    plan, reseller, buyer, sku, band, staff
):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=5800)
    band(sku, 3000, 5000)  # his 58.00 is now above the ceiling
    order = place(buyer, {sku: 1})
    assert order.lines.get().unit_price_fen == sku.list_price_fen
    assert Commission.objects.get(order=order).kind == Commission.Kind.COMMISSION
    services.set_price(distributor=reseller, sku=sku, price_fen=4800)
    services.revoke_reseller(actor=staff, distributor=reseller, reason="stopped")
    order = place(buyer, {sku: 1})
    assert order.lines.get().unit_price_fen == sku.list_price_fen


def test_a_customer_nobody_brought_pays_the_brands_price(plan, reseller, customer, sku, band):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=5000)
    order = place(customer, {sku: 1})
    assert order.lines.get().unit_price_fen == sku.list_price_fen
    assert not Commission.objects.exists()


def test_markup_is_earned_without_a_plan_and_cancelling_a_paid_order_reverses_it(
    reseller, buyer, sku, band
):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=3500)
    order = pay(place(buyer, {sku: 2}))
    assert balances(reseller)["pending"] == 1000
    sales.cancel_order(order=order, by_brand=False)
    markup = Commission.objects.get(order=order)
    assert markup.status == S.REVERSED and markup.reversed_fen == 1000
    assert balances(reseller)["pending"] == 0
    assert_ledger_balanced()


def test_a_held_markup_is_released_or_rejected_like_commission(
    plan, reseller, buyer, sku, band, staff
):
    from weishang.distribution.models import ProgrammeSettings

    ProgrammeSettings.objects.update(review_order_amount_fen=100)  # every order is reviewed
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    order = pay(place(buyer, {sku: 1}))
    markup = Commission.objects.get(order=order)
    assert markup.status == S.HELD and balances(reseller)["held"] == 1000
    sales.reject_commission(commission=markup, actor=staff, reason="self-dealing")
    markup.refresh_from_db()
    assert markup.status == S.REJECTED and balances(reseller)["held"] == 0
    assert Transfer.objects.get(commission=markup, kind="reject").credit.kind == "brand_markup"
    assert_ledger_balanced()
