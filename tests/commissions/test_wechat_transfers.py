"""Withdrawals paid by WeChat Pay's merchant transfer (商家转账): the withdrawal's payout key is
the out_bill_no, so however often it is sent or confirmed the distributor is paid once."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from tests.concurrency import run_in_parallel
from tests.wechatpay_stub import APPID, post
from weishang.commissions import payout_accounts, payouts, services, wechat_transfers
from weishang.commissions.models import Transfer, Withdrawal
from weishang.commissions.payout_accounts import PayoutAccountError

from .conftest import assert_ledger_balanced, balances
from .test_withdrawals import fund

OPENID = "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"
TRANSFER_NOTIFY = reverse("payments:wechatpay_transfer")
Status = Withdrawal.Status


@pytest.fixture
def transfers(settings, wechatpay):
    settings.WEISHANG_PAYOUT_BACKEND = "weishang.commissions.wechat_transfers.WeChatTransfers"
    return wechatpay


@pytest.fixture
def wallet(seller):
    from weishang.distribution.models import ProgrammeSettings

    ProgrammeSettings.objects.update(withdrawal_min_fen=1000, withdrawal_daily_limit_fen=50_000)
    fund(seller, 100_000)
    account = payout_accounts.add_payout_account(
        distributor=seller, kind="wechat", number="13800138000", holder_name="李四", consent=True
    )
    return payout_accounts.link_wechat_payee(
        distributor=seller, account_id=account.pk, appid=APPID, openid=OPENID
    )


@pytest.fixture
def approved(wallet, staff):
    w = services.request_withdrawal(
        distributor=wallet.distributor, amount_fen=2000, request_key="a", payout_account=wallet
    )
    return services.approve_withdrawal(withdrawal=w, actor=staff)


def mark_paid(w, staff, capture) -> Withdrawal:
    with capture(execute=True):
        services.mark_withdrawal_paid(withdrawal=w, actor=staff, payout_reference="")
    return Withdrawal.objects.get(pk=w.pk)


def payout_transfers(w) -> int:
    return Transfer.objects.filter(withdrawal=w, kind="payout").count()


@pytest.mark.django_db
def test_a_transfer_pays_the_withdrawal_once(
    approved, staff, transfers, django_capture_on_commit_callbacks
):
    w = mark_paid(approved, staff, django_capture_on_commit_callbacks)
    (path, sent, headers) = transfers.requests[0]
    assert path == "/v3/fund-app/mch-transfer/transfer-bills"
    assert sent["out_bill_no"] == w.payout_key and sent["openid"] == OPENID
    assert sent["transfer_amount"] == 2000 and sent["appid"] == APPID
    assert sent["transfer_scene_id"] == "1005" and sent["transfer_scene_report_infos"]
    assert headers["Wechatpay-Serial"] == transfers.serial  # the name is encrypted for WeChat
    bill = transfers.bills[w.payout_key]
    assert bill["user_name"] == "李四"
    assert (w.status, w.payout_reference) == (Status.PAID, bill["transfer_bill_no"])
    assert payouts.send_payout(withdrawal_id=w.pk).status == Status.PAID
    assert len(transfers.requests) == 1 and payout_transfers(w) == 1
    assert balances(w.distributor)["withdrawing"] == 0
    assert_ledger_balanced()


@pytest.mark.django_db
def test_a_transfer_awaiting_the_payees_confirmation_is_paid_by_its_notification_once(
    client, approved, staff, transfers, django_capture_on_commit_callbacks
):
    transfers.bill_state = "WAIT_USER_CONFIRM"
    w = mark_paid(approved, staff, django_capture_on_commit_callbacks)
    assert w.status == Status.PAYING and payout_transfers(w) == 0
    notice = transfers.transferred(w.payout_key)
    assert post(client, TRANSFER_NOTIFY, notice).json() == {"code": "SUCCESS"}
    assert post(client, TRANSFER_NOTIFY, notice).json() == {"code": "SUCCESS"}
    w.refresh_from_db()
    assert (w.status, w.payout_reference) == (
        Status.PAID,
        transfers.bills[w.payout_key]["transfer_bill_no"],
    )
    assert payout_transfers(w) == 1 and balances(w.distributor)["withdrawing"] == 0
    assert_ledger_balanced()


@pytest.mark.django_db
def test_a_lost_transfer_notification_is_made_good_by_the_retry_which_asks_first(
    approved, staff, transfers, django_capture_on_commit_callbacks
):
    transfers.bill_state = "WAIT_USER_CONFIRM"
    w = mark_paid(approved, staff, django_capture_on_commit_callbacks)
    transfers.bills[w.payout_key]["state"] = "SUCCESS"  # he confirmed; the notification was lost
    assert payouts.send_payout(withdrawal_id=w.pk).status == Status.PAID
    assert [path.rsplit("/", 2)[-2:] for path, _s, _h in transfers.requests[1:]] == [
        ["out-bill-no", w.payout_key]
    ]
    assert len(transfers.bills) == 1 and payout_transfers(w) == 1


@pytest.mark.postgres
def test_transfer_notifications_at_once_pay_once(
    postgres_only, approved, staff, transfers, django_capture_on_commit_callbacks
):
    transfers.bill_state = "WAIT_USER_CONFIRM"
    w = mark_paid(approved, staff, django_capture_on_commit_callbacks)
    notice = transfers.transferred(w.payout_key)
    responses = run_in_parallel(lambda i: post(Client(), TRANSFER_NOTIFY, notice), 8)
    assert [r.status_code for r in responses] == [200] * 8
    assert Withdrawal.objects.get(pk=w.pk).status == Status.PAID and payout_transfers(w) == 1
    assert_ledger_balanced()


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [(500, "SYSTEM_ERROR", "系统错误"), "slow"])
def test_no_answer_keeps_it_in_progress_and_the_retry_pays_once(
    approved, staff, transfers, failure, django_capture_on_commit_callbacks
):
    if failure == "slow":
        transfers.fail_next(slow=True)  # WeChat transfers, its answer comes too late
    else:
        transfers.fail_next(*failure)
    w = mark_paid(approved, staff, django_capture_on_commit_callbacks)
    assert w.status == Status.PAYING and w.payout_error and payout_transfers(w) == 0
    w = payouts.send_payout(withdrawal_id=w.pk)
    assert w.status == Status.PAID and len(transfers.bills) == 1
    named = {
        sent.get("out_bill_no") or path.rsplit("/", 1)[1] for path, sent, _h in transfers.requests
    }
    assert named == {w.payout_key}
    assert payout_transfers(w) == 1


@pytest.mark.django_db
def test_a_refused_transfer_fails_with_the_reason_and_is_paid_on_retry(
    approved, staff, transfers, django_capture_on_commit_callbacks
):
    transfers.fail_next(403, "NOT_ENOUGH", "资金不足")
    with translation.override("zh-hans"):
        w = mark_paid(approved, staff, django_capture_on_commit_callbacks)
    assert w.status == Status.PAYOUT_FAILED
    assert w.payout_error == "微信支付商户账户余额不足，请充值后重试。"
    assert balances(w.distributor)["withdrawing"] == 2000
    assert payouts.send_payout(withdrawal_id=w.pk).status == Status.PAID
    assert payout_transfers(w) == 1


@pytest.mark.django_db
def test_a_transfer_the_payee_left_unconfirmed_fails_and_the_retry_sends_a_new_one(
    client, approved, staff, transfers, django_capture_on_commit_callbacks
):
    transfers.bill_state = "WAIT_USER_CONFIRM"
    w = mark_paid(approved, staff, django_capture_on_commit_callbacks)
    first_key = w.payout_key
    assert wechat_transfers.payee_confirmation(w) == {
        "mchId": "1900009191",
        "appId": APPID,
        "package": transfers.bills[first_key]["package_info"],
    }
    notice = transfers.transferred(first_key, state="CANCELLED", fail_reason="用户未确认收款")
    assert post(client, TRANSFER_NOTIFY, notice).status_code == 200
    w.refresh_from_db()
    assert w.status == Status.PAYOUT_FAILED and "用户未确认收款" in w.payout_error
    assert payout_transfers(w) == 0 and wechat_transfers.payee_confirmation(w) is None
    # A cancelled bill's number cannot be sent again: the retry makes a new bill, paid once.
    transfers.bill_state = "SUCCESS"
    w = payouts.send_payout(withdrawal_id=w.pk)
    assert w.status == Status.PAID and w.payout_key != first_key
    assert w.payout_reference == transfers.bills[w.payout_key]["transfer_bill_no"]
    assert [b["state"] for b in transfers.bills.values()] == ["CANCELLED", "SUCCESS"]
    assert payout_transfers(w) == 1 and wechat_transfers.payee_confirmation(w) is None
    assert payouts.send_payout(withdrawal_id=w.pk).status == Status.PAID
    assert len(transfers.bills) == 2 and payout_transfers(w) == 1
    assert_ledger_balanced()


@pytest.mark.django_db
def test_bad_transfer_notifications_change_nothing(
    client, approved, staff, transfers, django_capture_on_commit_callbacks
):
    transfers.bill_state = "WAIT_USER_CONFIRM"
    w = mark_paid(approved, staff, django_capture_on_commit_callbacks)
    response = post(client, TRANSFER_NOTIFY, transfers.transferred(w.payout_key, amount=200_000))
    assert response.status_code == 400 and "differs" in response.json()["message"]
    transfers.bills["unknown"] = dict(transfers.bills[w.payout_key])
    response = post(client, TRANSFER_NOTIFY, transfers.transferred("unknown"))
    assert response.status_code == 400 and "unknown withdrawal" in response.json()["message"]
    body, headers = transfers.transferred(w.payout_key)
    response = post(client, TRANSFER_NOTIFY, (body.replace(b"}", b" }", 1), headers))
    assert response.status_code == 400
    w.refresh_from_db()
    assert w.status == Status.PAYING and payout_transfers(w) == 0


@pytest.mark.django_db
def test_an_account_without_a_linked_openid_is_not_sent(
    wallet, staff, transfers, django_capture_on_commit_callbacks
):
    card = payout_accounts.add_payout_account(
        distributor=wallet.distributor,
        kind="wechat",
        number="lisi_wechat",
        holder_name="李四",
        consent=True,
    )
    w = services.request_withdrawal(
        distributor=wallet.distributor, amount_fen=2000, request_key="b", payout_account=card
    )
    w = mark_paid(
        services.approve_withdrawal(withdrawal=w, actor=staff),
        staff,
        django_capture_on_commit_callbacks,
    )
    assert w.status == Status.PAYOUT_FAILED and "signing in with WeChat" in w.payout_error
    assert not transfers.requests


@pytest.mark.django_db
@pytest.mark.parametrize(
    "appid, openid", [("wx123", OPENID), (APPID, ""), (APPID, "o" * 200), (APPID, "o p")]
)
def test_linking_refuses_what_is_not_an_openid(wallet, appid, openid):
    with pytest.raises(PayoutAccountError, match="valid account id"):
        payout_accounts.link_wechat_payee(
            distributor=wallet.distributor, account_id=wallet.pk, appid=appid, openid=openid
        )
    wallet.refresh_from_db()
    assert wallet.wechat_openid == OPENID
