"""Withdrawals: who may, how much, once per request key, never more than is available."""

import pytest
from django.utils import timezone

from tests.concurrency import run_in_parallel
from weishang.commissions import ledger, services
from weishang.commissions.models import Account, Withdrawal
from weishang.distribution.models import ProgrammeSettings

from .conftest import assert_ledger_balanced, balances

pytestmark = pytest.mark.django_db


def fund(distributor, fen, key="fund"):
    """Credits the distributor's available balance as settlement would."""
    ledger.transfer(
        debit=ledger.brand_account(Account.Kind.BRAND_EXPENSE),
        credit=ledger.distributor_account(distributor.pk, Account.Kind.AVAILABLE),
        amount_fen=fen,
        key=f"{key}:{distributor.pk}",
        kind="settle",
        now=timezone.now(),
    )


@pytest.fixture
def rich(seller):
    ProgrammeSettings.objects.update(withdrawal_min_fen=1000, withdrawal_daily_limit_fen=50_000)
    fund(seller, 100_000)
    return seller


@pytest.mark.parametrize("amount", [0, -100, 15.5, "2000", True, None, 2000.0])
def test_bad_amounts_are_refused_and_change_nothing(rich, amount):
    with pytest.raises(services.WithdrawalError, match="whole number of fen"):
        services.request_withdrawal(distributor=rich, amount_fen=amount, request_key="k")
    assert not Withdrawal.objects.exists()
    assert balances(rich)["available"] == 100_000


def test_minimum_and_daily_limit(rich):
    with pytest.raises(services.WithdrawalError, match="smallest withdrawal is ¥10.00"):
        services.request_withdrawal(distributor=rich, amount_fen=999, request_key="a")
    services.request_withdrawal(distributor=rich, amount_fen=30_000, request_key="b")
    with pytest.raises(services.WithdrawalError, match="daily withdrawal limit") as exc:
        services.request_withdrawal(distributor=rich, amount_fen=25_000, request_key="c")
    assert "¥200.00 is left" in exc.value.message
    services.request_withdrawal(distributor=rich, amount_fen=20_000, request_key="d")
    assert balances(rich) == {"pending": 0, "held": 0, "available": 50_000, "withdrawing": 50_000}


def test_rejected_requests_do_not_count_against_the_day_and_release_the_amount(rich, staff):
    w = services.request_withdrawal(distributor=rich, amount_fen=50_000, request_key="a")
    with pytest.raises(services.WithdrawalError, match="why"):
        services.reject_withdrawal(withdrawal=w, actor=staff, reason="")
    services.reject_withdrawal(withdrawal=w, actor=staff, reason="bank account name differs")
    assert balances(rich)["available"] == 100_000 and balances(rich)["withdrawing"] == 0
    services.request_withdrawal(distributor=rich, amount_fen=50_000, request_key="b")
    with pytest.raises(services.WithdrawalError):
        services.reject_withdrawal(withdrawal=w, actor=staff, reason="again")
    assert_ledger_balanced()


def test_never_more_than_available(seller):
    ProgrammeSettings.objects.update(withdrawal_min_fen=100)
    fund(seller, 5000)
    with pytest.raises(services.WithdrawalError, match="at most ¥50.00"):
        services.request_withdrawal(distributor=seller, amount_fen=5001, request_key="k")
    services.request_withdrawal(distributor=seller, amount_fen=5000, request_key="k")
    assert balances(seller)["available"] == 0


def test_same_key_returns_the_same_withdrawal_and_a_different_amount_is_refused(rich):
    first = services.request_withdrawal(distributor=rich, amount_fen=2000, request_key="tap")
    again = services.request_withdrawal(distributor=rich, amount_fen=2000, request_key="tap")
    assert again.pk == first.pk
    with pytest.raises(services.WithdrawalError, match="different amount"):
        services.request_withdrawal(distributor=rich, amount_fen=3000, request_key="tap")
    assert balances(rich)["withdrawing"] == 2000


def test_only_active_approved_real_name_distributors(rich):
    rich.status = "frozen"
    rich.save()
    with pytest.raises(services.WithdrawalError, match="active, approved"):
        services.request_withdrawal(distributor=rich, amount_fen=2000, request_key="a")
    rich.status = "active"
    rich.id_number = ""
    rich.save()
    with pytest.raises(services.WithdrawalError, match="real name"):
        services.request_withdrawal(distributor=rich, amount_fen=2000, request_key="a")
    assert not Withdrawal.objects.exists()


def test_payout_needs_approval_and_a_reference(rich, staff, django_capture_on_commit_callbacks):
    w = services.request_withdrawal(distributor=rich, amount_fen=2000, request_key="a")
    with pytest.raises(services.WithdrawalError):
        services.mark_withdrawal_paid(withdrawal=w, actor=staff, payout_reference="X")
    services.approve_withdrawal(withdrawal=w, actor=staff)
    from weishang.commissions.payouts import PayoutError

    with pytest.raises(PayoutError, match="reference"):
        services.mark_withdrawal_paid(withdrawal=w, actor=staff, payout_reference=" ")
    w.refresh_from_db()
    assert w.status == Withdrawal.Status.APPROVED
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_withdrawal_paid(withdrawal=w, actor=staff, payout_reference="BANK-7")
    assert balances(rich)["withdrawing"] == 0
    assert ledger.all_balances()[(None, None, "brand_payouts")] == 2000
    assert_ledger_balanced()


@pytest.mark.postgres
def test_twenty_concurrent_requests_never_overdraw(postgres_only, seller):
    ProgrammeSettings.objects.update(withdrawal_min_fen=1000, withdrawal_daily_limit_fen=10**9)
    fund(seller, 7 * 1500 + 999)

    def withdraw(i):
        return services.request_withdrawal(distributor=seller, amount_fen=1500, request_key=f"k{i}")

    results = run_in_parallel(withdraw, 20)
    made = [r for r in results if isinstance(r, Withdrawal)]
    refused = [r for r in results if isinstance(r, services.WithdrawalError)]
    assert len(made) == 7 and len(refused) == 13
    assert balances(seller) == {"pending": 0, "held": 0, "available": 999, "withdrawing": 10_500}
    assert_ledger_balanced()
