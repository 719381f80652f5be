"""WeChat Pay v3: prepay with the payer's openid, notifications verified and decrypted exactly as
WeChat builds them, paid once however often they come; everything else changes nothing."""

import base64
import time

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from django.test import Client
from django.urls import reverse

from tests.concurrency import run_in_parallel
from tests.wechatpay_stub import APPID, MINIPROGRAM_APPID, PUBLIC_KEY_ID, post, wechat_settings
from weishang.orders.models import Order, OrderStatus
from weishang.payments.errors import PaymentError
from weishang.payments.models import Payment
from weishang.payments.services import start_wechat_payment
from weishang.sales.services import place_order

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
NOTIFY = reverse("payments:notify", args=["wechatpay"])


@pytest.fixture
def order(customer, sku):
    return place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())


@pytest.fixture
def prepaid(wechatpay, order):
    """The customer opened WeChat Pay in the official account's pages."""
    params = start_wechat_payment(order=order, openid=OPENID, channel="jsapi")
    return Payment.objects.get(order=order), params


def unchanged(payment: Payment) -> bool:
    payment.refresh_from_db()
    order = Order.objects.get(pk=payment.order_id)
    return (
        payment.status == Payment.Status.CREATED
        and payment.provider_txn_id is None
        and order.status == OrderStatus.PENDING_PAYMENT
    )


# Prepay -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("channel, appid", [("jsapi", APPID), ("miniprogram", MINIPROGRAM_APPID)])
def test_prepay_returns_what_the_page_passes_to_wechat_signed_by_the_merchant(
    wechatpay, order, channel, appid
):
    params = start_wechat_payment(order=order, openid=OPENID, channel=channel)
    payment = Payment.objects.get(order=order)
    (path, sent, _headers) = wechatpay.requests[0]
    assert path == "/v3/pay/transactions/jsapi"
    assert sent["appid"] == appid and sent["mchid"] == "1900009191"
    assert sent["out_trade_no"] == payment.number and sent["payer"] == {"openid": OPENID}
    assert sent["amount"] == {"total": order.total_fen, "currency": "CNY"}
    assert sent["notify_url"] == "https://weishang.test/payments/notify/wechatpay/"
    prepay_id = wechatpay.orders[payment.number]["prepay_id"]
    assert params["appId"] == appid and params["package"] == f"prepay_id={prepay_id}"
    assert params["signType"] == "RSA"
    message = "\n".join(
        [params["appId"], params["timeStamp"], params["nonceStr"], params["package"]]
    )
    wechatpay.keys.merchant.public_key().verify(
        base64.b64decode(params["paySign"]),
        (message + "\n").encode(),
        padding.PKCS1v15(),
        hashes.SHA256(),
    )
    assert payment.payer_account == OPENID and payment.provider == "wechatpay"


@pytest.mark.django_db
def test_coming_back_to_pay_reuses_the_payment_and_its_prepay_order(prepaid, wechatpay, order):
    payment, first = prepaid
    again = start_wechat_payment(order=order, openid=OPENID, channel="jsapi")
    assert again["package"] == first["package"]
    assert Payment.objects.filter(order=order).count() == 1 and len(wechatpay.orders) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "openid, channel, message",
    [
        ("", "jsapi", "Sign in with WeChat"),
        ("o'; DROP TABLE", "jsapi", "Sign in with WeChat"),
        (OPENID, "app", "not available here"),
    ],
)
def test_prepay_without_a_valid_openid_or_channel_is_refused_and_asks_nothing(
    wechatpay, order, openid, channel, message
):
    with pytest.raises(PaymentError, match=message):
        start_wechat_payment(order=order, openid=openid, channel=channel)
    assert not Payment.objects.exists() and not wechatpay.requests


@pytest.mark.django_db
def test_a_paid_order_is_not_sent_to_wechat_again(client, prepaid, wechatpay):
    payment, _params = prepaid
    post(client, NOTIFY, wechatpay.paid(payment))
    with pytest.raises(PaymentError, match="not awaiting payment"):
        start_wechat_payment(order=payment.order, openid=OPENID, channel="jsapi")
    assert len(wechatpay.requests) == 1 and Payment.objects.count() == 1


