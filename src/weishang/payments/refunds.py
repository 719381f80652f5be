"""Refunds: requested inside the transaction that decides them, sent to the provider by a task
after that transaction commits, confirmed in a second transaction. The idempotency key travels
with every attempt, so a retry after an error, a timeout or a lost confirmation refunds once."""

import uuid

from django.db import transaction
from django.db.models import Sum
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.notifications.events import Event
from weishang.notifications.services import notify
from weishang.orders.models import Order
from weishang.outbound import attempt
from weishang.transactions import step

from .errors import PaymentError
from .models import Payment, Refund
from .numbers import new_number
from .providers import InvalidNotification, get_provider


@step
def request_refund(
    *, payment: Payment, amount_fen: int, reason: str, return_number: str = ""
) -> Refund:
    """Records the refund as requested and queues its sending for after the commit. The caller
    holds the order's and the payment's locks."""
    if not isinstance(amount_fen, int) or amount_fen <= 0:
        raise PaymentError(_("A refund must be a positive whole number of fen."))
    refunded = payment.refunds.aggregate(total=Sum("amount_fen"))["total"] or 0
    if refunded + amount_fen > payment.amount_fen:
        raise PaymentError(
            _("Refunds would exceed what was paid (%(paid)d fen).") % {"paid": payment.amount_fen}
        )
    refund = Refund.objects.create(
        number=new_number("F"),
        payment=payment,
        amount_fen=amount_fen,
        reason=str(reason)[:200],
        return_number=return_number,
        idempotency_key=uuid.uuid4().hex,
        created_at=timezone.now(),
    )
    transaction.on_commit(lambda: send_refund_task.enqueue(refund_id=refund.pk))
    return refund


@task
def send_refund_task(refund_id: int) -> str:
    return send_refund(refund_id=refund_id).status


def send_refund(*, refund_id: int) -> Refund:
    """Asks the provider, outside any transaction, then confirms. Safe to repeat at any time."""
    with transaction.atomic(durable=True):  # refuses to run inside a caller's transaction
        refund = Refund.objects.select_related("payment").get(pk=refund_id)
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    provider = get_provider(refund.payment.provider)
    answer = attempt(
        lambda: provider.refund(payment=refund.payment, refund=refund),
        label=f"Refund {refund.number}",
    )
    if answer.result is None:
        failed = Refund.Status.FAILED if answer.refused else None
        return _record_attempt(refund_id, error=answer.error, status=failed)
    return confirm_refund(refund_id=refund_id, provider_refund_id=answer.result)


@transaction.atomic(durable=True)
def confirm_refund(*, refund_id: int, provider_refund_id: str) -> Refund:
    """The provider refunded: recorded once, whatever the number of attempts that led here."""
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status != Refund.Status.SUCCEEDED:
        refund.status = Refund.Status.SUCCEEDED
        refund.provider_refund_id = provider_refund_id
        refund.attempts += 1
        refund.last_error = ""
        refund.confirmed_at = timezone.now()
        refund.save(
            update_fields=["status", "provider_refund_id", "attempts", "last_error", "confirmed_at"]
        )
        order = Order.objects.only("number", "customer_id").get(payments__refunds=refund)
        notify(
            customer_id=order.customer_id,
            event=Event.REFUNDED,
            params={"order": order.number, "amount_fen": refund.amount_fen},
            key=f"refunded:{refund.pk}",
            now=refund.confirmed_at,
        )
    return refund


@transaction.atomic(durable=True)
def _record_attempt(refund_id: int, *, error: str, status: str | None = None) -> Refund:
    refund = Refund.objects.select_for_update().get(pk=refund_id)
    if refund.status == Refund.Status.SUCCEEDED:
        return refund
    refund.attempts += 1
    refund.last_error = error[:300]
    refund.status = status or refund.status
    refund.save(update_fields=["attempts", "last_error", "status"])
    return refund


def settle_refund_notice(
    *,
    provider: str,
    out_refund_no: str,
    trade_number: str,
    refund_id: str,
    status: str,
    amount_fen: int,
) -> Refund:
    """Applies the provider's word on a refund it had accepted: ``status`` SUCCESS confirms it
    (once, however often the word comes), CLOSED or ABNORMAL marks it failed, to retry. The
    notice must name the refund's own payment and amount."""
    refund = (
        Refund.objects.select_related("payment")
        .filter(idempotency_key=out_refund_no, payment__provider=provider)
        .first()
    )
    if refund is None or refund.payment.number != trade_number:
        raise InvalidNotification(_("The refund notification names an unknown refund."))
    if amount_fen != refund.amount_fen:
        raise InvalidNotification(
            _("The amount refunded (%(refunded)d fen) differs from the refund's (%(due)d fen).")
            % {"refunded": amount_fen, "due": refund.amount_fen},
            code="amount_mismatch",
        )
    if status == "SUCCESS":
        return confirm_refund(refund_id=refund.pk, provider_refund_id=refund_id)
    return _record_attempt(
        refund.pk,
        error=_("The provider reports the refund as %(status)s.") % {"status": status},
        status=Refund.Status.FAILED,
    )
