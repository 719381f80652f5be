"""Payout accounts and the tax withheld from payouts: accounts only in the distributor's verified
name, stored encrypted, seen in full by finance only when paying (audited); the withholding is a
balanced transfer to the tax-payable account and the payout sends the rest; the monthly statement
adds it all up, as CSV and PDF."""

import csv
import io

import pytest
from django.db import connection
from django.utils import timezone, translation
from pypdf import PdfReader

from weishang.commissions import ledger, payout_accounts, selectors, services
from weishang.commissions.models import Transfer
from weishang.commissions.payouts import PayoutBackend
from weishang.compliance.models import AuditEntry
from weishang.console import statements
from weishang.customers.models import WechatIdentity
from weishang.distribution.models import Distributor, PayoutAccount, ProgrammeSettings

from .conftest import assert_ledger_balanced, balances
from .test_withdrawals import fund

pytestmark = pytest.mark.django_db

ICBC_CARD = "6222020000000012344"  # a valid Luhn number on an ICBC debit-card BIN


@pytest.fixture
def rich(seller):
    ProgrammeSettings.objects.update(withdrawal_min_fen=1000, withdrawal_daily_limit_fen=5_000_000)
    fund(seller, 5_000_000)
    return seller


@pytest.fixture
def card(rich):
    return payout_accounts.add_payout_account(
        distributor=rich,
        kind="bank_card",
        number=ICBC_CARD,
        holder_name=" 李 四 ",
        consent=True,
    )


class Transfers(PayoutBackend):
    """A payout API that records what it was asked to send."""

    sent: dict[str, int] = {}

    def check_reference(self, reference):
        return ""

    def pay(self, *, withdrawal):
        self.sent[withdrawal.payout_key] = withdrawal.net_fen
        return f"API-{withdrawal.payout_key[:8]}"


@pytest.fixture
def api(settings):
    settings.WEISHANG_PAYOUT_BACKEND = f"{__name__}.Transfers"
    Transfers.sent = {}
    return Transfers


@pytest.fixture
def pay_out(staff, api, django_capture_on_commit_callbacks):
    def pay_out(distributor, account, amount_fen, key):
        w = services.request_withdrawal(
            distributor=distributor, amount_fen=amount_fen, request_key=key, payout_account=account
        )
        w = services.approve_withdrawal(withdrawal=w, actor=staff)
        with django_capture_on_commit_callbacks(execute=True):
            services.mark_withdrawal_paid(withdrawal=w, actor=staff, payout_reference="")
        w.refresh_from_db()
        return w

    return pay_out


# Accounts ----------------------------------------------------------------------------------------


def test_a_card_in_his_own_name_is_stored_encrypted_and_shown_masked(card):
    assert (card.kind, card.bank_code, card.number_masked) == ("bank_card", "ICBC", "**** 2344")
    assert card.holder_name == "李四"
    with connection.cursor() as cursor:
        cursor.execute("SELECT number, holder_name FROM distribution_payoutaccount")
        stored = cursor.fetchone()
    assert ICBC_CARD not in stored[0] and "李四" not in stored[1]
    assert PayoutAccount.objects.get().number == ICBC_CARD
    with translation.override("zh-hans"):
        assert payout_accounts.describe(card) == "中国工商银行 **** 2344"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"kind": "bank_card", "number": ICBC_CARD, "holder_name": "王五"}, "verified real name"),
        ({"kind": "bank_card", "number": "6222020000000012345", "holder_name": "李四"}, "check"),
        ({"kind": "alipay", "number": "lisi", "holder_name": "李四"}, "Alipay account"),
        ({"kind": "paypal", "number": "x@y.com", "holder_name": "李四"}, "WeChat or Alipay"),
    ],
)
def test_a_wrong_account_is_refused_and_nothing_is_added(rich, fields, message):
    with translation.override("en"), pytest.raises(payout_accounts.PayoutAccountError) as exc:
        payout_accounts.add_payout_account(distributor=rich, **fields, consent=True)
    assert message in exc.value.message
    assert not PayoutAccount.objects.exists()


