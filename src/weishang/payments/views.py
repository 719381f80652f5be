import json
import logging
import secrets
import urllib.error
import urllib.request

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from .models import Payment
from .providers import InvalidNotification, get_provider
from .providers.sandbox import SIGNATURE_HEADER, notification_body, sign
from .services import PaymentError, confirm_payment

logger = logging.getLogger("weishang.payments")


@csrf_exempt
@require_POST
def notify(request, provider: str):
    """The provider's server-to-server callback; idempotent on the provider's transaction id."""
    try:
        notification = get_provider(provider).parse_notification(
            body=request.body, headers=request.headers
        )
        outcome = confirm_payment(provider=provider, notification=notification)
    except (InvalidNotification, PaymentError) as exc:
        logger.warning("Rejected %s notification: %s", provider, exc.message)
        return JsonResponse({"code": "FAIL", "message": str(exc.message)}, status=400)
    return JsonResponse({"code": "SUCCESS", "duplicate": outcome.duplicate})


@require_http_methods(["GET", "POST"])
def sandbox_pay(request, number: str):
    """The sandbox provider's own pay page, standing in for WeChat Pay's cashier."""
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
    base = settings.SANDBOX_NOTIFY_BASE_URL or request.build_absolute_uri("/")
    url = base.rstrip("/") + reverse("payments:notify", args=["sandbox"])
    post = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(body, secret=settings.SANDBOX_PAY_SECRET),
        },
    )
    try:
        with urllib.request.urlopen(post, timeout=10) as response:
            json.load(response)
    except (urllib.error.URLError, ValueError) as exc:
        logger.error("Sandbox could not deliver the notification to %s: %s", url, exc)
        messages.error(request, _("The payment could not be confirmed; please try again."))
        return redirect(request.path)
    messages.success(request, _("Payment received. Thank you!"))
    return redirect(order_url)
