"""Refunds reach the provider after the commit, from a task, with one idempotency key: a refusal,
a timeout, a lost answer or a failed confirmation leave the refund to retry, never refunded twice.
"""

import re

import pytest
from django.core.management import call_command
from django.db import DatabaseError
from django.test import Client
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import deliver, pay
from weishang.compliance.models import AuditEntry
from weishang.distribution.models import Binding
from weishang.orders import services as orders
from weishang.orders.models import OrderStatus
from weishang.payments import refunds
from weishang.payments.models import Refund
from weishang.sales import services as sales


def paid_order(customer, sku, quantity=2):
    return pay(
        sales.place_order(
            customer=customer, items={sku.pk: quantity}, address=customer.addresses.get()
        )
    )


def reconcile(*args) -> str:
    from io import StringIO

    out = StringIO()
    call_command("reconcile", "--minutes", "0", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_the_provider_is_asked_after_the_commit_outside_any_transaction(customer, sku, bank):
    order = sales.cancel_order(order=paid_order(customer, sku), by_brand=False)
    refund = Refund.objects.get(payment__order=order)
    assert bank.calls == [refund.idempotency_key]
    assert bank.in_transaction == [False]
    assert refund.status == Refund.Status.SUCCEEDED
    assert refund.provider_refund_id == f"bank-{refund.idempotency_key[:12]}"
    assert bank.total_fen == order.total_fen == order.refunded_fen


@pytest.mark.django_db
def test_a_refused_refund_shows_in_progress_and_is_retried_with_the_same_key(
    client, customer, sku, bank, django_capture_on_commit_callbacks
):
    order = paid_order(customer, sku)
    bank.outcomes = ["decline"]
    with django_capture_on_commit_callbacks(execute=True):
        sales.cancel_order(order=order, by_brand=False)
    refund = Refund.objects.get(payment__order=order)
    assert (refund.status, refund.attempts) == (Refund.Status.FAILED, 1)
    assert refund.last_error == "merchant balance too low"
    assert bank.total_fen == 0

    client.force_login(customer.user)
    page = client.get(f"/orders/{order.number}/", headers={"Accept-Language": "zh-hans"})
    badge = page.content.decode().split('data-testid="order-status">')[1].split("<")[0]
    assert badge == "退款处理中"

    assert f"refund {refund.number}" in reconcile()
    assert "1 refund(s) and 0 payout(s) unconfirmed (retried)" in reconcile("--retry")
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED and refund.last_error == ""
    assert bank.calls == [refund.idempotency_key] * 2
    assert bank.total_fen == order.total_fen
    assert "0 refund(s)" in reconcile("--retry") and bank.calls == [refund.idempotency_key] * 2
    page = client.get(f"/orders/{order.number}/", headers={"Accept-Language": "zh-hans"})
    badge = page.content.decode().split('data-testid="order-status">')[1].split("<")[0]
    assert badge == "已退款"


def badges(page) -> list[str]:
    return re.findall(r'data-testid="order-status">([^<]*)<', page.content.decode())


@pytest.mark.django_db
def test_order_lists_and_the_console_show_an_unconfirmed_refund_as_in_progress(
    customer, sku, bank, brand, staff, make_distributor, django_capture_on_commit_callbacks
):
    distributor = make_distributor()
    Binding.objects.create(
        customer=customer, distributor=distributor, source="qr", bound_at=timezone.now()
    )
    order = paid_order(customer, sku)
    bank.outcomes = ["decline"]
    with django_capture_on_commit_callbacks(execute=True):
        sales.cancel_order(order=order, by_brand=False)
    shopper, seller, console = Client(), Client(), Client()
    shopper.force_login(customer.user)
    seller.force_login(distributor.customer.user)
    console.force_login(staff)
    chinese = {"headers": {"Accept-Language": "zh-hans"}}

    def badges_seen():
        return (
            badges(shopper.get("/orders/", **chinese)),
            badges(seller.get("/d/orders/", **chinese)),
            badges(console.get("/console/orders/", **chinese)),
            badges(console.get(f"/console/orders/{order.number}/", **chinese)),
        )

    assert badges_seen() == (["退款处理中"], ["退款处理中"], ["退款处理中"], ["退款处理中"])
    assert "退款处理中 ¥" in seller.get("/d/orders/", **chinese).content.decode()
    reconcile("--retry")
    assert badges_seen() == (["已退款"], ["已退款"], ["已退款"], ["已退款"])
    assert "已退款 ¥" in seller.get("/d/orders/", **chinese).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["timeout", "lost answer"])
