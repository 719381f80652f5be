"""Subscribe messages (订阅消息) in the mini-program, through the WeChat stub: a customer signed in
to the mini-program gets the shipping message in the brand's template, after the commit; one who
did not agree to it is not asked again; WeChat busy is tried again later."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import bought, deliver
from tests.wechat_stub import MP_APPID
from weishang.customers.models import WechatIdentity
from weishang.notifications import channels, sending
from weishang.notifications.models import Delivery

pytestmark = pytest.mark.django_db
S = Delivery.Status
SHIPPED = {
    "order_shipped": {
        "template": "TPL-shipped",
        "page": "pages/order/detail?number={order}",
        "fields": {
            "character_string1": "order",
            "thing2": "carrier",
            "character_string3": "tracking",
        },
    }
}


@pytest.fixture
def templates(settings, wechat_stub):
    settings.WECHAT_SUBSCRIBE_TEMPLATES = SHIPPED
    settings.NOTIFICATION_CHANNELS = ["weishang.notifications.channels.WeChatSubscribeChannel"]
    channels._configured.cache_clear()
    yield wechat_stub
    channels._configured.cache_clear()


def in_mini_program(customer, openid):
    now = timezone.now()
    WechatIdentity.objects.create(
        customer=customer, appid=MP_APPID, openid=openid, created_at=now, last_sign_in_at=now
    )


def test_the_shipping_message_reaches_the_mini_program_after_the_commit(
    customer, sku, templates, django_capture_on_commit_callbacks
):
    in_mini_program(customer, "o-mp-shopper")
    order = bought(customer, sku)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        deliver(order)
    assert templates.subscribe_sent == []
    for callback in queued:
        callback()
    (sent,) = templates.subscribe_sent
    assert sent["touser"] == "o-mp-shopper" and sent["template_id"] == "TPL-shipped"
    assert sent["page"] == f"pages/order/detail?number={order.number}"
    assert sent["data"] == {
        "character_string1": {"value": order.number},
        "thing2": {"value": "顺丰速运"},
        "character_string3": {"value": order.tracking_no},
    }
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.reference) == ("wechat", S.SENT, "1001")


def test_who_did_not_agree_is_not_asked_again(
    customer, sku, templates, django_capture_on_commit_callbacks
):
    in_mini_program(customer, "o-mp-declined")
    templates.not_subscribed.add("o-mp-declined")
    order = bought(customer, sku)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(order)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (S.FAILED, 1)
    assert "not agreed" in delivery.last_error


def test_wechat_busy_is_tried_again_later(
    customer, sku, templates, django_capture_on_commit_callbacks
):
    in_mini_program(customer, "o-mp-patient")
    templates.fail("/cgi-bin/message/subscribe/send", -1, "system error")
    order = bought(customer, sku)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(order)
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts) == (S.PENDING, 1)
    assert sending.send_due(timezone.now() + timedelta(minutes=2)) == (1, 0)
    assert len(templates.subscribe_sent) == 1


def test_a_customer_outside_the_mini_program_gets_no_wechat_message(
    customer, sku, templates, django_capture_on_commit_callbacks
):
    order = bought(customer, sku)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(order)
    assert not Delivery.objects.exists() and templates.subscribe_sent == []