@pytest.mark.django_db
def test_prepay_errors_are_explained_in_the_customers_language(wechatpay, order):
    from django.utils import translation

    wechatpay.fail_next(400, "PARAM_ERROR", "输入源“/body/payer/openid”映射到字段失败")
    with translation.override("zh-hans"), pytest.raises(PaymentError) as refused:
        start_wechat_payment(order=order, openid=OPENID, channel="jsapi")
    assert refused.value.message.startswith("微信支付认为请求参数有误")
    wechatpay.fail_next(500, "SYSTEM_ERROR", "系统错误")
    with pytest.raises(PaymentError, match="did not answer; please try again"):
        start_wechat_payment(order=order, openid=OPENID, channel="jsapi")
    wechatpay.fail_next(slow=True)
    with pytest.raises(PaymentError, match="did not answer; please try again"):
        start_wechat_payment(order=order, openid=OPENID, channel="jsapi")
    assert (
        "prepay_id=" in start_wechat_payment(order=order, openid=OPENID, channel="jsapi")["package"]
    )


@pytest.mark.django_db
def test_an_answer_not_signed_by_wechat_is_not_trusted(wechatpay, order):
    wechatpay.answer_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(PaymentError, match="did not answer"):
        start_wechat_payment(order=order, openid=OPENID, channel="jsapi")


# Notifications ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_notification_pays_once_also_when_sent_twice(client, prepaid, wechatpay):
    payment, _params = prepaid
    notification = wechatpay.paid(payment)
    first, second = post(client, NOTIFY, notification), post(client, NOTIFY, notification)
    assert first.json() == {"code": "SUCCESS", "duplicate": False}
    assert second.json() == {"code": "SUCCESS", "duplicate": True}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_txn_id == wechatpay.orders[payment.number]["transaction_id"]
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PAID


@pytest.mark.postgres
def test_eight_copies_at_once_pay_once(postgres_only, prepaid, wechatpay):
    payment, _params = prepaid
    notification = wechatpay.paid(payment)
    responses = run_in_parallel(lambda i: post(Client(), NOTIFY, notification), 8)
    assert [r.json()["code"] for r in responses] == ["SUCCESS"] * 8
    assert sum(1 for r in responses if r.json()["duplicate"] is False) == 1
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PAID
    assert Payment.objects.filter(order_id=payment.order_id, status="succeeded").count() == 1


@pytest.mark.django_db
def test_a_notification_in_public_key_mode_pays(
    client, settings, prepaid, wechatpay, wechat_gateway
):
    payment, _params = prepaid
    settings.WECHATPAY = wechat_settings(wechatpay.keys, wechat_gateway[1], public_key=True)
    wechatpay.serial = PUBLIC_KEY_ID
    assert post(client, NOTIFY, wechatpay.paid(payment)).json()["code"] == "SUCCESS"
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PAID


def forged_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change, message",
    [
        ({"key": "forged"}, "signature or encryption is not valid"),
        ({"timestamp": int(time.time()) - 600}, "too old"),
        ({"amount": {"total": 1, "payer_total": 1, "currency": "CNY"}}, "differs"),
        ({"mchid": "1900000001"}, "another merchant"),
        ({"appid": "wx0000000000000000"}, "another app"),
        ({"payer": {"openid": "oSomeoneElse0000000000000000"}}, "another payer"),
        ({"trade_state": "NOTPAY"}, "does not report a successful payment"),
    ],
)
def test_a_bad_notification_is_refused_and_changes_nothing(
    client, prepaid, wechatpay, change, message
):
    payment, _params = prepaid
    if change.get("key") == "forged":
        change = {"key": forged_key()}
    response = post(client, NOTIFY, wechatpay.paid(payment, **change))
    assert response.status_code == 400 and response.json()["code"] == "FAIL"
    assert message in response.json()["message"]
    assert unchanged(payment)


