from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from weishang.inventory.models import Stock
from weishang.orders import services
from weishang.orders.errors import OrderError
from weishang.orders.models import OrderStatus, ReturnStatus
from weishang.orders.rules import IllegalTransition, check_transition, return_window_closes
from weishang.payments.models import Refund
from weishang.sales import services as sales

from .test_checkout_flow import pay

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_window_runs_seven_full_days_from_the_day_after_sign_for():
    signed = datetime(2026, 11, 1, 23, 59, tzinfo=SHANGHAI)
    assert return_window_closes(signed, SHANGHAI) == datetime(2026, 11, 9, 0, 0, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    "current, target",
    [
        ("pending_payment", "shipped"),
        ("completed", "delivered"),  # a quality claim may still refund it (Art. 24)
        ("cancelled", "paid"),
        ("shipped", "paid"),
    ],
)
def test_illegal_transitions_raise_a_clear_error(current, target):
    with pytest.raises(IllegalTransition, match="cannot become"):
        check_transition(current, target)


def delivered_order(customer, skus, signed_at):
    order = sales.place_order(
        customer=customer,
        items={sku.pk: 2 for sku in skus},
        address=customer.addresses.get(),
        confirm_return_exclusion=True,
    )
    pay(order)
    services.ship_order(
        actor=None,
        order=order,
        carrier="sf",
        tracking_no="SF1402837465920",
        now=signed_at - timedelta(days=2),
    )
    return services.mark_delivered(actor=None, order=order, signed_at=signed_at)


@pytest.mark.django_db
def test_partial_return_is_refunded_and_restocked_then_order_completes(customer, sku):
    signed = timezone.now() - timedelta(days=1)
    order = delivered_order(customer, [sku], signed)
    line = order.lines.get()
    rr = services.request_return(order=order, customer=customer, quantities={line.pk: 1})
    assert rr.refund_fen == line.unit_price_fen
    services.approve_return(actor=None, return_request=rr)
    # An open return holds completion even after the window.
    assert services.complete_orders(now=signed + timedelta(days=10)) == []
    rr = services.receive_return(actor=None, return_request=rr)
    assert rr.refund_due_at - rr.received_at == timedelta(days=7)
    assert Stock.objects.get(sku=sku).on_hand == 99
    sales.refund_return(return_request=rr)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (
        OrderStatus.PARTIALLY_REFUNDED,
        line.unit_price_fen,
    )
    assert Refund.objects.get(return_number=rr.number).amount_fen == line.unit_price_fen
    with pytest.raises(OrderError):
        sales.refund_return(return_request=rr)
    assert Refund.objects.count() == 1
    assert len(services.complete_orders(now=signed + timedelta(days=10))) == 1


@pytest.mark.django_db
def test_returns_are_refused_after_the_window_and_for_excluded_goods(customer, make_product):
    normal = make_product()
    fresh = make_product(return_class="perishable")
    opened = make_product(return_class="excludable", exclusion_reason="拆封后影响二次销售")
    signed = datetime(2026, 11, 1, 10, 0, tzinfo=SHANGHAI)
    order = delivered_order(customer, [normal, fresh, opened], signed)
    lines = {line.sku_id: line for line in order.lines.all()}
    for sku in (fresh, opened):
        with pytest.raises(OrderError, match="excluded"):
            services.request_return(
                order=order,
                customer=customer,
                quantities={lines[sku.pk].pk: 1},
                now=signed + timedelta(days=1),
            )
    last_moment = datetime(2026, 11, 8, 23, 59, tzinfo=SHANGHAI)
    with pytest.raises(OrderError, match="closed"):
        services.request_return(
            order=order,
            customer=customer,
            quantities={lines[normal.pk].pk: 1},
            now=last_moment + timedelta(minutes=1),
        )
    rr = services.request_return(
        order=order, customer=customer, quantities={lines[normal.pk].pk: 2}, now=last_moment
    )
    assert rr.status == ReturnStatus.REQUESTED


@pytest.mark.django_db
def test_excludable_goods_need_the_customers_explicit_confirmation(customer, make_product):
    opened = make_product(return_class="excludable", exclusion_reason="拆封后影响二次销售")
    with pytest.raises(OrderError, match="Tick the box"):
        sales.place_order(customer=customer, items={opened.pk: 1}, address=customer.addresses.get())
    assert not customer.orders.exists()
    assert Stock.objects.get(sku=opened).reserved == 0


@pytest.mark.django_db
def test_a_full_return_refunds_the_whole_order(customer, sku, make_customer):
    order = delivered_order(customer, [sku], timezone.now())
    line = order.lines.get()
    with pytest.raises(OrderError, match="not yours"):
        services.request_return(order=order, customer=make_customer(), quantities={line.pk: 2})
    with pytest.raises(OrderError, match="at most 2"):
        services.request_return(order=order, customer=customer, quantities={line.pk: 3})
    rr = services.request_return(order=order, customer=customer, quantities={line.pk: 2})
    rr = services.approve_return(return_request=rr, actor=None)
    rr = services.receive_return(return_request=rr, actor=None)
    rr = sales.refund_return(return_request=rr)
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.REFUNDED, order.total_fen)


@pytest.mark.django_db
def test_price_change_between_review_and_submit_is_refused(customer, sku):
    from weishang.orders.errors import PriceChanged

    with pytest.raises(PriceChanged):
        sales.place_order(
            customer=customer,
            items={sku.pk: 1},
            address=customer.addresses.get(),
            expected_total_fen=1,
        )
    assert not customer.orders.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("quantity", ["0", "-1", "1.5", "abc", "100"])
def test_bad_quantities_are_refused(customer, sku, quantity):
    with pytest.raises(OrderError):
        sales.place_order(
            customer=customer, items={sku.pk: quantity}, address=customer.addresses.get()
        )
    assert not customer.orders.exists()


@pytest.mark.django_db
def test_expired_unpaid_orders_free_their_stock(customer, sku):
    order = sales.place_order(
        customer=customer, items={sku.pk: 3}, address=customer.addresses.get()
    )
    assert sales.expire_unpaid_orders(now=order.placed_at + timedelta(minutes=29)) == 0
    assert sales.expire_unpaid_orders(now=order.placed_at + timedelta(minutes=30)) == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    assert Stock.objects.get(sku=sku).reserved == 0


@pytest.mark.django_db
def test_a_sign_for_time_in_the_future_is_refused(customer, sku):
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    )
    services.ship_order(actor=None, order=order, carrier="sf", tracking_no="SF1402837465920")
    with pytest.raises(OrderError, match="future"):
        services.mark_delivered(
            actor=None, order=order, signed_at=timezone.now() + timedelta(days=3)
        )
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