def test_a_timed_out_refund_stays_requested_and_refunds_once_on_retry(
    customer, sku, bank, outcome, django_capture_on_commit_callbacks
):
    order = paid_order(customer, sku)
    bank.outcomes = [outcome]
    with django_capture_on_commit_callbacks(execute=True):
        sales.cancel_order(order=order, by_brand=False)
    refund = Refund.objects.get(payment__order=order)
    assert (refund.status, refund.attempts) == (Refund.Status.REQUESTED, 1)
    reconcile("--retry")
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert bank.calls == [refund.idempotency_key] * 2
    assert bank.total_fen == order.total_fen  # the lost answer's refund is not made again


@pytest.mark.django_db
def test_a_failed_confirmation_after_the_provider_refunded_is_confirmed_on_retry(
    customer, sku, bank, monkeypatch, django_capture_on_commit_callbacks
):
    order = deliver(paid_order(customer, sku))
    line = order.lines.get()
    rr = orders.request_return(order=order, customer=customer, quantities={line.pk: 1})
    rr = orders.receive_return(
        actor=None, return_request=orders.approve_return(actor=None, return_request=rr)
    )
    confirm = refunds.confirm_refund

    def crash(**kwargs):
        raise DatabaseError("server closed the connection unexpectedly")

    monkeypatch.setattr(refunds, "confirm_refund", crash)
    with django_capture_on_commit_callbacks(execute=True):
        sales.refund_return(return_request=rr)
    refund = Refund.objects.get(return_number=rr.number)
    assert refund.status == Refund.Status.REQUESTED and bank.total_fen == line.unit_price_fen
    monkeypatch.setattr(refunds, "confirm_refund", confirm)
    reconcile("--retry")
    refund.refresh_from_db()
    assert refund.status == Refund.Status.SUCCEEDED
    assert bank.calls == [refund.idempotency_key] * 2
    assert bank.total_fen == line.unit_price_fen
    order.refresh_from_db()
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, refund.amount_fen)


@pytest.mark.django_db
def test_staff_cancelling_and_refunding_write_the_audit_entry(
    client, staff, brand, customer, sku, bank, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    unpaid = sales.place_order(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
    )
    client.post(f"/console/orders/{unpaid.number}/cancel/", {"reason": "缺货"})
    order = deliver(paid_order(customer, sku))
    line = order.lines.get()
    rr = orders.request_return(order=order, customer=customer, quantities={line.pk: 1})
    rr = orders.receive_return(
        actor=None, return_request=orders.approve_return(actor=None, return_request=rr)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/console/returns/{rr.number}/refund/")
    entries = list(
        AuditEntry.objects.filter(action__in=["order.cancel", "return.refund"])
        .order_by("pk")
        .values_list("action", "actor", "object_id")
    )
    assert entries == [
        ("order.cancel", staff.pk, str(unpaid.pk)),
        ("return.refund", staff.pk, str(rr.pk)),
    ]
    assert Refund.objects.get(return_number=rr.number).status == Refund.Status.SUCCEEDED


@pytest.mark.postgres
def test_concurrent_retries_refund_once(postgres_only, customer, sku, bank):
    bank.outcomes = ["timeout"]
    order = sales.cancel_order(order=paid_order(customer, sku), by_brand=False)
    refund = Refund.objects.get(payment__order=order)
    assert refund.status == Refund.Status.REQUESTED
    results = run_in_parallel(lambda i: refunds.send_refund(refund_id=refund.pk), 6)
    assert all(isinstance(r, Refund) for r in results), results
    refund.refresh_from_db()
    assert (refund.status, refund.attempts) == (Refund.Status.SUCCEEDED, 2)
    assert set(bank.calls) == {refund.idempotency_key}
    assert bank.total_fen == order.total_fen
