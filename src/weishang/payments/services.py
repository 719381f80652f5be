"""Every write about money coming in. Locks: order first, then payment. What a payment does to
the order and to commission is decided above, in ``weishang.sales``."""

from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.orders.locks import lock_order
from weishang.orders.models import Order, OrderStatus
from weishang.outbound import Declined, Unavailable
from weishang.transactions import step

from .errors import PaymentError
from .models import Payment, Refund
from .numbers import new_number
from .providers import InvalidNotification, Notification, get_provider, wechatpay
from .refunds import request_refund

__all__ = [
    "Outcome",
    "PaymentError",
    "record_payment",
    "refund_order",
    "request_refund",
    "start_payment",
    "start_wechat_payment",
]


@dataclass(frozen=True)
class Outcome:
    payment: Payment
    duplicate: bool
    order: Order | None = None  # locked, when the payment is new


@transaction.atomic
def start_payment(*, order: Order, provider: str | None = None, payer_account: str = "") -> Payment:
    """The payment the customer completes at the provider; reused if he comes back to pay (as the
    same payer, where the provider is told who pays)."""
    provider_code = get_provider(provider).code
    order = lock_order(order.pk)
    if order.status != OrderStatus.PENDING_PAYMENT:
        raise PaymentError(_("This order is not awaiting payment."), code="not_payable")
    if order.expires_at <= timezone.now():
        raise PaymentError(
            _("The time to pay for this order has run out; please order again."), code="expired"
        )
    payment = order.payments.filter(
        provider=provider_code, status=Payment.Status.CREATED, payer_account=payer_account
    ).first()
    return payment or _open(order, provider_code, payer_account)


def open_payment(*, order: Order, provider: str | None = None) -> Payment:
    """The payment of an order placed in this transaction (nothing to lock, check or reuse yet),
    opened with it so that the customer goes straight to pay."""
    return _open(order, get_provider(provider).code, "")


def _open(order: Order, provider_code: str, payer_account: str) -> Payment:
    return Payment.objects.create(
        number=new_number("P"),
        order=order,
        provider=provider_code,
        amount_fen=order.total_fen,
        payer_account=payer_account,
        created_at=timezone.now(),
    )


def start_wechat_payment(*, order: Order, openid: str, channel: str) -> dict[str, str]:
    """Pays an order with WeChat Pay inside WeChat: ``channel`` is ``jsapi`` (the official
    account's pages) or ``miniprogram``, ``openid`` the payer's openid under that channel's appid.
    Returns the parameters for ``WeixinJSBridge`` / ``wx.requestPayment``. The payment is recorded
    first and WeChat Pay asked after that commits."""
    if channel not in wechatpay.app_ids():
        raise PaymentError(_("WeChat Pay is not available here."), code="no_channel")
    payer = wechatpay.valid_openid(openid)
    if payer is None:
        raise PaymentError(_("Sign in with WeChat to pay with WeChat Pay."), code="no_openid")
    with transaction.atomic(durable=True):
        payment = start_payment(order=order, provider="wechatpay", payer_account=payer)
    try:
        return wechatpay.WeChatPayProvider().prepay(
            payment=payment,
            openid=payer,
            channel=channel,
            description=_("Order %(number)s") % {"number": payment.order.number},
        )
    except Declined as exc:
        raise PaymentError(exc.message, code="declined") from exc
    except Unavailable as exc:
        raise PaymentError(
            _("WeChat Pay did not answer; please try again in a moment."), code="unavailable"
        ) from exc


@step
def record_payment(*, provider: str, notification: Notification) -> Outcome:
    """Records a verified notification once, holding the order's and the payment's locks: the
    same transaction id again changes nothing."""
    order_id = (
        Payment.objects.filter(number=notification.trade_number, provider=provider)
        .values_list("order_id", flat=True)
        .first()
    )
    if order_id is None:
        raise InvalidNotification(_("The payment notification names an unknown trade number."))
    order = lock_order(order_id)
    payment = Payment.objects.select_for_update().get(number=notification.trade_number)
    if payment.status in (Payment.Status.SUCCEEDED, Payment.Status.DUPLICATE):
        if payment.provider_txn_id == notification.transaction_id:
            return Outcome(payment, duplicate=True)
        raise InvalidNotification(_("This payment was already completed by another transaction."))
    if payment.payer_account and notification.payer_account not in ("", payment.payer_account):
        raise InvalidNotification(
            _("The payment notification names another payer than the one asked to pay.")
        )
    if notification.amount_fen != payment.amount_fen:
        raise InvalidNotification(
            _("The amount paid (%(paid)d fen) differs from the amount due (%(due)d fen).")
            % {"paid": notification.amount_fen, "due": payment.amount_fen},
            code="amount_mismatch",
        )
    paid_before = (
        Payment.objects.filter(order=order, status=Payment.Status.SUCCEEDED)
        .exclude(pk=payment.pk)
        .exists()
    )
    payment.status = Payment.Status.DUPLICATE if paid_before else Payment.Status.SUCCEEDED
    payment.provider_txn_id = notification.transaction_id
    payment.paid_at = notification.paid_at
    payment.save(update_fields=["status", "provider_txn_id", "paid_at"])
    return Outcome(payment, duplicate=False, order=order)


@step
def refund_order(*, order: Order, amount_fen: int, reason: str, return_number: str = "") -> Refund:
    """Requests a refund of part or all of an order's successful payment; the caller holds the
    order's lock, and the provider is asked once the caller's transaction commits."""
    payment = (
        Payment.objects.select_for_update()
        .filter(order=order, status=Payment.Status.SUCCEEDED)
        .first()
    )
    if payment is None:
        raise PaymentError(_("This order has no completed payment to refund."))
    return request_refund(
        payment=payment, amount_fen=amount_fen, reason=reason, return_number=return_number
    )
