"""A commission from placement to payout, and what cancellation, expiry and refunds do to it."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import deliver
from weishang.commissions import rules, services
from weishang.commissions.models import Commission, Transfer, Withdrawal
from weishang.sales import services as sales

from .conftest import after_window, assert_ledger_balanced, balances, pay, place, return_lines

pytestmark = pytest.mark.django_db
S = Commission.Status


def test_place_pay_deliver_settle_withdraw_and_pay_out(
    plan, seller, buyer, sku, staff, django_capture_on_commit_callbacks
):
    order = place(buyer, {sku: 2})  # 2 × 39.90 at 5 %
    commission = Commission.objects.get(order=order)
    assert (commission.status, commission.base_fen, commission.rate_bp) == (
        S.AWAITING_PAYMENT,
        7980,
        500,
    )
    assert commission.amount_fen == 399 and commission.level == 1
    assert commission.rule == "v1:default"
    assert balances(seller)["pending"] == 0

    pay(order)
    commission.refresh_from_db()
    assert commission.status == S.PENDING
    assert balances(seller) == {"pending": 399, "held": 0, "available": 0, "withdrawing": 0}

    deliver(order)
    assert services.settle_commissions(now=timezone.now()) == 0  # window still open
    assert services.settle_commissions(now=after_window()) == 1
    commission.refresh_from_db()
    assert commission.status == S.AVAILABLE and commission.settled_at is not None
    assert balances(seller)["available"] == 399 and balances(seller)["pending"] == 0

    from weishang.distribution.models import ProgrammeSettings

    ProgrammeSettings.objects.update(withdrawal_min_fen=100)
    w = services.request_withdrawal(distributor=seller, amount_fen=300, request_key="k1")
    assert balances(seller)["available"] == 99 and balances(seller)["withdrawing"] == 300
    services.approve_withdrawal(withdrawal=w, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_withdrawal_paid(withdrawal=w, actor=staff, payout_reference="WX-0001")
    w.refresh_from_db()
    assert w.status == Withdrawal.Status.PAID and w.payout_reference == "WX-0001"
    assert balances(seller) == {"pending": 0, "held": 0, "available": 99, "withdrawing": 0}
    assert_ledger_balanced()


def test_no_plan_or_no_distributor_quotes_nothing(seller, buyer, customer, sku, make_plan):
    assert Commission.objects.count() == 0
    place(buyer, {sku: 1})  # no plan yet
    make_plan(500)
    place(customer, {sku: 1})  # nobody brought this customer
    assert Commission.objects.count() == 0


def test_order_keeps_the_rate_it_was_priced_with(make_plan, seller, buyer, sku):
    make_plan(500)
    order = place(buyer, {sku: 1})
    make_plan(800)
    pay(order)
    assert Commission.objects.get(order=order).rate_bp == 500


def test_second_level_only_in_an_advisory_plan_and_never_a_third(
    make_plan, make_seller, bind, make_customer, sku
):
    grand = make_seller()
    inviter = make_seller(invited_by=grand)
    seller = make_seller(invited_by=inviter)
    make_plan(500)
    place(bind(make_customer(), seller), {sku: 1})
    assert list(Commission.objects.values_list("distributor_id", "level")) == [(seller.pk, 1)]
    make_plan(500, second_level_rate_bp=100)
    order = place(bind(make_customer(), seller), {sku: 1})
    got = set(
        Commission.objects.filter(order=order).values_list("distributor_id", "level", "amount_fen")
    )
    assert got == {(seller.pk, 1, 199), (inviter.pk, 2, 39)}


def test_cancelled_or_expired_unpaid_orders_void_their_commission(plan, buyer, sku):
    order = place(buyer, {sku: 1})
    sales.cancel_order(order=order, by_brand=False)
    expired = place(buyer, {sku: 1})
    sales.expire_unpaid_orders(now=timezone.now() + timedelta(hours=2))
    assert set(Commission.objects.values_list("status", flat=True)) == {S.VOID}
    assert not Transfer.objects.exists()
    assert Commission.objects.filter(order=expired).exists()


def test_customer_cancelling_a_paid_order_reverses_everything(plan, seller, buyer, sku):
    order = pay(place(buyer, {sku: 3}))
    sales.cancel_order(order=order, by_brand=False)
    commission = Commission.objects.get(order=order)
    assert commission.reversed_fen == commission.amount_fen == 598
    assert balances(seller)["pending"] == 0
    assert services.settle_commissions(now=after_window()) == 0
    assert_ledger_balanced()


def test_partial_returns_reverse_pro_rata_at_the_locked_rate(
    make_plan, seller, buyer, make_product
):
    make_plan(333)
    a, b = make_product(price_fen=1001), make_product(price_fen=2999)
    order = deliver(pay(place(buyer, {a: 3, b: 1})))
    make_plan(2000)  # a later plan changes nothing already priced
    line_a = order.lines.get(sku=a)
    com_a = Commission.objects.get(order_line=line_a)
    assert (com_a.base_fen, com_a.amount_fen) == (3003, 99)  # floor(3003 × 3.33 %)
    return_lines(order, {line_a: 1})
    com_a.refresh_from_db()
    assert com_a.reversed_fen == 33  # floor(99 × 1001/3003)
    return_lines(order, {line_a: 1})
    com_a.refresh_from_db()
    assert com_a.reversed_fen == 66
    return_lines(order, {line_a: 1})
    com_a.refresh_from_db()
    assert com_a.reversed_fen == 99  # the pieces add up to the whole
    com_b = Commission.objects.get(order_line__sku=b)
    assert balances(seller)["pending"] == com_b.amount_fen == 99
    com_a.refresh_from_db()
    assert com_a.status == S.REVERSED  # refunded in full: nothing left to settle
    assert services.settle_commissions(now=after_window()) == 1
    assert balances(seller)["available"] == 99
    assert_ledger_balanced()


def test_a_refund_reverses_what_the_tested_rule_computes(
    plan, seller, buyer, make_product, monkeypatch
):
    """The service asks rules.reversal_fen (property-tested) instead of its own copy."""
    asked = []
    rule = rules.reversal_fen
    monkeypatch.setattr(rules, "reversal_fen", lambda **kw: asked.append(kw) or rule(**kw))
    sku = make_product(price_fen=1001)
    order = deliver(pay(place(buyer, {sku: 3})))
    line = order.lines.get()
    return_lines(order, {line: 1})
    commission = Commission.objects.get(order_line=line)
    assert asked == [
        {
            "amount_fen": commission.amount_fen,
            "whole_fen": 3003,
            "refunded_before_fen": 0,
            "refund_fen": 1001,
        }
    ]
    assert commission.reversed_fen == rule(**asked[0])
    assert_ledger_balanced()


def test_refund_after_settlement_leaves_a_debt_netted_against_later_earnings(
    plan, seller, buyer, sku, make_product, programme
):
    from weishang.orders.models import Order

    programme.withdrawal_min_fen = 100
    programme.save()
    order = deliver(pay(place(buyer, {sku: 10})))  # 399.00 × 5 % = 1995
    line = order.lines.get()
    # Settle while a return is still possible (the brand accepts a late one as goodwill): the
    # order completes, the commission is available and withdrawn.
    assert services.settle_commissions(now=after_window()) == 1
    services.request_withdrawal(distributor=seller, amount_fen=1900, request_key="w")
    assert balances(seller)["available"] == 95
    # A refund after settlement (customer returns 5 of 10 before the window closed in fact).
    Order.objects.filter(pk=order.pk).update(status="delivered")
    return_lines(order, {line: 5})
    commission = Commission.objects.get(order=order)
    assert commission.status == S.AVAILABLE and commission.reversed_fen == 997
    assert balances(seller)["available"] == 95 - 997  # a debt, not a silent loss
    with pytest.raises(services.WithdrawalError):
        services.request_withdrawal(distributor=seller, amount_fen=100, request_key="w2")
    # Later earnings pay the debt first.
    later = deliver(pay(place(buyer, {sku: 25})))
    assert later.total_fen == 99750
    services.settle_commissions(now=after_window())
    assert balances(seller)["available"] == 95 - 997 + 4987
    assert_ledger_balanced()


def test_settle_command_prints_how_many_moved(plan, buyer, sku):
    from io import StringIO

    from django.core.management import call_command

    deliver(pay(place(buyer, {sku: 1})))
    out = StringIO()
    call_command("settle", "--now", after_window().isoformat(), stdout=out)
    assert "Settled 1 commission " in out.getvalue()
    out = StringIO()
    call_command("settle", "--now", after_window().isoformat(), stdout=out)
    assert "Settled 0 commissions" in out.getvalue()
