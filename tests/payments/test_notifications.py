import json
import time

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.concurrency import run_in_parallel
from weishang.orders.models import Order, OrderStatus
from weishang.payments.models import Payment, Refund
from weishang.payments.providers.sandbox import SIGNATURE_HEADER, notification_body, sign
from weishang.payments.services import start_payment
from weishang.sales.services import cancel_order, expire_unpaid_orders, place_order

SECRET = settings.SANDBOX_PAY_SECRET


@pytest.fixture
def payment(customer, sku):
    order = place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())
    return start_payment(order=order)


def notify(
    client, payment, *, txn="txn-1", amount=None, secret=SECRET, timestamp=None, language="en"
):
    body = notification_body(
        trade_number=payment.number,
        transaction_id=txn,
        amount_fen=payment.amount_fen if amount is None else amount,
        paid_at=timezone.now(),
    )
    return client.post(
        reverse("payments:notify", args=["sandbox"]),
        data=body,
        content_type="application/json",
        headers={
            SIGNATURE_HEADER: sign(body, secret=secret, timestamp=timestamp),
            "Accept-Language": language,
        },
    )


@pytest.mark.django_db
def test_the_same_notification_twice_pays_the_order_once(client, payment):
    first = notify(client, payment)
    second = notify(client, payment)
    assert first.json() == {"code": "SUCCESS", "duplicate": False}
    assert second.json() == {"code": "SUCCESS", "duplicate": True}
    order = Order.objects.get(pk=payment.order_id)
    assert order.status == OrderStatus.PAID
    assert Payment.objects.filter(order=order, status="succeeded").count() == 1


@pytest.mark.postgres
def test_concurrent_copies_of_a_notification_pay_once(postgres_only, payment):
    from django.test import Client

    responses = run_in_parallel(lambda i: notify(Client(), payment), 8)
    codes = [r.json()["code"] for r in responses]
    assert codes == ["SUCCESS"] * 8
    assert sum(1 for r in responses if r.json()["duplicate"] is False) == 1
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PAID


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"amount": 1}, "differs"),
        ({"secret": "forged"}, "signature"),
        ({"timestamp": int(time.time()) - 3600}, "too old"),
    ],
)
def test_a_wrong_amount_or_signature_is_refused_and_changes_nothing(
    client, payment, kwargs, message
):
    response = notify(client, payment, **kwargs)
    assert response.status_code == 400
    assert message in response.json()["message"]
    payment.refresh_from_db()
    assert payment.status == Payment.Status.CREATED and payment.provider_txn_id is None
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PENDING_PAYMENT


@pytest.mark.django_db
def test_unsigned_and_malformed_notifications_are_refused(client, payment):
    url = reverse("payments:notify", args=["sandbox"])
    assert client.post(url, data=b"{}", content_type="application/json").status_code == 400
    body = json.dumps({"trade_number": payment.number}).encode()
    response = client.post(
        url,
        data=body,
        content_type="application/json",
        headers={SIGNATURE_HEADER: sign(body, secret=SECRET)},
    )
    assert response.status_code == 400 and response.json()["message"] == "支付通知格式错误。"


@pytest.mark.django_db
def test_payment_arriving_after_expiry_is_refunded_in_full(client, payment):
    expire_unpaid_orders(now=timezone.now() + timezone.timedelta(hours=1))
    assert notify(client, payment).json()["code"] == "SUCCESS"
    order = Order.objects.get(pk=payment.order_id)
    assert order.status == OrderStatus.CANCELLED
    assert Refund.objects.get(payment=payment).amount_fen == payment.amount_fen


@pytest.mark.django_db
def test_customer_cancelling_a_paid_order_is_refunded_and_stock_freed(client, payment):
    notify(client, payment)
    order = cancel_order(order=Order.objects.get(pk=payment.order_id), by_brand=False)
    assert order.status == OrderStatus.REFUNDED
    assert Refund.objects.get(payment=payment).amount_fen == order.total_fen
    assert order.lines.get().sku.stock.reserved == 0


@pytest.mark.django_db
def test_sandbox_pay_page_applies_its_signed_notification_without_calling_itself(
    client, payment, monkeypatch
):
    """Under one sync worker an HTTP call back to our own server waits on itself: the sandbox
    verifies and applies its signed notification in-process, through the provider's parser."""
    from weishang.payments.providers.sandbox import SandboxProvider

    def no_network(*args, **kwargs):
        raise AssertionError("the sandbox must not call the server over HTTP")

    parsed = []
    parse = SandboxProvider.parse_notification

    def spy(self, *, body, headers):
        parsed.append(json.loads(body))
        return parse(self, body=body, headers=headers)

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    monkeypatch.setattr(SandboxProvider, "parse_notification", spy)
    page = client.get(reverse("payments:sandbox_pay", args=[payment.number]))
    assert page.status_code == 200
    response = client.post(reverse("payments:sandbox_pay", args=[payment.number]), follow=True)
    assert response.redirect_chain[-1][0].endswith(f"/orders/{payment.order.number}/")
    assert [p["amount_fen"] for p in parsed] == [payment.amount_fen]
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PAID
    payment.refresh_from_db()
    assert payment.status == Payment.Status.SUCCEEDED
    assert payment.provider_txn_id == parsed[0]["transaction_id"]


@pytest.mark.django_db
def test_sandbox_pay_page_with_a_wrong_secret_changes_nothing(client, payment, monkeypatch):
    """The in-process path checks the signature like the endpoint: a notification signed with
    another secret than the provider's is refused."""
    from weishang.payments.providers.sandbox import sign
    from weishang.sales import views

    monkeypatch.setattr(views, "sign", lambda body, *, secret: sign(body, secret="forged"))
    response = client.post(reverse("payments:sandbox_pay", args=[payment.number]))
    assert response.status_code == 302
    assert Order.objects.get(pk=payment.order_id).status == OrderStatus.PENDING_PAYMENT
