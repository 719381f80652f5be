"""Besides the inbox, a message goes out on its channels only after the act's transaction
commits; a channel that fails is tried again later with the same key and never undoes or holds
up the order; two senders never send one message twice."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import bought, deliver
from weishang.notifications import sending, services
from weishang.notifications.models import Delivery, Message
from weishang.orders.models import OrderStatus

pytestmark = pytest.mark.django_db
S = Delivery.Status


def test_a_shipping_text_goes_out_after_the_commit_in_chinese(
    customer, sku, texts, django_capture_on_commit_callbacks
):
    order = bought(customer, sku)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        deliver(order)
    assert texts == [] and not Delivery.objects.exists()  # nothing leaves inside the act
    for callback in queued:
        callback()
    assert len(texts) == 1
    mobile, words = texts[0]
    assert mobile == customer.mobile and "顺丰速运" in words and order.number in words
    delivery = Delivery.objects.get()
    assert (delivery.channel, delivery.status, delivery.attempts) == ("sms", S.SENT, 1)
    assert delivery.reference == f"notice-{delivery.pk}"


def test_a_paid_order_is_only_in_the_inbox(
    customer, sku, texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        bought(customer, sku)
    message = Message.objects.get(customer=customer)
    assert message.dispatched_at is not None and not message.deliveries.exists()
    assert texts == [] and queued == []


def tell(customer, key="k1"):
    from django.db import transaction

    with transaction.atomic():
        services.notify(
            customer_id=customer.pk,
            event="withdrawal_paid",
            params={"amount_fen": 100, "reference": "R"},
            key=key,
        )
    return Message.objects.get(key=key)


def test_a_silent_channel_is_tried_again_later_with_the_same_key(customer, flaky):
    flaky.answers = ["silent"]
    now = timezone.now()
    message = tell(customer)
    assert sending.dispatch(Message.objects.filter(pk=message.pk), now) == 0
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (S.PENDING, 1, "timed out")
    assert delivery.next_attempt_at == now + timedelta(minutes=1)
    assert sending.send_due(now + timedelta(seconds=30)) == (0, 0)  # not due yet
    assert sending.send_due(now + timedelta(minutes=2)) == (1, 0)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (S.SENT, 2)
    assert flaky.sent == [f"notice-{delivery.pk}"]


def test_a_refusal_is_given_up_at_once_and_silence_after_five_tries(make_customer, flaky):
    now = timezone.now()
    flaky.answers = ["refuse"]
    refused = tell(make_customer(), "refused")
    sending.dispatch(Message.objects.filter(pk=refused.pk), now)
    assert Delivery.objects.get(message=refused).status == S.FAILED
    flaky.answers = ["silent"] * 5
    silent = tell(make_customer(), "silent")
    sending.dispatch(Message.objects.filter(pk=silent.pk), now)
    for hours in range(1, 6):
        sending.send_due(now + timedelta(hours=hours * 2))
    delivery = Delivery.objects.get(message=silent)
    assert (delivery.status, delivery.attempts) == (S.FAILED, 5)
    assert sending.send_due(now + timedelta(days=1)) == (0, 0)


def test_a_broken_channel_never_holds_up_the_order(
    customer, sku, flaky, django_capture_on_commit_callbacks
):
    flaky.answers = ["broken"]
    with django_capture_on_commit_callbacks(execute=True):
        order = bought(customer, sku)
    assert order.status == OrderStatus.PAID
    delivery = Delivery.objects.get()
    assert (delivery.status, delivery.last_error) == (S.PENDING, "KeyError")


def test_a_message_whose_task_was_lost_is_sent_by_the_command(customer, flaky, capsys):
    message = tell(customer)  # its task never ran: nothing dispatched it
    assert message.dispatched_at is None
    Message.objects.filter(pk=message.pk).update(created_at=timezone.now() - timedelta(minutes=5))
    call_command("send_notifications")
    assert "1 sent" in capsys.readouterr().out
    assert Delivery.objects.get().status == S.SENT and len(flaky.sent) == 1


@pytest.mark.postgres
def test_senders_at_once_send_each_message_once(postgres_only, make_customer, flaky):
    for n in range(3):
        tell(make_customer(), f"k{n}")
    Message.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    results = run_in_parallel(lambda i: sending.send_due(), 6)
    assert all(isinstance(r, tuple) for r in results), results
    assert sorted(flaky.sent) == sorted(f"notice-{d.pk}" for d in Delivery.objects.all())
    assert Delivery.objects.filter(status=S.SENT).count() == 3
