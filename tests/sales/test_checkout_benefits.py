"""The whole pricing rule at checkout (docs/pricing.md): member discount, the best coupons by
default, points and wallet; commission on what the payment paid; a partial refund giving back
commission, points and wallet pro rata; coupons back when an unpaid order is cancelled."""

import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import deliver, pay
from tests.loyalty.flows import make_tiers
from weishang.commissions import ledger
from weishang.commissions.models import Commission, CommissionPlan
from weishang.distribution.models import Binding
from weishang.loyalty import coupons, points, wallet
from weishang.loyalty.models import Coupon, MemberStatus
from weishang.orders import services as orders
from weishang.orders.errors import OrderError
from weishang.payments.models import Refund
from weishang.sales import services as sales
from weishang.sales.checkout import Choice

NOW = timezone.now()
EVERYTHING = Choice(use_points=True, use_wallet=True)


def template(staff, *, name="满100减20", stackable=False, **terms):
    base = {
        "name": name,
        "kind": "amount_off",
        "amount_off_fen": 2_000,
        "threshold_fen": 10_000,
        "scope": "all",
        "valid_days": 30,
        "per_customer_limit": 5,
        "stackable": stackable,
    }
    return coupons.save_coupon_template(actor=staff, terms=base | terms, now=NOW)


def give(customer, tmpl, key):
    with transaction.atomic():
        return coupons.issue_coupon(
            template_id=tmpl.pk, customer_id=customer.pk, source="manual", key=key, now=NOW
        )


def place(customer, items, choice=None, **options):
    return sales.place_order(
        customer=customer, items=items, address=customer.addresses.get(), choice=choice, **options
    )


@pytest.mark.django_db
def test_an_order_using_every_step_earns_commission_on_what_was_paid_and_a_refund_undoes_each(
    customer, make_product, make_distributor, staff
):
    CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=NOW)
    Binding.objects.create(
        customer=customer, distributor=make_distributor(), source="qr", bound_at=NOW
    )
    _normal, silver, _gold = make_tiers()
    MemberStatus.objects.create(customer=customer, tier=silver, spend_fen=10_000, reviewed_at=NOW)
    small, big = (
        give(customer, template(staff, name="小"), "a"),
        give(customer, template(staff, name="大", amount_off_fen=3_000, threshold_fen=20_000), "b"),
    )
    with transaction.atomic():
        points.grant_points(customer_id=customer.pk, points=2_000, key="g", reason="r", now=NOW)
        wallet.credit_wallet(
            customer_id=customer.pk, amount_fen=1_000, key="w", reason="r", now=NOW
        )
    sku = make_product(price_fen=10_000)

    order = deliver(pay(place(customer, {sku.pk: 3}, EVERYTHING)))

    # 30 000 − 5 % (1 500) − the best coupon (大: 3 000) − 2 000 points − 1 000 wallet = 22 500
    assert (order.member_discount_fen, order.coupon_fen) == (1_500, 3_000)
    assert (order.points_fen, order.wallet_fen, order.total_fen) == (2_000, 1_000, 22_500)
    assert Coupon.objects.get(pk=big.pk).order_number == order.number
    assert Coupon.objects.get(pk=small.pk).order_number == ""
    commission = Commission.objects.get()
    assert (commission.base_fen, commission.amount_fen) == (22_500, 2_250)

    line = order.lines.get()
    rr = orders.request_return(order=order, customer=customer, quantities={line.pk: 1})
    orders.receive_return(
        actor=None, return_request=orders.approve_return(actor=None, return_request=rr)
    )
    sales.refund_return(return_request=rr)
    rr.refresh_from_db()
    # A third of each part comes back: the payment's, the wallet's, the points'.
    assert (rr.refund_fen, rr.wallet_fen, rr.points) == (7_500, 333, 666)
    assert Refund.objects.get().amount_fen == 7_500
    assert points.points_balance(customer.pk) == 666
    assert wallet.wallet_balance(customer.pk) == 333
    commission.refresh_from_db()
    assert (commission.refunded_base_fen, commission.reversed_fen) == (7_500, 750)
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


@pytest.mark.django_db
def test_the_best_coupon_is_chosen_unless_he_unticks_it_and_cancelling_gives_it_back(
    customer, sku, staff
):
    coupon = give(customer, template(staff, threshold_fen=3_000), "a")
    first = place(customer, {sku.pk: 1})
    assert (first.coupon_fen, first.total_fen) == (2_000, 1_990)
    assert Coupon.objects.get(pk=coupon.pk).order_number == first.number
    sales.cancel_order(order=first, by_brand=False)
    assert Coupon.objects.get(pk=coupon.pk).order_number == ""
    second = place(customer, {sku.pk: 1}, Choice(coupon_ids=()))
    assert (second.coupon_fen, second.total_fen) == (0, 3_990)


@pytest.mark.django_db
def test_a_coupon_that_cannot_be_combined_is_refused_with_another(customer, sku, staff):
    alone = give(customer, template(staff, threshold_fen=0, amount_off_fen=100), "a")
    other = give(
        customer,
        template(staff, name="叠加", stackable=True, threshold_fen=0, amount_off_fen=50),
        "b",
    )
    with pytest.raises(OrderError, match="cannot be combined"):
        place(customer, {sku.pk: 1}, Choice(coupon_ids=(alone.pk, other.pk)))
    assert not customer.orders.exists()


@pytest.mark.django_db
def test_the_review_page_lists_his_coupons_with_the_best_ticked(client, customer, sku, staff):
    best = give(customer, template(staff, threshold_fen=3_000), "a")
    far = give(customer, template(staff, name="满500减50", threshold_fen=50_000), "b")
    client.force_login(customer.user)
    page = client.get(reverse("storefront:checkout") + f"?buy={sku.pk}")
    html = page.content.decode()
    assert html.count('data-testid="coupon-choice"') == 2
    assert f'value="{best.pk}" data-rereview checked' in html
    assert re.search(rf'value="{far.pk}"[^>]*disabled', html)  # ¥500 is out of reach
    assert page.context["total_fen"] == 1_990


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_at_once_cannot_use_the_same_coupon(
    postgres_only, make_customer, make_product, staff
):
    customer = make_customer()
    sku = make_product(price_fen=5_000, stock=10)
    give(customer, template(staff, threshold_fen=0), "a")
    results = run_in_parallel(lambda i: place(customer, {sku.pk: 1}, clear_cart=False), 2)
    placed = [r for r in results if not isinstance(r, Exception)]
    # Both reviews counted on the coupon; the second to lock it finds it used, and its whole
    # order is refused.
    assert [order.coupon_fen for order in placed] == [2_000]
    assert customer.orders.count() == 1
    assert Coupon.objects.exclude(order_number="").count() == 1
