"""Telling customers: a message is written to the inbox in the transaction of the act that
causes it (so it exists exactly when the act does) and queued for its other channels, which are
sent after the commit (``sending``); a channel failing never undoes or holds up the act."""

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from weishang.transactions import step

from .channels import channels_for
from .models import Message
from .sending import dispatch_task

DISPATCH_CHUNK = 500


@step
def notify(*, customer_id: int, event: str, params: dict, key: str, now: datetime | None = None):
    """Tells the customer once: a second call with the same ``key`` changes nothing."""
    notify_many(event=event, messages=[(customer_id, params, key)], now=now)


@step
def notify_many(
    *, event: str, messages: Iterable[tuple[int, dict, str]], now: datetime | None = None
) -> None:
    """Tells each (customer id, figures, key) of one event, in one statement."""
    now = now or timezone.now()
    # A message no channel carries is only for the inbox: there is nothing to send.
    sent_on = channels_for(event)
    rows = [
        Message(
            customer_id=customer_id,
            event=event,
            params=params,
            key=key,
            created_at=now,
            dispatched_at=None if sent_on else now,
        )
        for customer_id, params, key in messages
    ]
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    if sent_on:
        keys = [m.key for m in rows]
        for start in range(0, len(keys), DISPATCH_CHUNK):
            chunk = keys[start : start + DISPATCH_CHUNK]
            transaction.on_commit(lambda chunk=chunk: dispatch_task.enqueue(keys=chunk))


def mark_read(*, customer, message_id: int, now: datetime | None = None) -> Message | None:
    """The customer opened one of his messages; None if it is not his."""
    message = Message.objects.filter(customer=customer, pk=message_id).first()
    if message is not None and message.read_at is None:
        message.read_at = now or timezone.now()
        Message.objects.filter(pk=message.pk, read_at=None).update(read_at=message.read_at)
    return message


def mark_all_read(*, customer, now: datetime | None = None) -> int:
    return Message.objects.filter(customer=customer, read_at=None).update(
        read_at=now or timezone.now()
    )
