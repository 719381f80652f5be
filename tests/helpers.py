"""Steps many tests take through the real services to bring an order to a given state."""

from django.utils import timezone

from weishang.orders import services as orders
from weishang.payments.providers import Notification
from weishang.payments.services import start_payment
from weishang.sales.services import confirm_payment


def pay(order):
    """Pays the order as the sandbox provider's notification would."""
    payment = start_payment(order=order)
    confirm_payment(
        provider="sandbox",
        notification=Notification(
            payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
        ),
    )
    order.refresh_from_db()
    return order


def deliver(order):
    """Ships the paid order and records the courier's sign-for now."""
    orders.ship_order(actor=None, order=order, carrier="顺丰", tracking_no=f"SF{order.pk}")
    orders.mark_delivered(actor=None, order=order, signed_at=timezone.now())
    order.refresh_from_db()
    return order