@pytest.mark.django_db
def test_tampered_or_unsigned_notifications_are_refused(client, prepaid, wechatpay):
    payment, _params = prepaid
    body, headers = wechatpay.paid(payment)
    tampered = body.replace(b'"summary": "', b'"summary": "x')
    assert post(client, NOTIFY, (tampered, headers)).status_code == 400
    for missing in ("Wechatpay-Signature", "Wechatpay-Serial", "Wechatpay-Signature-Type"):
        partial = {k: v for k, v in headers.items() if k != missing}
        assert post(client, NOTIFY, (body, partial)).status_code == 400
    odd = headers | {"Wechatpay-Serial": "not-hex", "Wechatpay-Timestamp": "١٧٠٠٠٠٠٠٠٠"}
    response = post(client, NOTIFY, (body, odd))
    assert response.status_code == 400 and "not signed" in response.json()["message"]
    assert post(client, NOTIFY, (b"[]", headers)).status_code == 400
    assert unchanged(payment)


@pytest.mark.django_db
def test_another_orders_notification_cannot_pay_this_one(client, customer, sku, prepaid, wechatpay):
    cheap, _params = prepaid
    other_order = place_order(
        customer=customer, items={sku.pk: 5}, address=customer.addresses.get()
    )
    start_wechat_payment(order=other_order, openid=OPENID, channel="jsapi")
    dear = Payment.objects.get(order=other_order)
    cheap_paid = wechatpay.paid(cheap)
    assert post(client, NOTIFY, cheap_paid).json()["duplicate"] is False
    # Replayed, it only repeats what it said about its own order.
    assert post(client, NOTIFY, cheap_paid).json()["duplicate"] is True
    # Its encrypted resource inside the other order's notification breaks the signature.
    body, headers = wechatpay.paid(dear)
    cheap_body, _h = cheap_paid
    spliced = body.split(b'"resource"')[0] + b'"resource"' + cheap_body.split(b'"resource"')[1]
    assert post(client, NOTIFY, (spliced, headers)).status_code == 400
    assert unchanged(dear)


@pytest.mark.django_db
def test_notification_to_a_site_without_wechat_pay_is_refused_not_an_error(client, order):
    response = client.post(
        NOTIFY, data=b"{}", content_type="application/json", headers={"Accept-Language": "zh-hans"}
    )
    assert response.status_code == 400
    assert response.json()["message"] == "本站未开通微信支付。"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [NOTIFY, reverse("payments:wechatpay_refund"), reverse("payments:wechatpay_transfer")],
)
@pytest.mark.parametrize(
    "body, headers",
    [
        (b"", {}),
        (b"\xff\xfe not json", {"Wechatpay-Signature": "x" * 5000}),
        (
            b'{"resource": 1}',
            {
                "Wechatpay-Signature": "%%%",
                "Wechatpay-Timestamp": str(int(time.time())),
                "Wechatpay-Nonce": "N" * 32,
                "Wechatpay-Serial": "ABCDEF",
                "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
            },
        ),
    ],
)
def test_junk_at_any_wechat_pay_address_is_refused_never_an_error(
    client, wechatpay, url, body, headers
):
    response = post(client, url, (body, headers))
    assert response.status_code == 400 and response.json()["code"] == "FAIL"
    assert not Payment.objects.exists()


@pytest.mark.django_db
def test_an_unknown_certificate_serial_asks_wechat_for_its_certificates_at_most_once_a_while(
    client, prepaid, wechatpay, wechat_gateway
):
    payment, _params = prepaid
    server, _proxy = wechat_gateway
    body, headers = wechatpay.paid(payment)
    forged = headers | {"Wechatpay-Serial": "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"}
    first, second = post(client, NOTIFY, (body, forged)), post(client, NOTIFY, (body, forged))
    assert "signature or encryption is not valid" in first.json()["message"]
    assert "unknown certificate" in second.json()["message"]
    downloads = [r for r, _answer in server.log if r.path == "/v3/certificates"]
    assert len(downloads) == 1
    assert unchanged(payment)
    assert post(client, NOTIFY, (body, headers)).json()["code"] == "SUCCESS"