def test_the_same_account_twice_is_refused(card, rich):
    with pytest.raises(payout_accounts.PayoutAccountError, match="already added"):
        payout_accounts.add_payout_account(
            distributor=rich,
            kind="bank_card",
            number=ICBC_CARD,
            holder_name="李四",
            consent=True,
        )


def test_an_account_with_a_withdrawal_in_progress_stays(card, rich, make_seller):
    services.request_withdrawal(
        distributor=rich, amount_fen=2000, request_key="a", payout_account=card
    )
    with pytest.raises(payout_accounts.PayoutAccountError, match="still in progress"):
        payout_accounts.remove_payout_account(distributor=rich, account_id=card.pk)
    other = make_seller()
    fund(other, 5000)
    with pytest.raises(payout_accounts.PayoutAccountError, match="not one of yours"):
        payout_accounts.remove_payout_account(distributor=other, account_id=card.pk)
    with pytest.raises(services.WithdrawalError, match="Choose one of your payout accounts"):
        services.request_withdrawal(
            distributor=other, amount_fen=2000, request_key="b", payout_account=card
        )


def test_finance_sees_the_payee_in_full_only_to_pay_and_it_is_audited(card, rich, staff):
    w = services.request_withdrawal(
        distributor=rich, amount_fen=2000, request_key="a", payout_account=card
    )
    with pytest.raises(payout_accounts.PayoutAccountError, match="approved withdrawal"):
        payout_accounts.reveal_payee(withdrawal=w, actor=staff)
    assert not AuditEntry.objects.filter(action="payout_account.reveal").exists()
    w = services.approve_withdrawal(withdrawal=w, actor=staff)
    payee = payout_accounts.reveal_payee(withdrawal=w, actor=staff)
    assert (payee["number"], payee["holder_name"]) == (ICBC_CARD, "李四")
    entry = AuditEntry.objects.get(action="payout_account.reveal")
    assert entry.actor == staff and ICBC_CARD not in str(entry.after)


# Tax withheld ------------------------------------------------------------------------------------


def test_labour_withholding_is_posted_to_tax_payable_and_the_payout_sends_the_rest(
    card, rich, staff, api, pay_out
):
    services.set_withholding_rule(actor=staff, kind="labour")
    w = pay_out(rich, card, 500_000, "a")  # 5 000 yuan × 80 % × 20 % = 800 yuan
    assert (w.status, w.withheld_fen, w.net_fen) == ("paid", 80_000, 420_000)
    assert api.sent == {w.payout_key: 420_000}
    kinds = dict(Transfer.objects.filter(withdrawal=w).values_list("kind", "amount_fen"))
    assert kinds == {"withdraw": 500_000, "withhold": 80_000, "payout": 420_000}
    totals = ledger.all_balances()
    assert (totals[(None, None, "tax_payable")], totals[(None, None, "brand_payouts")]) == (
        80_000,
        420_000,
    )
    assert balances(rich)["withdrawing"] == 0
    assert_ledger_balanced()
    audit = AuditEntry.objects.get(action="withdrawal.paid")
    assert audit.after["withheld_fen"] == 80_000
    # A second payout the same month: the month counts as one payment (实施条例 Art. 14(1)).
    second = pay_out(rich, card, 500_000, "b")
    assert second.withheld_fen == 160_000 - 80_000  # 10 000 × 80 % × 20 % = 1 600 in all


def test_flat_rate_and_no_withholding_for_a_registered_entity(
    card, rich, staff, pay_out, make_seller
):
    services.set_withholding_rule(actor=staff, kind="flat", rate_bp=300)
    assert pay_out(rich, card, 10_000, "a").withheld_fen == 300
    company = make_seller()
    Distributor.objects.filter(pk=company.pk).update(
        business_kind="registered", credit_code="91350100M000100Y43"
    )
    fund(company, 10_000)
    account = payout_accounts.add_payout_account(
        distributor=company,
        kind="alipay",
        number="13900002222",
        holder_name="李四",
        consent=True,
    )
    w = pay_out(company, account, 10_000, "b")
    assert (w.withheld_fen, w.net_fen) == (0, 10_000)
    assert not Transfer.objects.filter(withdrawal=w, kind="withhold").exists()


