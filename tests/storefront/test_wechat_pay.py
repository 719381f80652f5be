"""Paying inside WeChat: a customer signed in with WeChat finds WeChat Pay on his order's page;
paying opens WeChat Pay with the prepay parameters for his openid, and the order is paid only
when WeChat Pay's signed notification arrives. Outside WeChat nothing changes."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.wechatpay_stub import APPID, post
from weishang.customers.models import WechatIdentity
from weishang.notifications.models import Message
from weishang.orders.models import OrderStatus
from weishang.payments.models import Payment

from .conftest import place

pytestmark = pytest.mark.django_db
WECHAT_UA = "Mozilla/5.0 (Linux; Android 14) Mobile MicroMessenger/8.0.49.2600 NetType/WIFI"
OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"


@pytest.fixture
def in_wechat(shopper, customer, wechatpay):
    now = timezone.now()
    WechatIdentity.objects.create(
        customer=customer, appid=APPID, openid=OPENID, created_at=now, last_sign_in_at=now
    )
    shopper.defaults["HTTP_USER_AGENT"] = WECHAT_UA
    return shopper


def order_page(client, order):
    return client.get(reverse("storefront:order_detail", args=[order.number]))


def test_inside_wechat_the_order_is_paid_by_wechat_pays_notification(
    in_wechat, customer, sku, wechatpay, client
):
    order = place(customer, {sku.pk: 2})
    assert 'data-testid="wechat-pay"' in order_page(in_wechat, order).content.decode()
    page = in_wechat.post(reverse("storefront:pay_with_wechat", args=[order.number]))
    params = json.loads(
        page.content.decode()
        .split('id="wechat-pay-params" type="application/json">')[1]
        .split("</script>")[0]
    )
    payment = Payment.objects.get(order=order)
    assert params["appId"] == APPID
    assert params["package"] == f"prepay_id={wechatpay.orders[payment.number]['prepay_id']}"
    assert wechatpay.requests[0][1]["payer"] == {"openid": OPENID}
    # Back from WeChat's window: not paid on the page's word.
    back = in_wechat.get(
        reverse("storefront:order_detail", args=[order.number]), {"wechat_pay": "done"}
    )
    assert 'data-testid="wechat-pay-confirming"' in back.content.decode()
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING_PAYMENT
    response = post(client, reverse("payments:notify", args=["wechatpay"]), wechatpay.paid(payment))
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID
    assert Message.objects.get(customer=customer).event == "order_paid"


def test_outside_wechat_or_without_a_wechat_sign_in_there_is_no_wechat_pay(
    shopper, customer, sku, wechatpay
):
    order = place(customer, {sku.pk: 1})
    assert 'data-testid="wechat-pay"' not in order_page(shopper, order).content.decode()
    shopper.defaults["HTTP_USER_AGENT"] = WECHAT_UA  # in WeChat, but signed in by mobile code
    assert 'data-testid="wechat-pay"' not in order_page(shopper, order).content.decode()
    response = shopper.post(reverse("storefront:pay_with_wechat", args=[order.number]), follow=True)
    assert "sign in with WeChat" in response.content.decode()
    assert not Payment.objects.filter(order=order).exists() and not wechatpay.requests


def test_a_cancelled_order_is_not_paid_with_wechat(in_wechat, customer, sku, wechatpay):
    order = place(customer, {sku.pk: 1})
    Payment.objects.filter(order=order).delete()
    order.status = OrderStatus.CANCELLED
    order.save(update_fields=["status"])
    response = in_wechat.post(
        reverse("storefront:pay_with_wechat", args=[order.number]), follow=True
    )
    assert "not awaiting payment" in response.content.decode() and not wechatpay.requests
