"""What units coming back give back, read off the order's lines (``pricing.refund_parts``):
shared by no-reason returns, quality claims and cancellations."""

from collections.abc import Iterable, Mapping

from .models import Order, OrderLine, OrderStatus
from .pricing import RefundParts, ReturningLine, refund_parts


def parts_returned(order: Order, lines: Iterable[OrderLine], returning: Mapping[int, int]):
    """``returning`` is ``{order_line_id: units}``; ``lines`` are all the order's lines as they
    stand before these units come back."""
    return refund_parts(
        [
            ReturningLine(
                line_id=line.pk,
                quantity=line.quantity,
                returned_before=line.returned_quantity,
                returning=returning.get(line.pk, 0),
                paid_fen=line.paid_fen,
                wallet_fen=line.wallet_fen,
                points_fen=line.points_fen,
            )
            for line in lines
        ],
        order_points=order.points,
        order_points_fen=order.points_fen,
    )


def everything_back(order: Order) -> RefundParts:
    """Cancelling a paid order before shipment gives back every unit's every part."""
    lines = list(order.lines.all())
    return parts_returned(
        order, lines, {line.pk: line.quantity - line.returned_quantity for line in lines}
    )


def status_after_refund(order: Order, refunded_fen: int, all_units_back: bool) -> str:
    """Refunded in full once every unit is back, or once the payment is refunded in full (a
    complaint's ordered refund); an order the payment did not pay is refunded by its units."""
    if all_units_back or (order.total_fen > 0 and refunded_fen >= order.total_fen):
        return OrderStatus.REFUNDED
    return OrderStatus.PARTIALLY_REFUNDED


def record_parts_returned(order: Order, parts: RefundParts) -> None:
    """Counts the wallet money and points given back on the order (the caller saves it)."""
    order.wallet_returned_fen += parts.wallet_fen
    order.points_returned += parts.points