@pytest.mark.parametrize(("kind", "rate_bp"), [("flat", 0), ("flat", 10_001), ("half", 0)])
def test_a_bad_rule_is_refused(staff, kind, rate_bp):
    with pytest.raises(services.CommissionError):
        services.set_withholding_rule(actor=staff, kind=kind, rate_bp=rate_bp)
    assert selectors.withholding_rule() is None


# The monthly statement ---------------------------------------------------------------------------


def test_monthly_statement_adds_up_and_reads_back_from_csv_and_pdf(
    card, rich, staff, pay_out, django_assert_max_num_queries
):
    services.set_withholding_rule(actor=staff, kind="labour")
    pay_out(rich, card, 500_000, "a")
    with django_assert_max_num_queries(2):
        statement = selectors.monthly_statement(rich, timezone.localdate())
    assert (statement.withheld_fen, statement.paid_fen) == (80_000, 420_000)
    assert [e.kind for e in statement.events] == ["settle", "withdraw", "paid"]
    with translation.override("zh-hans"):
        rows = list(csv.reader(io.StringIO(statements.as_csv(statement).decode("utf-8-sig"))))
        text = PdfReader(io.BytesIO(statements.as_pdf(statement))).pages[0].extract_text()
    figures = dict(rows[2:6])
    assert figures == {
        "已赚取": "0.00",
        "已冲回": "0.00",
        "代扣个税": "800.00",
        "已付给您": "4200.00",
    }
    assert rows[-1][-2:] == ["800.00", "4200.00"]
    assert "¥800.00" in text and "¥4,200.00" in text and rich.store_name in text


def test_his_data_copy_shows_the_account_masked_and_closure_erases_it(card, rich):
    from weishang.distribution import personal_data

    copy = personal_data.personal_data_for(rich.customer)["payout_accounts"]
    assert [(a["kind"], a["number"], a["holder_name"]) for a in copy] == [
        ("bank_card", "**** 2344", "李四")
    ]
    personal_data.erase_personal_data(rich.customer, now=timezone.now())
    closed = PayoutAccount.objects.get()
    assert ICBC_CARD not in (closed.number, closed.number_masked)
    assert closed.holder_name == "[closed]" and closed.removed_at is not None


def test_without_his_separate_consent_no_account_is_stored(rich):
    """A financial account is sensitive personal information (PIPL Art. 28, 29)."""
    with translation.override("en"), pytest.raises(payout_accounts.PayoutAccountError) as exc:
        payout_accounts.add_payout_account(
            distributor=rich,
            kind="bank_card",
            number=ICBC_CARD,
            holder_name="李四",
            consent=False,
        )
    assert "PIPL Art. 29" in exc.value.message
    assert not PayoutAccount.objects.exists()


def test_the_time_of_his_consent_is_kept_with_the_account(card):
    assert card.consented_at == card.added_at


def test_a_wechat_account_added_after_a_wechat_sign_in_is_paid_by_transfer(rich, settings):
    settings.WECHATPAY = {**settings.WECHATPAY, "APPID": "wx8888888888888888"}
    now = timezone.now()
    WechatIdentity.objects.create(
        customer=rich.customer,
        appid="wx8888888888888888",
        openid="oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
        created_at=now,
        last_sign_in_at=now,
    )
    account = payout_accounts.add_payout_account(
        distributor=rich, kind="wechat", number="lisi_wx88", holder_name="李四", consent=True
    )
    assert (account.wechat_appid, account.wechat_openid) == (
        "wx8888888888888888",
        "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o",
    )
    card = payout_accounts.add_payout_account(
        distributor=rich, kind="bank_card", number=ICBC_CARD, holder_name="李四", consent=True
    )
    assert card.wechat_openid == ""
