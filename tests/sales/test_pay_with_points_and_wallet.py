"""Paying part of an order with points and the cash-back wallet (the pricing rule's steps 4 and
5): what is spent, what the payment pays, what commission is earned on, and what comes back on
cancellation, expiry and returns."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import deliver, pay
from weishang.commissions import ledger
from weishang.commissions.models import Commission, CommissionPlan
from weishang.distribution.models import Binding
from weishang.loyalty import points, wallet
from weishang.loyalty.errors import LoyaltyError
from weishang.loyalty.settings import update_points_settings
from weishang.orders import services as orders
from weishang.orders.models import OrderStatus
from weishang.payments.models import Payment, Refund
from weishang.sales import services as sales
from weishang.sales.checkout import Choice

NOW = timezone.now()
BOTH = Choice(use_points=True, use_wallet=True)


def stock_up(customer, *, points_=0, wallet_fen=0):
    with transaction.atomic():
        if points_:
            points.grant_points(
                customer_id=customer.pk, points=points_, key=f"g{customer.pk}", reason="r", now=NOW
            )
        if wallet_fen:
            wallet.credit_wallet(
                customer_id=customer.pk,
                amount_fen=wallet_fen,
                key=f"w{customer.pk}",
                reason="r",
                now=NOW,
            )


def place(customer, items, choice=BOTH, **options):
    return sales.place_order(
        customer=customer, items=items, address=customer.addresses.get(), choice=choice, **options
    )


@pytest.fixture
def seller(make_distributor, customer):
    CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=NOW)
    distributor = make_distributor()
    Binding.objects.create(customer=customer, distributor=distributor, source="qr", bound_at=NOW)
    return distributor


@pytest.mark.django_db
def test_points_then_wallet_pay_part_and_commission_is_earned_on_what_the_payment_pays(
    customer, make_product, seller
):
    a, b = make_product(price_fen=6_000), make_product(price_fen=3_000)
    stock_up(customer, points_=2_000, wallet_fen=1_000)
    order = place(customer, {a.pk: 1, b.pk: 1})
    assert (order.points, order.points_fen, order.wallet_fen) == (2_000, 2_000, 1_000)
    assert order.total_fen == 9_000 - 3_000
    lines = {line.sku_id: line for line in order.lines.all()}
    assert (lines[a.pk].points_fen, lines[b.pk].points_fen) == (1_333, 667)
    assert sum(line.paid_fen for line in lines.values()) == 6_000
    bases = sorted(Commission.objects.values_list("base_fen", flat=True))
    assert bases == sorted(line.paid_fen for line in lines.values())
    assert points.points_balance(customer.pk) == 0 and wallet.wallet_balance(customer.pk) == 0
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


@pytest.mark.django_db
def test_an_order_the_points_and_wallet_pay_in_full_is_paid_at_once_without_a_payment(
    customer, sku
):
    stock_up(customer, points_=3_000, wallet_fen=990)
    order, payment = sales.place_order_to_pay(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get(), choice=BOTH
    )
    assert (order.status, order.total_fen, payment) == (OrderStatus.PAID, 0, None)
    assert not Payment.objects.exists()
    sales.cancel_order(order=order, by_brand=False)
    assert points.points_balance(customer.pk) == 3_000
    assert wallet.wallet_balance(customer.pk) == 990
    assert not Refund.objects.exists()


@pytest.mark.django_db
def test_cancelling_or_letting_an_unpaid_order_expire_gives_points_and_wallet_back(
    customer, make_product
):
    sku = make_product(price_fen=10_000)
    stock_up(customer, points_=500, wallet_fen=700)
    first = place(customer, {sku.pk: 1})
    assert (points.points_balance(customer.pk), wallet.wallet_balance(customer.pk)) == (0, 0)
    sales.cancel_order(order=first, by_brand=False)
    assert (points.points_balance(customer.pk), wallet.wallet_balance(customer.pk)) == (500, 700)
    second = place(customer, {sku.pk: 1})
    assert sales.expire_unpaid_orders(now=second.expires_at + timedelta(seconds=1)) == 1
    assert sales.expire_unpaid_orders(now=second.expires_at + timedelta(seconds=2)) == 0
    assert (points.points_balance(customer.pk), wallet.wallet_balance(customer.pk)) == (500, 700)
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


@pytest.mark.django_db
def test_a_return_gives_back_each_part_pro_rata_and_reverses_commission_on_the_paid_part(
    customer, make_product, seller
):
    sku = make_product(price_fen=3_000)
    stock_up(customer, points_=3_000, wallet_fen=1_500)
    order = deliver(pay(place(customer, {sku.pk: 3})))  # 9 000: 3 000 points, 1 500 wallet
    line = order.lines.get()
    rr = orders.request_return(order=order, customer=customer, quantities={line.pk: 1})
    assert (rr.refund_fen, rr.wallet_fen, rr.points) == (1_500, 500, 1_000)
    rr = orders.receive_return(
        actor=None, return_request=orders.approve_return(actor=None, return_request=rr)
    )
    sales.refund_return(return_request=rr)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 1_500)
    assert (points.points_balance(customer.pk), wallet.wallet_balance(customer.pk)) == (1_000, 500)
    assert Refund.objects.get().amount_fen == 1_500
    commission = Commission.objects.get()
    assert (commission.base_fen, commission.refunded_base_fen) == (4_500, 1_500)
    assert commission.reversed_fen == 150


@pytest.mark.django_db
def test_the_review_page_offers_points_and_wallet_and_places_what_it_showed(client, customer, sku):
    stock_up(customer, points_=1_000, wallet_fen=500)
    client.force_login(customer.user)
    page = client.post(
        reverse("storefront:checkout"),
        {f"qty_{sku.pk}": "1", "use_points": "on", "use_wallet": "on"},
    )
    html = page.content.decode()
    assert 'data-testid="use-points"' in html and 'data-testid="use-wallet"' in html
    total = page.context["total_fen"]
    assert total == 3_990 - 1_000 - 500
    placed = client.post(
        reverse("storefront:place_order"),
        {
            f"qty_{sku.pk}": "1",
            "use_points": "on",
            "use_wallet": "on",
            "address": customer.addresses.get().pk,
            "expected_total_fen": total,
        },
    )
    assert placed.status_code == 302
    order = customer.orders.get()
    assert (order.total_fen, order.points, order.wallet_fen) == (total, 1_000, 500)


@pytest.mark.django_db(transaction=True)
def test_two_checkouts_at_once_cannot_spend_the_same_wallet_money(
    postgres_only, make_customer, make_product
):
    customer = make_customer()
    sku = make_product(price_fen=1_000, stock=10)
    stock_up(customer, wallet_fen=800)

    def checkout(_i):
        return place(customer, {sku.pk: 1}, choice=Choice(use_wallet=True), clear_cart=False)

    results = run_in_parallel(checkout, 2)
    placed = [r for r in results if not isinstance(r, Exception)]
    refused = [r for r in results if isinstance(r, Exception)]
    # Both reviews counted on the 800; the second to take the wallet's lock finds it empty and
    # its whole order is refused, stock and all.
    assert [order.wallet_fen for order in placed] == [800]
    assert len(refused) == 1 and isinstance(refused[0], LoyaltyError)
    assert wallet.wallet_balance(customer.pk) == 0
    assert customer.orders.count() == 1


@pytest.mark.django_db
def test_points_pay_at_most_the_share_the_brand_sets(customer, make_product, staff):
    update_points_settings(
        actor=staff,
        points_per_yuan=1,
        fen_per_point=1,
        points_valid_days=365,
        tier_window_days=365,
        points_max_share_bp=1_000,
    )
    stock_up(customer, points_=5_000)
    order = place(customer, {make_product(price_fen=3_999).pk: 1}, Choice(use_points=True))
    assert (order.points, order.total_fen) == (399, 3_600)  # 10 % of ¥39.99, rounded down
