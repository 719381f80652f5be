"""Fixtures for the commission ledger: a plan in force, a distributor with a bound buyer, and the
order steps (place, pay, ship and deliver, return) through the real services."""

from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.commissions import ledger
from weishang.commissions.models import CommissionPlan, Transfer
from weishang.distribution.models import Binding, ProgrammeSettings
from weishang.orders import services as orders
from weishang.payments.models import Payment
from weishang.payments.providers import Notification
from weishang.payments.services import start_payment
from weishang.sales import services as sales
from weishang.sales.services import confirm_payment


@pytest.fixture
def make_plan(db):
    def make(rate_bp=500, *, second_level_rate_bp=0, staff=None):
        version = (
            CommissionPlan.objects.order_by("-version").values_list("version", flat=True).first()
            or 0
        ) + 1
        now = timezone.now()
        return CommissionPlan.objects.create(
            version=version,
            mode="advisory" if second_level_rate_bp else "strict",
            default_rate_bp=rate_bp,
            second_level_rate_bp=second_level_rate_bp,
            risk_acknowledged_at=now if second_level_rate_bp else None,
            created_at=now,
        )

    return make


@pytest.fixture
def plan(make_plan):
    return make_plan(500)


@pytest.fixture
def programme(db):
    return ProgrammeSettings.objects.create()


@pytest.fixture
def make_seller(make_distributor, programme):
    """A distributor living at his own address (the shared fixture gives every customer one)."""

    def make(**fields):
        distributor = make_distributor(**fields)
        distributor.customer.addresses.update(detail=f"人民路{distributor.pk}号")
        return distributor

    return make


@pytest.fixture
def seller(make_seller):
    return make_seller()


@pytest.fixture
def bind():
    def bind(customer, distributor):
        Binding.objects.update_or_create(
            customer=customer,
            defaults={
                "distributor": distributor,
                "source": "store_link",
                "bound_at": timezone.now(),
            },
        )
        return customer

    return bind


@pytest.fixture
def buyer(make_customer, bind, seller):
    return bind(make_customer(), seller)


def place(customer, items, *, device_id=""):
    return sales.place_order(
        customer=customer,
        items={sku.pk: qty for sku, qty in items.items()},
        address=customer.addresses.first(),
        device_id=device_id,
    )


def pay(order, *, payer_account=""):
    payment = start_payment(order=order)
    if payer_account:
        Payment.objects.filter(pk=payment.pk).update(payer_account=payer_account)
    confirm_payment(
        provider="sandbox",
        notification=Notification(
            payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
        ),
    )
    order.refresh_from_db()
    return order


def after_window():
    """A moment when an order delivered now has its return window closed."""
    return timezone.now() + timedelta(days=9)


def return_lines(order, quantities):
    """Requests, approves, receives and refunds a return of ``{OrderLine: quantity}``."""
    rr = orders.request_return(
        order=order,
        customer=order.customer,
        quantities={line.pk: q for line, q in quantities.items()},
    )
    orders.approve_return(actor=None, return_request=rr)
    orders.receive_return(actor=None, return_request=rr)
    rr = sales.refund_return(return_request=rr)
    order.refresh_from_db()
    return rr


def balances(distributor):
    return ledger.balances_for([distributor.pk])[distributor.pk]


def assert_ledger_balanced():
    assert sum(ledger.all_balances().values()) == 0
    assert not Transfer.objects.filter(amount_fen__lte=0).exists()


ORDER_STEPS = ("pay", "cancel", "deliver", "return")


def order_step(name: str, order, args, now) -> None:
    """One of ORDER_STEPS on an order, as the property tests draw them: pay it (if unpaid),
    cancel it, deliver it (if paid), or return ``args`` = (line index, quantity) of it and
    refund the return."""
    from weishang.orders.models import OrderStatus

    if name == "pay" and order.status == OrderStatus.PENDING_PAYMENT:
        pay(order)
    elif name == "cancel":
        sales.cancel_order(order=order, by_brand=False)
    elif name == "deliver" and order.status == OrderStatus.PAID:
        orders.ship_order(actor=None, order=order, carrier="sf", tracking_no=f"SF{order.pk:013d}")
        orders.mark_delivered(actor=None, order=order)
    elif name == "return":
        lines = list(order.lines.all())
        line = lines[min(args[0], len(lines) - 1)]
        rr = orders.request_return(
            order=order,
            customer=order.customer,
            quantities={line.pk: min(args[1], line.quantity - line.returned_quantity)},
            now=now,
        )
        orders.approve_return(actor=None, return_request=rr)
        orders.receive_return(actor=None, return_request=rr)
        sales.refund_return(return_request=rr)
