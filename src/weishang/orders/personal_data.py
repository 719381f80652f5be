"""The orders domain's part of a customer's personal data: cart, orders and returns in the copy;
what keeps the account open; masking the delivery snapshot on closure. Orders themselves are kept
three years (E-commerce Law Art. 31)."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from weishang.compliance.personal_data import CLOSED
from weishang.customers.models import Customer

from .carriers import carrier_name
from .models import CartItem, Order, OrderStatus, QualityClaim, QualityClaimPhoto, ReturnRequest

UNFINISHED_ORDER_STATUSES = (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID, OrderStatus.SHIPPED)
ORDER_FIELDS = (
    "number",
    "status",
    "recipient",
    "phone",
    "address",
    "city",
    "total_fen",
    "refunded_fen",
    "placed_at",
    "paid_at",
    "shipped_at",
    "carrier",
    "tracking_no",
    "delivered_at",
    "completed_at",
    "cancelled_at",
    "cancel_reason",
    "buyer_note",
)


@dataclass(frozen=True)
class OrderRecord:
    """One order as the copy shows it; the ids let other domains add their parts."""

    order_id: int
    distributor_id: int | None
    fields: dict
    lines: list[dict]
    returns: list[dict]
    claims: list[dict]


def cart_for(customer: Customer) -> list[dict]:
    cart = CartItem.objects.filter(customer=customer).select_related("sku__product")
    return [
        {"product": i.sku.product.name, "sku": i.sku.name, "quantity": i.quantity} for i in cart
    ]


def orders_for(customer: Customer) -> list[OrderRecord]:
    """Every order of the customer, oldest first, in a fixed number of queries."""
    orders = (
        Order.objects.filter(customer=customer)
        .only(*ORDER_FIELDS, "distributor_id")
        .prefetch_related("lines", "returns__lines", "claims__photos")
        .order_by("placed_at", "pk")
    )
    return [
        OrderRecord(
            order_id=order.pk,
            distributor_id=order.distributor_id,
            fields={name: getattr(order, name) for name in ORDER_FIELDS}
            | {"carrier": order.carrier_name},
            lines=[
                {
                    "product": line.product_name,
                    "sku": line.sku_name,
                    "unit_price_fen": line.unit_price_fen,
                    "quantity": line.quantity,
                    "line_total_fen": line.line_total_fen,
                    "returned_quantity": line.returned_quantity,
                }
                for line in order.lines.all()
            ],
            returns=[
                {
                    "number": r.number,
                    "status": r.status,
                    "reason": r.reason,
                    "refund_fen": r.refund_fen,
                    "return_carrier": carrier_name(r.return_carrier),
                    "return_tracking_no": r.return_tracking_no,
                    "return_shipped_at": r.return_shipped_at,
                    "requested_at": r.requested_at,
                    "refunded_at": r.refunded_at,
                    "reject_reason": r.reject_reason,
                    "quantities": [rl.quantity for rl in r.lines.all()],
                }
                for r in order.returns.all()
            ],
            claims=[
                {
                    "number": c.number,
                    "status": c.status,
                    "remedy": c.remedy,
                    "decided_remedy": c.decided_remedy,
                    "quantity": c.quantity,
                    "description": c.description,
                    "photos": len(c.photos.all()),
                    "refund_fen": c.refund_fen,
                    "requested_at": c.requested_at,
                    "decision_reason": c.decision_reason,
                    "carrier": c.carrier,
                    "tracking_no": c.tracking_no,
                    "my_carrier": c.return_carrier,
                    "my_tracking_no": c.return_tracking_no,
                }
                for c in order.claims.all()
            ],
        )
        for order in orders
    ]


def closure_blockers(customer: Customer) -> list[str]:
    """Unfinished orders and open returns, one sentence each."""
    reasons = [
        _("Order %(number)s is not finished yet (%(status)s).")
        % {"number": number, "status": OrderStatus(status).label}
        for number, status in Order.objects.filter(
            customer=customer, status__in=UNFINISHED_ORDER_STATUSES
        )
        .order_by("placed_at", "pk")
        .values_list("number", "status")
    ]
    reasons += [
        _("Return %(number)s is still open.") % {"number": number}
        for number in ReturnRequest.objects.filter(
            order__customer=customer, status__in=ReturnRequest.OPEN
        )
        .order_by("pk")
        .values_list("number", flat=True)
    ]
    reasons += [
        _("Quality claim %(number)s is still open.") % {"number": number}
        for number in QualityClaim.objects.filter(
            order__customer=customer, status__in=QualityClaim.OPEN
        )
        .order_by("pk")
        .values_list("number", flat=True)
    ]
    return reasons


def erase_personal_data(customer: Customer) -> dict[str, int]:
    """Masks the delivery snapshot of every order (张*, 138****5678, the city only; the same masks
    as the customers rules), replaces the written cancel and return reasons, the notes to the
    seller and the return tracking numbers he typed with the marker and empties the cart. A
    quality claim's description and the tracking number he typed are replaced too and its photos
    deleted (the files once the closure commits). Amounts, dates, statuses and the returns and
    claims themselves are kept."""
    orders = Order.objects.filter(customer=customer)
    orders_kept = orders.update(
        recipient=Concat(Substr("recipient", 1, 1), Value("*")),
        phone=Concat(Substr("phone", 1, 3), Value("****"), Substr("phone", 8, 4)),
        address=Substr("city", 1, 20),
        device_id="",
    )
    returns = ReturnRequest.objects.filter(order__customer=customer)
    claims = QualityClaim.objects.filter(order__customer=customer)
    photos = QualityClaimPhoto.objects.filter(claim__order__customer=customer)
    files = [(photo.image.storage, photo.image.name) for photo in photos if photo.image]
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])
    return {
        "orders_kept": orders_kept,
        "cancel_reasons": orders.exclude(cancel_reason="").update(cancel_reason=CLOSED),
        "buyer_notes": orders.exclude(buyer_note="").update(buyer_note=CLOSED),
        "return_reasons": returns.exclude(reason="").update(reason=CLOSED),
        "return_tracking_numbers": returns.exclude(return_tracking_no="").update(
            return_tracking_no=CLOSED
        ),
        "cart_items": CartItem.objects.filter(customer=customer).delete()[0],
        "claim_descriptions": claims.exclude(description="").update(description=CLOSED),
        "claim_tracking_numbers": claims.exclude(return_tracking_no="").update(
            return_tracking_no=CLOSED
        ),
        "claim_photos": photos.delete()[0],
    }
