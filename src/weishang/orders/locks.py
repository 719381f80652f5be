"""Row locks on orders: every state change re-reads the order under a lock."""

from .models import Order, ReturnRequest


def lock_order(order_id: int) -> Order:
    return Order.objects.select_for_update().get(pk=order_id)


def lock_return(return_id: int) -> ReturnRequest:
    return ReturnRequest.objects.select_for_update().get(pk=return_id)
