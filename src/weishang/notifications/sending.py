"""Sending messages on their channels, always outside a database transaction: the deliveries are
made once per channel, each is claimed for a while before its provider is called (so two senders
never send it twice), and the outcome is recorded in a second transaction. A failure is tried
again later with the same key, a few times, then given up; ``weishang send_notifications`` (from
cron) sends what is due and what a lost task left behind."""

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from weishang.outbound import Attempt, attempt

from .channels import channel, channels_for
from .models import Delivery, Message

logger = logging.getLogger("weishang.notifications")

MAX_ATTEMPTS = 5
# How long a sender holds a delivery it is sending before another may take it.
CLAIM = timedelta(minutes=5)
# A message not dispatched this long after it was written lost its task: the sender takes it.
LOST_AFTER = timedelta(minutes=2)
BATCH = 500


def retry_delay(attempts: int) -> timedelta:
    """1, 4, 16, 64 minutes after the 1st to 4th failure."""
    return timedelta(minutes=4 ** (attempts - 1))


@task
def dispatch_task(keys: list[str]) -> int:
    return dispatch(Message.objects.filter(key__in=keys))


def dispatch(messages, now: datetime | None = None) -> int:
    """Makes each message's deliveries on the channels that carry it and reach its customer
    (once), then sends them. Returns how many were sent."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        taken = list(
            messages.filter(dispatched_at=None)
            .select_related("customer")
            .select_for_update(of=("self",))
        )
        Delivery.objects.bulk_create(
            [
                Delivery(message=m, channel=c.code, next_attempt_at=now)
                for m in taken
                for c in channels_for(m.event)
                if c.reaches(m.customer)
            ],
            ignore_conflicts=True,
        )
        Message.objects.filter(pk__in=[m.pk for m in taken]).update(dispatched_at=now)
    due = Delivery.objects.filter(message__in=[m.pk for m in taken], status=Delivery.Status.PENDING)
    return sum(send(delivery_id, now=now) for delivery_id in due.values_list("pk", flat=True))


def _claim(delivery_id: int, now: datetime) -> bool:
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=Delivery.Status.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + CLAIM)
    )


def send(delivery_id: int, now: datetime | None = None) -> bool:
    """Sends one delivery if it is due and nobody else is sending it; True if it went out."""
    now = now or timezone.now()
    with transaction.atomic(durable=True):
        if not _claim(delivery_id, now):
            return False
        delivery = Delivery.objects.select_related("message__customer").get(pk=delivery_id)
    way = channel(delivery.channel)
    if way is None:
        return _record(delivery_id, error="channel no longer configured", give_up=True, now=now)
    label = f"Notification {delivery.message.key} by {delivery.channel}"
    try:
        answer = attempt(
            lambda: way.send(
                message=delivery.message,
                customer=delivery.message.customer,
                key=f"notice-{delivery.pk}",
            ),
            label=label,
        )
    except Exception as exc:  # a broken channel is retried like a silent one, never raised
        logger.exception("%s failed", label)
        answer = Attempt(None, type(exc).__name__)
    if answer.result is None:
        return _record(delivery_id, error=answer.error, give_up=answer.refused, now=now)
    return _record(delivery_id, reference=answer.result, now=now)


@transaction.atomic(durable=True)
def _record(
    delivery_id: int, *, reference: str = "", error: str = "", give_up=False, now: datetime
) -> bool:
    delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
    if delivery.status != Delivery.Status.PENDING:
        return False
    delivery.attempts += 1
    if not error:
        delivery.status, delivery.reference, delivery.sent_at = Delivery.Status.SENT, reference, now
        delivery.last_error = ""
    else:
        delivery.last_error = error[:300]
        if give_up or delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = Delivery.Status.FAILED
            logger.warning("Notification delivery %s given up: %s", delivery_id, error)
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    delivery.save()
    return not error


def send_due(now: datetime | None = None) -> tuple[int, int]:
    """Dispatches the messages whose task was lost and sends every delivery due; returns (sent,
    still pending or failed this time)."""
    now = now or timezone.now()
    lost = Message.objects.filter(dispatched_at=None, created_at__lte=now - LOST_AFTER)
    sent = dispatch(
        Message.objects.filter(pk__in=list(lost.values_list("pk", flat=True)[:BATCH])), now
    )
    due = Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
    ids = list(due.order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:BATCH])
    went = sum(send(pk, now=now) for pk in ids)
    return sent + went, len(ids) - went
