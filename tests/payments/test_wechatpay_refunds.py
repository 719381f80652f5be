"""WeChat Pay refunds: asked after the commit with the refund's idempotency key as out_refund_no,
settled by WeChat's refund notification once, retried with the same key after an error or a lost
answer, refused with a translated reason."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.concurrency import run_in_parallel
from tests.wechatpay_stub import post
from weishang.orders.models import Order
from weishang.payments.models import Payment, Refund
from weishang.payments.refunds import send_refund
from weishang.payments.services import start_wechat_payment
from weishang.sales.services import cancel_order, place_order

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
NOTIFY = reverse("payments:notify", args=["wechatpay"])
REFUND_NOTIFY = reverse("payments:wechatpay_refund")


@pytest.fixture
def paid(wechatpay, customer, sku):
    order = place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())
    start_wechat_payment(order=order, openid=OPENID, channel="jsapi")
    payment = Payment.objects.get(order=order)
    assert post(Client(), NOTIFY, wechatpay.paid(payment)).json()["code"] == "SUCCESS"
    payment.refresh_from_db()
    return payment


def cancel(payment, capture) -> Refund:
    with capture(execute=True):
        cancel_order(order=Order.objects.get(pk=payment.order_id), by_brand=False)
    return Refund.objects.get(payment=payment)


def refund_calls(wechatpay) -> list[dict]:
    return [sent for path, sent, _h in wechatpay.requests if path.startswith("/v3/refund/")]


@pytest.mark.django_db
def test_a_refund_notification_settles_the_refund_once(
    client, paid, wechatpay, django_capture_on_commit_callbacks
):
    refund = cancel(paid, django_capture_on_commit_callbacks)
    (sent,) = refund_calls(wechatpay)
    assert sent["out_refund_no"] == refund.idempotency_key
    assert sent["transaction_id"] == paid.provider_txn_id
    assert sent["amount"] == {
        "refund": paid.amount_fen,
        "total": paid.amount_fen,
        "currency": "CNY",
    }
    assert sent["notify_url"] == "https://weishang.test/payments/notify/wechatpay/refund/"
    # WeChat is processing it: the customer sees it in progress, not refunded.
    assert refund.status == Refund.Status.REQUESTED and refund.attempts == 1
    notice = wechatpay.refunded(refund.idempotency_key)
    assert post(client, REFUND_NOTIFY, notice).json() == {"code": "SUCCESS"}
    assert post(client, REFUND_NOTIFY, notice).json() == {"code": "SUCCESS"}
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.attempts == 2
    assert refund.provider_refund_id == wechatpay.refunds[refund.idempotency_key]["refund_id"]


@pytest.mark.postgres
def test_refund_notifications_at_once_settle_it_once(
    postgres_only, paid, wechatpay, django_capture_on_commit_callbacks
):
    refund = cancel(paid, django_capture_on_commit_callbacks)
    notice = wechatpay.refunded(refund.idempotency_key)
    responses = run_in_parallel(lambda i: post(Client(), REFUND_NOTIFY, notice), 8)
    assert [r.status_code for r in responses] == [200] * 8
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.attempts == 2


@pytest.mark.django_db
def test_a_refund_wechat_finishes_at_once_is_confirmed_at_once(
    paid, wechatpay, django_capture_on_commit_callbacks
):
    wechatpay.refund_status = "SUCCESS"
    refund = cancel(paid, django_capture_on_commit_callbacks)
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.provider_refund_id == wechatpay.refunds[refund.idempotency_key]["refund_id"]


@pytest.mark.django_db
def test_bad_refund_notifications_change_nothing(
    client, paid, wechatpay, django_capture_on_commit_callbacks
):
    refund = cancel(paid, django_capture_on_commit_callbacks)
    short = wechatpay.refunded(refund.idempotency_key, refund_fen=1)
    response = post(client, REFUND_NOTIFY, short)
    assert response.status_code == 400 and "differs" in response.json()["message"]
    wechatpay.refunds["someone-elses"] = dict(
        wechatpay.refunds[refund.idempotency_key], out_refund_no="someone-elses"
    )
    response = post(client, REFUND_NOTIFY, wechatpay.refunded("someone-elses"))
    assert response.status_code == 400 and "unknown refund" in response.json()["message"]
    payment_notice = wechatpay.paid(paid)
    response = post(client, REFUND_NOTIFY, payment_notice)
    assert response.status_code == 400 and "not about a refund" in response.json()["message"]
    body, headers = wechatpay.refunded(refund.idempotency_key)
    response = post(client, REFUND_NOTIFY, (body, headers | {"Wechatpay-Nonce": "X" * 32}))
    assert response.status_code == 400
    refund.refresh_from_db()
    assert refund.status == Refund.Status.REQUESTED and refund.provider_refund_id is None


@pytest.mark.django_db
def test_an_abnormal_refund_is_marked_failed_to_retry(
    client, paid, wechatpay, django_capture_on_commit_callbacks
):
    refund = cancel(paid, django_capture_on_commit_callbacks)
    post(client, REFUND_NOTIFY, wechatpay.refunded(refund.idempotency_key, status="ABNORMAL"))
    refund.refresh_from_db()
    assert refund.status == Refund.Status.FAILED and "ABNORMAL" in refund.last_error


@pytest.mark.django_db
@pytest.mark.parametrize(
    "failure",
    [(500, "SYSTEM_ERROR", "系统超时"), (429, "FREQUENCY_LIMITED", "频率限制"), "slow"],
)
def test_no_answer_leaves_it_requested_and_the_retry_refunds_once(
    paid, wechatpay, failure, django_capture_on_commit_callbacks
):
    if failure == "slow":
        wechatpay.fail_next(slow=True)  # WeChat refunds, its answer comes too late
    else:
        wechatpay.fail_next(*failure)
    refund = cancel(paid, django_capture_on_commit_callbacks)
    assert refund.status == Refund.Status.REQUESTED and refund.last_error
    wechatpay.refund_status = "SUCCESS"
    if failure == "slow":
        wechatpay.refunds[refund.idempotency_key]["status"] = "SUCCESS"
    refund = send_refund(refund_id=refund.pk)
    assert refund.status == Refund.Status.SUCCEEDED
    keys = {sent["out_refund_no"] for sent in refund_calls(wechatpay)}
    assert keys == {refund.idempotency_key} and len(wechatpay.refunds) == 1


@pytest.mark.django_db
def test_a_refused_refund_is_failed_with_the_reason_in_the_staffs_language(
    paid, wechatpay, django_capture_on_commit_callbacks
):
    wechatpay.fail_next(403, "NOT_ENOUGH", "基本账户余额不足，请充值后重新发起")
    with translation.override("zh-hans"):
        refund = cancel(paid, django_capture_on_commit_callbacks)
    assert refund.status == Refund.Status.FAILED
    assert refund.last_error == "微信支付商户账户余额不足，请充值后重试。"
