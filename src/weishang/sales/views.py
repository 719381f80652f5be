"""The payment provider's endpoints: its server-to-server notification, and the sandbox
provider's own cashier page."""

import logging
import secrets
from dataclasses import asdict

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from weishang.commissions.wechat_transfers import settle_transfer_notice
from weishang.payments.errors import PaymentError
from weishang.payments.models import Payment
from weishang.payments.providers import InvalidNotification, get_provider, wechatpay
from weishang.payments.providers.sandbox import SIGNATURE_HEADER, notification_body, sign
from weishang.payments.refunds import settle_refund_notice

from .services import Outcome, confirm_payment

logger = logging.getLogger("weishang.payments")


def _apply(provider: str, body: bytes, headers) -> Outcome:
    """Verifies a notification the way the provider sent it, then applies it once."""
    notification = get_provider(provider).parse_notification(body=body, headers=headers)
    return confirm_payment(provider=provider, notification=notification)


@csrf_exempt
@require_POST
def notify(request, provider: str):
    """The provider's server-to-server callback; idempotent on the provider's transaction id."""
    try:
        outcome = _apply(provider, request.body, request.headers)
    except (InvalidNotification, PaymentError) as exc:
        logger.warning("Rejected %s notification: %s", provider, exc.message)
        return JsonResponse({"code": "FAIL", "message": str(exc.message)}, status=400)
    return JsonResponse({"code": "SUCCESS", "duplicate": outcome.duplicate})


@csrf_exempt
@require_POST
def wechatpay_refund_notify(request):
    """WeChat Pay's word on a refund it accepted; idempotent on the refund's number."""
    try:
        notice = wechatpay.parse_refund_notification(body=request.body, headers=request.headers)
        settle_refund_notice(provider="wechatpay", **asdict(notice))
    except InvalidNotification as exc:
        logger.warning("Rejected WeChat Pay refund notification: %s", exc.message)
        return JsonResponse({"code": "FAIL", "message": str(exc.message)}, status=400)
    return JsonResponse({"code": "SUCCESS"})


@csrf_exempt
@require_POST
def wechatpay_transfer_notify(request):
    """WeChat Pay's word on a merchant transfer paying a withdrawal; idempotent on its key."""
    try:
        settle_transfer_notice(body=request.body, headers=request.headers)
    except InvalidNotification as exc:
        logger.warning("Rejected WeChat Pay transfer notification: %s", exc.message)
        return JsonResponse({"code": "FAIL", "message": str(exc.message)}, status=400)
    return JsonResponse({"code": "SUCCESS"})


@require_http_methods(["GET", "POST"])
def sandbox_pay(request, number: str):
    """The sandbox provider's own pay page, standing in for WeChat Pay's cashier. Paying builds
    the signed notification the provider would send and applies it in this process, through the
    same verification as ``notify``: a request to our own server would wait on itself."""
    payment = get_object_or_404(
        Payment.objects.select_related("order"), number=number, provider="sandbox"
    )
    order_url = reverse("storefront:order_detail", args=[payment.order.number])
    if request.method == "GET":
        return render(
            request, "payments/sandbox_pay.html", {"payment": payment, "order_url": order_url}
        )
    if payment.status == Payment.Status.SUCCEEDED:
        return redirect(order_url)
    body = notification_body(
        trade_number=payment.number,
        transaction_id=f"sbx_{secrets.token_hex(12)}",
        amount_fen=payment.amount_fen,
        paid_at=timezone.now(),
    )
    headers = {SIGNATURE_HEADER: sign(body, secret=settings.SANDBOX_PAY_SECRET)}
    try:
        _apply("sandbox", body, headers)
    except (InvalidNotification, PaymentError) as exc:
        logger.error("Sandbox could not apply its notification for %s: %s", number, exc.message)
        messages.error(request, _("The payment could not be confirmed; please try again."))
        return redirect(request.path)
    messages.success(request, _("Payment received. Thank you!"))
    return redirect(order_url)
