"""Withdrawals paid by WeChat Pay's merchant transfer (商家转账, ``POST
/v3/fund-app/mch-transfer/transfer-bills``) to the distributor's WeChat payout account, by the
openid he linked when signing in with WeChat. The withdrawal's payout key is the transfer's
``out_bill_no``, so WeChat makes one transfer however often it is asked. A transfer WeChat is
still making is confirmed by its notification (``settle_transfer_notice``) or a later retry."""

from django.conf import settings
from django.utils.translation import gettext as _

from weishang.distribution.models import PayoutAccount
from weishang.payments.providers import InvalidNotification, wechatpay

from .models import Withdrawal
from .payouts import (
    PayoutBackend,
    PayoutDeclined,
    PayoutUnavailable,
    await_payee,
    confirm_payout,
    refuse_payout,
    renew_payout_key,
)

FINISHED_EVENT = "MCHTRANSFER.BILL.FINISHED"
REFUSED_STATES = ("FAIL", "CANCELLED")
# The scene report WeChat requires for 1005 (佣金报酬): the payee's role and what the pay is for.
SCENE_REPORT = [
    {"info_type": "岗位类型", "info_content": "分销员"},
    {"info_type": "报酬说明", "info_content": "分销佣金提现"},
]


class TransferPending(PayoutUnavailable):
    """WeChat accepted the transfer and has not finished it (or awaits the payee's confirmation
    in WeChat): the withdrawal stays in progress until the notification or a retry says more."""


class WeChatTransfers(PayoutBackend):
    code = "wechatpay"

    def check_reference(self, reference: str) -> str:
        """WeChat Pay names the transfer itself; nothing is entered by staff."""
        return ""

    def pay(self, *, withdrawal: Withdrawal) -> str:
        account = withdrawal.payout_account
        if (
            account is None
            or account.kind != PayoutAccount.Kind.WECHAT
            or not account.wechat_openid
        ):
            raise PayoutDeclined(
                _(
                    "WeChat Pay pays only a WeChat payout account he has linked by signing in "
                    "with WeChat; choose another way to pay this withdrawal."
                ),
                code="no_openid",
            )
        if not withdrawal.net_fen:
            return ""  # all of it was withheld as tax: nothing to transfer
        conf = settings.WECHATPAY
        wx = wechatpay.client()
        if withdrawal.payout_attempts and (bill := self._existing_bill(wx, withdrawal)):
            if bill.get("state") not in REFUSED_STATES:
                return self._outcome(withdrawal, bill)
            # That bill ended unpaid and its number cannot be sent again.
            withdrawal = renew_payout_key(
                withdrawal_id=withdrawal.pk, spent_key=withdrawal.payout_key
            )
        answer = wechatpay.call(
            lambda: wx.mch_transfer_bills(
                out_bill_no=withdrawal.payout_key,
                transfer_scene_id=conf["TRANSFER_SCENE_ID"],
                openid=account.wechat_openid,
                transfer_amount=withdrawal.net_fen,
                transfer_remark=_("Commission withdrawal")[:32],
                user_name=account.holder_name,
                transfer_scene_report_infos=SCENE_REPORT,
                appid=account.wechat_appid or conf["APPID"],
                notify_url=conf["TRANSFER_NOTIFY_URL"],
            ),
            declined=PayoutDeclined,
            unavailable=PayoutUnavailable,
        )
        return self._outcome(withdrawal, answer)

    def _existing_bill(self, wx, withdrawal: Withdrawal) -> dict | None:
        """On a retry, the bill an earlier attempt may have made: its state decides, not a
        second request."""
        try:
            return wechatpay.call(
                lambda: wx.mch_transfer_bills_query(out_bill_no=withdrawal.payout_key),
                declined=PayoutDeclined,
                unavailable=PayoutUnavailable,
            )
        except PayoutDeclined as exc:
            if exc.code == "not_found":
                return None
            raise

    def _outcome(self, withdrawal: Withdrawal, answer: dict) -> str:
        state = answer.get("state")
        if state == "SUCCESS" and answer.get("transfer_bill_no"):
            return str(answer["transfer_bill_no"])
        if state in REFUSED_STATES:
            raise PayoutDeclined(
                _("WeChat Pay did not make the transfer: %(reason)s")
                % {"reason": answer.get("fail_reason") or state},
                code="transfer_failed",
            )
        if state == "WAIT_USER_CONFIRM":
            if answer.get("package_info"):
                await_payee(withdrawal_id=withdrawal.pk, confirmation=str(answer["package_info"]))
            raise TransferPending(_("WeChat Pay waits for him to confirm the transfer in WeChat."))
        raise TransferPending(_("WeChat Pay is making the transfer and will confirm it."))


def payee_confirmation(withdrawal: Withdrawal) -> dict[str, str] | None:
    """What the distributor's WeChat passes to ``wx.requestMerchantTransfer`` to take a transfer
    that waits for his confirmation; None when no transfer waits for him."""
    if withdrawal.status != Withdrawal.Status.PAYING or not withdrawal.payout_confirmation:
        return None
    conf = settings.WECHATPAY
    return {
        "mchId": conf["MCHID"],
        "appId": withdrawal.payout_account.wechat_appid or conf["APPID"],
        "package": withdrawal.payout_confirmation,
    }


def settle_transfer_notice(*, body: bytes, headers) -> Withdrawal:
    """Applies WeChat Pay's notification that a transfer finished: paid once when it succeeded,
    failed (to retry) when it did not. Raises InvalidNotification."""
    event, resource = wechatpay.verified_event(body=body, headers=headers)
    if event != FINISHED_EVENT:
        raise InvalidNotification(_("The notification is not about a finished transfer."))
    withdrawal = (
        Withdrawal.objects.filter(payout_key=str(resource.get("out_bill_no", "")))
        .exclude(payout_key="")
        .first()
    )
    if withdrawal is None:
        raise InvalidNotification(_("The transfer notification names an unknown withdrawal."))
    if resource.get("transfer_amount") != withdrawal.net_fen:
        raise InvalidNotification(
            _("The amount transferred differs from the withdrawal's."), code="amount_mismatch"
        )
    state = resource.get("state")
    if state == "SUCCESS" and resource.get("transfer_bill_no"):
        return confirm_payout(
            withdrawal_id=withdrawal.pk, reference=str(resource["transfer_bill_no"])
        )
    if state in REFUSED_STATES:
        return refuse_payout(
            withdrawal_id=withdrawal.pk,
            error=_("WeChat Pay did not make the transfer: %(reason)s")
            % {"reason": resource.get("fail_reason") or state},
        )
    raise InvalidNotification(_("The transfer notification reports no final state."))
