"""How a withdrawal's money reaches the distributor. Staff mark an approved withdrawal paid (the
payout is then *requested*); a task asks the payout backend after that commits, with the
withdrawal's idempotency key, and a second transaction confirms it and posts the ledger transfer.

Today a person pays by bank or WeChat transfer and records its reference (the manual backend):
the staff act is the payment, so the confirmation follows right after the commit. A provider API
can take its place behind the same interface."""

import uuid
from abc import ABC, abstractmethod

from django.conf import settings
from django.db import transaction
from django.tasks import task
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from weishang.core_errors import DomainError
from weishang.distribution.models import Distributor
from weishang.notifications.events import Event
from weishang.notifications.services import notify
from weishang.outbound import Declined, Unavailable, attempt

from . import ledger
from .locks import lock_withdrawal
from .models import Account, Withdrawal

Status = Withdrawal.Status


class PayoutError(DomainError):
    code = "payout"


class PayoutDeclined(Declined):
    """The backend answered and refused: the withdrawal is marked failed, to retry."""


class PayoutUnavailable(Unavailable):
    """The backend could not be reached or did not answer: the outcome is unknown, retry."""


class PayoutBackend(ABC):
    code = ""

    @abstractmethod
    def check_reference(self, reference: str) -> str:
        """Checks what staff entered when marking the withdrawal paid; raises PayoutError.
        Runs inside the staff act's transaction, so it calls nobody."""

    @abstractmethod
    def pay(self, *, withdrawal: Withdrawal) -> str:
        """Pays ``withdrawal.net_fen`` (the gross less the tax withheld), sending
        ``withdrawal.payout_key`` so that a repeated call pays once; returns the reference that
        proves it. Raises PayoutDeclined or PayoutUnavailable. Never called inside a database
        transaction."""


class ManualPayout(PayoutBackend):
    """The operator already paid outside the system; the reference is his bank or WeChat record."""

    code = "manual"

    def check_reference(self, reference: str) -> str:
        reference = (reference or "").strip()
        if not reference:
            raise PayoutError(
                _("Enter the reference of the bank or WeChat transfer that paid this withdrawal.")
            )
        if len(reference) > 64:
            raise PayoutError(_("The payout reference can be at most 64 characters."))
        return reference

    def pay(self, *, withdrawal: Withdrawal) -> str:
        return withdrawal.payout_reference


def get_backend() -> PayoutBackend:
    path = getattr(settings, "WEISHANG_PAYOUT_BACKEND", "weishang.commissions.payouts.ManualPayout")
    return import_string(path)()


@task
def send_payout_task(withdrawal_id: int) -> str:
    return send_payout(withdrawal_id=withdrawal_id).status


def send_payout(*, withdrawal_id: int) -> Withdrawal:
    """Asks the backend, outside any transaction, then confirms. Safe to repeat at any time."""
    with transaction.atomic(durable=True):  # refuses to run inside a caller's transaction
        withdrawal = Withdrawal.objects.get(pk=withdrawal_id)
    if withdrawal.status not in (Status.PAYING, Status.PAYOUT_FAILED):
        return withdrawal
    backend = get_backend()
    answer = attempt(
        lambda: backend.pay(withdrawal=withdrawal), label=f"Payout of withdrawal {withdrawal.pk}"
    )
    if answer.result is None:
        failed = Status.PAYOUT_FAILED if answer.refused else None
        return _record_attempt(withdrawal_id, error=answer.error, status=failed)
    return confirm_payout(withdrawal_id=withdrawal_id, reference=answer.result)


@transaction.atomic(durable=True)
def confirm_payout(*, withdrawal_id: int, reference: str) -> Withdrawal:
    """The money reached the distributor (withdrawing → paid out) and the tax withheld from it is
    owed to the tax office (withdrawing → tax payable), each recorded once."""
    w = lock_withdrawal(withdrawal_id)
    if w.status not in (Status.PAYING, Status.PAYOUT_FAILED):
        return w
    now = timezone.now()
    w.status, w.payout_reference, w.paid_at = Status.PAID, reference[:64], now
    w.payout_attempts += 1
    w.payout_error = ""
    w.save(
        update_fields=["status", "payout_reference", "paid_at", "payout_attempts", "payout_error"]
    )
    withdrawing = ledger.distributor_account(w.distributor_id, Account.Kind.WITHDRAWING)
    if w.withheld_fen:
        ledger.transfer(
            debit=withdrawing,
            credit=ledger.brand_account(Account.Kind.TAX_PAYABLE),
            amount_fen=w.withheld_fen,
            key=f"withhold:{w.pk}",
            kind="withhold",
            withdrawal=w,
            now=now,
            memo=w.payout_reference,
        )
    if w.net_fen:
        ledger.transfer(
            debit=withdrawing,
            credit=ledger.brand_account(Account.Kind.BRAND_PAYOUTS),
            amount_fen=w.net_fen,
            key=f"payout:{w.pk}",
            kind="payout",
            withdrawal=w,
            now=now,
            memo=w.payout_reference,
        )
    notify(
        customer_id=Distributor.objects.values_list("customer_id", flat=True).get(
            pk=w.distributor_id
        ),
        event=Event.WITHDRAWAL_PAID,
        params={"amount_fen": w.net_fen, "reference": w.payout_reference},
        key=f"withdrawal_paid:{w.pk}",
        now=now,
    )
    return w


@transaction.atomic(durable=True)
def await_payee(*, withdrawal_id: int, confirmation: str) -> Withdrawal:
    """The backend accepted the payout and waits for the payee to confirm it on his side."""
    w = lock_withdrawal(withdrawal_id)
    if w.status in (Status.PAYING, Status.PAYOUT_FAILED) and w.payout_confirmation != confirmation:
        w.payout_confirmation = confirmation
        w.save(update_fields=["payout_confirmation"])
    return w


@transaction.atomic(durable=True)
def renew_payout_key(*, withdrawal_id: int, spent_key: str) -> Withdrawal:
    """The backend says the payout under ``spent_key`` ended without paying and cannot be sent
    again: the next attempt gets a new key. Recorded before that attempt, so a crash between the
    two still leaves one key to retry with; two retries at once share the one new key."""
    w = lock_withdrawal(withdrawal_id)
    if w.status in (Status.PAYING, Status.PAYOUT_FAILED) and w.payout_key == spent_key:
        w.payout_key, w.payout_confirmation = uuid.uuid4().hex, ""
        w.save(update_fields=["payout_key", "payout_confirmation"])
    return w


def refuse_payout(*, withdrawal_id: int, error: str) -> Withdrawal:
    """The backend, having accepted the payout, later reports it refused: failed, to retry."""
    return _record_attempt(withdrawal_id, error=error, status=Status.PAYOUT_FAILED)


@transaction.atomic(durable=True)
def _record_attempt(withdrawal_id: int, *, error: str, status: str | None = None) -> Withdrawal:
    w = lock_withdrawal(withdrawal_id)
    if w.status not in (Status.PAYING, Status.PAYOUT_FAILED):
        return w
    w.payout_attempts += 1
    w.payout_error = error[:300]
    w.status = status or w.status
    w.save(update_fields=["payout_attempts", "payout_error", "status"])
    return w
