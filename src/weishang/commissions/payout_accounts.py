"""The accounts a distributor's withdrawals are paid to (``distribution.models.PayoutAccount``):
adding and removing them (his own acts), and finance seeing one in full to pay it (a staff act,
audited). Numbers are stored encrypted and shown masked everywhere else (PIPL Art. 51)."""

import re
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.compliance import audit
from weishang.core_errors import DomainError
from weishang.customers.selectors import wechat_openid
from weishang.distribution import payout_rules
from weishang.distribution.locks import distributors_for_update
from weishang.distribution.models import Distributor, PayoutAccount

from .models import Withdrawal

Kind = PayoutAccount.Kind
_OPENID = re.compile(r"[A-Za-z0-9_-]{1,128}", re.ASCII)
_APPID = re.compile(r"wx[0-9a-f]{16}", re.ASCII)
MAX_ACCOUNTS = 5
IN_PROGRESS = (
    Withdrawal.Status.REQUESTED,
    Withdrawal.Status.APPROVED,
    Withdrawal.Status.PAYING,
    Withdrawal.Status.PAYOUT_FAILED,
)


class PayoutAccountError(DomainError):
    code = "payout_account"


def _plain(name: str | None) -> str:
    return "".join((name or "").split())


def active_accounts(distributor: Distributor):
    return PayoutAccount.objects.filter(distributor=distributor, removed_at__isnull=True)


@transaction.atomic
def add_payout_account(
    *,
    distributor: Distributor,
    kind: str,
    number: str,
    holder_name: str,
    consent: bool,
    now: datetime | None = None,
) -> PayoutAccount:
    """Adds a bank card, WeChat or Alipay account in his own verified real name, with his separate
    consent: a financial account is sensitive personal information (PIPL Art. 28, 29)."""
    if consent is not True:
        raise PayoutAccountError(
            _(
                "Tick the box to agree that the brand keeps this account to pay you: without "
                "your separate consent it cannot be stored (PIPL Art. 29)."
            ),
            code="no_consent",
        )
    now = now or timezone.now()
    distributor = distributors_for_update([distributor.pk]).get()
    if not _plain(distributor.real_name):
        raise PayoutAccountError(_("Payout accounts need your verified real name on file."))
    if _plain(holder_name) != _plain(distributor.real_name):
        raise PayoutAccountError(
            _(
                "The account holder must be you, under your verified real name %(name)s: we pay "
                "only into accounts in your own name."
            )
            % {"name": distributor.real_name},
            code="holder_mismatch",
        )
    bank_code = ""
    if kind == Kind.BANK_CARD:
        found, problem = payout_rules.card_problem(number)
        if problem:
            raise PayoutAccountError(problem, code="bad_card")
        number, bank = found
        bank_code = bank.code
    elif kind in (Kind.WECHAT, Kind.ALIPAY):
        number, problem = payout_rules.wallet_problem(kind, number)
        if problem:
            raise PayoutAccountError(problem, code="bad_account")
    else:
        raise PayoutAccountError(_("Choose a bank card, WeChat or Alipay."), code="bad_kind")
    existing = list(active_accounts(distributor))
    if any(a.kind == kind and a.number == number for a in existing):
        raise PayoutAccountError(_("You have already added this account."), code="duplicate")
    if len(existing) >= MAX_ACCOUNTS:
        raise PayoutAccountError(
            _("You can keep at most %(count)d payout accounts; remove one first.")
            % {"count": MAX_ACCOUNTS},
            code="too_many",
        )
    # A WeChat account of one who signed in with WeChat under the appid WeChat Pay's transfers are
    # made with is paid by merchant transfer to that openid.
    appid = settings.WECHATPAY["APPID"] if kind == Kind.WECHAT else ""
    openid = wechat_openid(distributor.customer_id, appid)
    return PayoutAccount.objects.create(
        distributor=distributor,
        kind=kind,
        holder_name=distributor.real_name,
        number=number,
        number_masked=payout_rules.mask_account(kind, number),
        bank_code=bank_code,
        wechat_appid=appid if openid else "",
        wechat_openid=openid or "",
        added_at=now,
        consented_at=now,
    )


@transaction.atomic
def remove_payout_account(
    *, distributor: Distributor, account_id: int, now: datetime | None = None
) -> PayoutAccount:
    """Removes one of his accounts from use; past withdrawals keep naming it."""
    list(distributors_for_update([distributor.pk]))
    account = active_accounts(distributor).filter(pk=account_id).first()
    if account is None:
        raise PayoutAccountError(_("This payout account is not one of yours."), code="not_found")
    if Withdrawal.objects.filter(payout_account=account, status__in=IN_PROGRESS).exists():
        raise PayoutAccountError(
            _("A withdrawal to this account is still in progress; remove it once it is paid."),
            code="in_use",
        )
    account.removed_at = now or timezone.now()
    account.save(update_fields=["removed_at"])
    return account


@transaction.atomic
def link_wechat_payee(
    *, distributor: Distributor, account_id: int, appid: str, openid: str
) -> PayoutAccount:
    """Records the openid of his WeChat payout account, learnt when he signs in with WeChat under
    ``appid``: WeChat Pay's merchant transfers pay that account by it."""
    list(distributors_for_update([distributor.pk]))
    account = active_accounts(distributor).filter(pk=account_id, kind=Kind.WECHAT).first()
    if account is None:
        raise PayoutAccountError(
            _("This WeChat payout account is not one of yours."), code="not_found"
        )
    if not (_OPENID.fullmatch(str(openid or "")) and _APPID.fullmatch(str(appid or ""))):
        raise PayoutAccountError(_("WeChat did not give a valid account id."), code="bad_openid")
    account.wechat_appid, account.wechat_openid = appid, openid
    account.save(update_fields=["wechat_appid", "wechat_openid"])
    return account


def bank_name(account: PayoutAccount) -> str:
    bank = payout_rules.banks().get(account.bank_code)
    return bank.name if bank else ""


def describe(account: PayoutAccount) -> str:
    """The masked account as people read it: ``中国工商银行 **** 1234``, ``支付宝 138****5678``."""
    label = bank_name(account) if account.kind == Kind.BANK_CARD else account.get_kind_display()
    return f"{label} {account.number_masked}"


@transaction.atomic
def reveal_payee(*, withdrawal: Withdrawal, actor) -> dict[str, str]:
    """Finance opens an approved withdrawal to pay it: the payee in full, and the audit entry
    saying who saw it and when."""
    account = withdrawal.payout_account
    if account is None or withdrawal.status not in (
        Withdrawal.Status.APPROVED,
        Withdrawal.Status.PAYOUT_FAILED,
    ):
        raise PayoutAccountError(
            _("The payee is shown only for an approved withdrawal to one of his accounts."),
            code="not_payable",
        )
    audit.record(
        actor=actor,
        action="payout_account.reveal",
        obj=account,
        after={"withdrawal": withdrawal.pk, "kind": account.kind, "masked": account.number_masked},
    )
    return {
        "kind": account.get_kind_display(),
        "bank": bank_name(account),
        "holder_name": account.holder_name,
        "number": account.number,
    }
