"""Every write about money coming in and going back. Locks: order first, then payment."""

import secrets
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.core_errors import DomainError
from weishang.orders import services as orders
from weishang.orders.locks import lock_order
from weishang.orders.models import Order, OrderStatus

from .models import Payment, Refund
from .providers import InvalidNotification, Notification, get_provider


class PaymentError(DomainError):
    pass


@dataclass(frozen=True)
class Outcome:
    payment: Payment
    duplicate: bool


def _number(prefix: str) -> str:
    return f"{prefix}{timezone.localtime():%y%m%d}{secrets.token_hex(8)}"


@transaction.atomic
def start_payment(*, order: Order, provider: str | None = None) -> Payment:
    """The payment the customer completes at the provider; reused if he comes back to pay."""
    provider_code = get_provider(provider).code
    order = lock_order(order.pk)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentError(_("This order is not awaiting payment."), code="not_payable")
    if order.expires_at <= timezone.now():
        raise PaymentError(
            _("The time to pay for this order has run out; please order again."), code="expired"
        )
    payment = order.payments.filter(provider=provider_code, status=Payment.Status.CREATED).first()
    return payment or Payment.objects.create(
        number=_number("P"),
        order=order,
        provider=provider_code,
        amount_fen=order.total_fen,
        created_at=timezone.now(),
    )


@transaction.atomic
def confirm_payment(*, provider: str, notification: Notification) -> Outcome:
    """Applies a verified notification once: the same transaction id again changes nothing."""
    order_id = (
        Payment.objects.filter(number=notification.trade_number, provider=provider)
        .values_list("order_id", flat=True)
        .first()
    )
    if order_id is None:
        raise InvalidNotification(_("The payment notification names an unknown trade number."))
    order = lock_order(order_id)
    payment = Payment.objects.select_for_update().get(number=notification.trade_number)
    if payment.status == Payment.Status.SUCCEEDED:
        if payment.provider_txn_id == notification.transaction_id:
            return Outcome(payment, duplicate=True)
        raise InvalidNotification(_("This payment was already completed by another transaction."))
    if notification.amount_fen != payment.amount_fen:
        raise InvalidNotification(
            _("The amount paid (%(paid)d fen) differs from the amount due (%(due)d fen).")
            % {"paid": notification.amount_fen, "due": payment.amount_fen},
            code="amount_mismatch",
        )
    payment.status = Payment.Status.SUCCEEDED
    payment.provider_txn_id = notification.transaction_id
    payment.paid_at = notification.paid_at
    payment.save(update_fields=["status", "provider_txn_id", "paid_at"])
    if order.status == OrderStatus.PENDING_PAYMENT:
        orders.mark_order_paid(order=order, paid_at=notification.paid_at)
    else:
        # Paid after the order expired or was cancelled: the money goes straight back.
        _refund(
            order=order,
            payment=payment,
            amount_fen=payment.amount_fen,
            reason=_("paid after cancellation"),
        )
    return Outcome(payment, duplicate=False)


def refund_order(*, order: Order, amount_fen: int, reason: str, return_number: str = "") -> Refund:
    """Refunds part or all of an order's successful payment; the caller holds the order's lock."""
    payment = (
        Payment.objects.select_for_update()
        .filter(order=order, status=Payment.Status.SUCCEEDED)
        .first()
    )
    if payment is None:
        raise PaymentError(_("This order has no completed payment to refund."))
    return _refund(
        order=order,
        payment=payment,
        amount_fen=amount_fen,
        reason=reason,
        return_number=return_number,
    )


def _refund(
    *, order: Order, payment: Payment, amount_fen: int, reason: str, return_number: str = ""
) -> Refund:
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise PaymentError(_("A refund must be a positive whole number of fen."))
    refunded = payment.refunds.aggregate(total=Sum("amount_fen"))["total"] or 0
    if refunded + amount_fen > payment.amount_fen:
        raise PaymentError(
            _("Refunds would exceed what was paid (%(paid)d fen).") % {"paid": payment.amount_fen}
        )
    refund = Refund(
        number=_number("F"),
        payment=payment,
        amount_fen=amount_fen,
        reason=str(reason)[:200],
        return_number=return_number,
        created_at=timezone.now(),
    )
    refund.provider_refund_id = get_provider(payment.provider).refund(
        payment=payment, refund=refund
    )
    refund.save()
    return refund
