"""Payouts: staff mark a withdrawal paid (requested, audited), the backend is asked after the
commit with the withdrawal's key, a second transaction confirms it and posts the ledger transfer.
"""

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from tests.concurrency import run_in_parallel
from weishang.commissions import ledger, payouts, services
from weishang.commissions.models import Transfer, Withdrawal
from weishang.commissions.payouts import PayoutBackend, PayoutDeclined, PayoutUnavailable
from weishang.notifications.models import Message

from .conftest import assert_ledger_balanced, balances
from .test_withdrawals import rich  # noqa: F401 - the funded distributor fixture


class FlakyTransfers(PayoutBackend):
    """A payout API that pays once per key and fails as told: decline, timeout, lost answer."""

    paid: dict[str, int] = {}
    calls: list[str] = []
    outcomes: list[str] = []

    def check_reference(self, reference):
        return ""  # the API makes its own reference

    def pay(self, *, withdrawal):
        self.calls.append(withdrawal.payout_key)
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome == "decline":
            raise PayoutDeclined("account frozen")
        if outcome == "timeout":
            raise PayoutUnavailable("timed out")
        self.paid.setdefault(withdrawal.payout_key, withdrawal.amount_fen)
        if outcome == "lost answer":
            raise PayoutUnavailable("connection reset")
        return f"API-{withdrawal.payout_key[:8]}"


@pytest.fixture
def api(settings):
    settings.WEISHANG_PAYOUT_BACKEND = f"{__name__}.FlakyTransfers"
    FlakyTransfers.paid, FlakyTransfers.calls, FlakyTransfers.outcomes = {}, [], []
    return FlakyTransfers


@pytest.fixture
def approved(rich, staff):  # noqa: F811
    w = services.request_withdrawal(distributor=rich, amount_fen=2000, request_key="a")
    return services.approve_withdrawal(withdrawal=w, actor=staff)


def payout_transfers(w) -> int:
    return Transfer.objects.filter(withdrawal=w, kind="payout").count()


@pytest.mark.django_db
@pytest.mark.parametrize("outcome", ["decline", "timeout", "lost answer"])
def test_a_failed_payout_is_kept_and_paid_once_on_retry(
    approved, staff, api, outcome, django_capture_on_commit_callbacks
):
    api.outcomes = [outcome]
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_withdrawal_paid(withdrawal=approved, actor=staff, payout_reference="")
    w = Withdrawal.objects.get(pk=approved.pk)
    failed = Withdrawal.Status.PAYOUT_FAILED if outcome == "decline" else Withdrawal.Status.PAYING
    assert (w.status, w.payout_attempts, payout_transfers(w)) == (failed, 1, 0)
    assert balances(w.distributor)["withdrawing"] == 2000
    call_command("reconcile", "--minutes", "0", "--retry", stdout=open("/dev/null", "w"))
    w.refresh_from_db()
    assert (w.status, w.payout_reference) == (Withdrawal.Status.PAID, f"API-{w.payout_key[:8]}")
    assert api.calls == [w.payout_key] * 2 and sum(api.paid.values()) == 2000
    assert payout_transfers(w) == 1 and balances(w.distributor)["withdrawing"] == 0
    assert_ledger_balanced()


@pytest.mark.django_db
def test_a_failed_confirmation_is_confirmed_on_retry_without_paying_again(
    approved, staff, api, monkeypatch, django_capture_on_commit_callbacks
):
    confirm = payouts.confirm_payout

    def crash(**kwargs):
        raise DatabaseError("deadlock detected")

    monkeypatch.setattr(payouts, "confirm_payout", crash)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_withdrawal_paid(withdrawal=approved, actor=staff, payout_reference="")
    assert Withdrawal.objects.get(pk=approved.pk).status == Withdrawal.Status.PAYING
    monkeypatch.setattr(payouts, "confirm_payout", confirm)
    w = payouts.send_payout(withdrawal_id=approved.pk)
    assert w.status == Withdrawal.Status.PAID and sum(api.paid.values()) == 2000
    assert payouts.send_payout(withdrawal_id=approved.pk).status == Withdrawal.Status.PAID
    assert len(api.calls) == 2 and payout_transfers(w) == 1


@pytest.mark.django_db
def test_the_manual_backend_pays_with_the_reference_staff_recorded(
    approved, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        w = services.mark_withdrawal_paid(
            withdrawal=approved, actor=staff, payout_reference=" WX-42 "
        )
        assert w.status == Withdrawal.Status.PAYING and w.payout_key
        assert payout_transfers(w) == 0  # nothing is paid out before the staff act commits
    # The payout after the staff act, then the text telling the distributor after the payout's.
    assert len(callbacks) == 2
    w.refresh_from_db()
    assert (w.status, w.payout_reference) == (Withdrawal.Status.PAID, "WX-42")
    told = Message.objects.get(customer=w.distributor.customer)
    assert (told.event, told.params["reference"]) == ("withdrawal_paid", "WX-42")
    assert ledger.all_balances()[(None, None, "brand_payouts")] == 2000


@pytest.mark.postgres
def test_concurrent_payout_retries_pay_once(postgres_only, approved, staff, api):
    api.outcomes = ["timeout"]
    services.mark_withdrawal_paid(withdrawal=approved, actor=staff, payout_reference="")
    assert Withdrawal.objects.get(pk=approved.pk).status == Withdrawal.Status.PAYING
    results = run_in_parallel(lambda i: payouts.send_payout(withdrawal_id=approved.pk), 6)
    assert all(isinstance(r, Withdrawal) for r in results), results
    w = Withdrawal.objects.get(pk=approved.pk)
    assert (w.status, w.payout_attempts, payout_transfers(w)) == (Withdrawal.Status.PAID, 2, 1)
    assert set(api.calls) == {w.payout_key} and sum(api.paid.values()) == 2000
    assert_ledger_balanced()
