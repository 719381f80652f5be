"""Paying inside WeChat with WeChat Pay (JSAPI). A customer signed in with WeChat opens his
order there and pays: the page hands WeChat Pay's prepay parameters to WeixinJSBridge (WeChat's
browser provides it), and the order is paid when WeChat Pay's signed notification arrives, never
on the page's word. Outside WeChat, or without a WeChat sign-in, the store's usual payment
stands."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from weishang.core_errors import DomainError
from weishang.payments import services as payments

from .views import _own_order, customer_required, wechat_payer


@customer_required
@require_POST
def pay_with_wechat(request, number: str):
    order = _own_order(request, number)
    openid = wechat_payer(request)
    if openid is None:
        messages.error(
            request, _("To pay with WeChat Pay, open this order in WeChat and sign in with WeChat.")
        )
        return redirect("storefront:order_detail", number=order.number)
    try:
        params = payments.start_wechat_payment(order=order, openid=openid, channel="jsapi")
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("storefront:order_detail", number=order.number)
    return render(request, "storefront/wechat_pay.html", {"order": order, "pay_params": params})
