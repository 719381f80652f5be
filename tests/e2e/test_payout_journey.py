"""Payout accounts, tax withheld and the monthly statement in a real browser: the distributor adds
a bank card (a mistyped number and a card in another name are refused; the bank comes from the
BIN), withdraws to it; the brand sets a flat withholding rule, finance sees the card in full only
on the page where it pays it; both see the tax withheld; the distributor downloads his monthly
statement as PDF and CSV and reads the figures back."""

import csv
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from pypdf import PdfReader

from weishang.commissions.models import Commission, Withdrawal
from weishang.compliance.models import AuditEntry
from weishang.orders import services as orders

from .test_distribution_journey import (  # noqa: F401 - the programme fixture
    become_distributor,
    buy_through,
    poster_link,
    programme,
)

pytestmark = pytest.mark.django_db(transaction=True)

CARD = "6222020000000012344"  # an ICBC debit-card BIN with a valid Luhn check digit
MISTYPED = "6222020000000012345"


def yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def add_card(page, store, number, holder):
    page.goto(store + "/d/payout-accounts/")
    page.select_option("#id_kind", "bank_card")
    page.fill("#id_number", number)
    page.fill("#id_holder_name", holder)
    page.check("#id_consent")
    page.click("[data-testid=payout-account-form] button[type=submit]")
    page.wait_for_load_state()


def test_card_withdrawal_paid_with_tax_withheld_and_statement(
    programme,  # noqa: F811
    live_server,
    new_page,
    screenshot,
):
    store = live_server.url
    applicant, brand, distributor = become_distributor(new_page, store, screenshot)
    _buyer, order = buy_through(new_page, poster_link(applicant, store, distributor), store)
    orders.ship_order(actor=None, order=order, carrier="zto", tracking_no="78310029455612")
    orders.mark_delivered(actor=None, order=order, signed_at=timezone.now())
    later = (timezone.now() + timedelta(days=10)).isoformat()
    call_command("complete_orders", now=later, verbosity=0)
    call_command("settle", now=later, verbosity=0)
    commission = Commission.objects.get(order=order)
    assert commission.status == "available"

    # The brand withholds a flat 20 % from payouts to individuals.
    brand.goto(store + "/console/withholding/")
    brand.check("input[name=kind][value=flat]")
    brand.fill("#id_rate_pc", "20")
    brand.click("[data-testid=withholding-form] button[type=submit]")
    assert "20" in brand.inner_text("[data-testid=rule-in-force]")

    # A mistyped card and a card in another name are refused; his own card is added, masked.
    add_card(applicant, store, MISTYPED, "李小枣")
    assert "校验位不符" in applicant.inner_text(".messages")
    add_card(applicant, store, CARD, "王五")
    assert "李小枣" in applicant.inner_text(".messages")
    assert not applicant.query_selector("[data-testid=payout-account]")
    add_card(applicant, store, CARD, "李小枣")
    row = applicant.inner_text("[data-testid=payout-account]")
    assert "中国工商银行 **** 2344" in row and CARD not in applicant.content()
    screenshot(applicant, "distributor-payout-accounts")

    # He withdraws everything to the card.
    applicant.goto(store + "/d/withdrawals/")
    assert applicant.is_checked("input[name=payout_account]")
    applicant.fill("#id_amount", yuan(commission.amount_fen))
    applicant.click("[data-testid=withdraw-form] button[type=submit]")
    applicant.wait_for_selector("[data-testid=withdrawal-row]")
    withdrawal = Withdrawal.objects.get(distributor=distributor)
    assert withdrawal.payout_account.number == CARD

    # The brand approves; the list shows the card masked; the pay page shows it in full.
    brand.goto(store + "/console/withdrawals/")
    brand.click("[data-testid=withdrawal-row] form[action$='/approve/'] button")
    assert "**** 2344" in brand.inner_text("[data-testid=withdrawal-row]")
    assert CARD not in brand.content()
    brand.click("[data-testid=pay-link]")
    assert brand.inner_text("[data-testid=payee-number]") == CARD
    assert brand.inner_text("[data-testid=payee-holder]") == "李小枣"
    assert AuditEntry.objects.filter(action="payout_account.reveal").count() == 1
    withheld = (commission.amount_fen * 2000 + 5000) // 10000
    net = commission.amount_fen - withheld
    assert brand.inner_text("[data-testid=payee-net]") == f"¥{yuan(net)}"
    screenshot(brand, "console-pay-withdrawal")
    brand.fill("#id_payout_reference", "ICBC-20261202-0001")
    brand.click("[data-testid=pay-form] button[type=submit]")
    brand.wait_for_selector("[data-testid=paid-row]")
    withdrawal.refresh_from_db()
    assert (withdrawal.status, withdrawal.withheld_fen) == ("paid", withheld)
    assert yuan(withheld) in brand.inner_text("[data-testid=paid-withheld]")

    # He sees the tax withheld on the payout, on his ledger and in his statement.
    applicant.goto(store + "/d/withdrawals/")
    tax_line = applicant.inner_text("[data-testid=withdrawal-tax]")
    assert f"代扣个税 ¥{yuan(withheld)}" in tax_line and f"已付给您 ¥{yuan(net)}" in tax_line
    applicant.goto(store + "/d/earnings/")
    assert yuan(withheld) in applicant.inner_text("[data-testid=ledger-withheld]")
    screenshot(applicant, "distributor-ledger")

    applicant.goto(store + "/d/statements/")
    with applicant.expect_download() as pdf_download:
        applicant.click("[data-testid=statement-pdf] >> nth=0")
    pdf = PdfReader(pdf_download.value.path())
    text = "".join(page.extract_text() for page in pdf.pages)
    month = timezone.localdate().strftime("%Y-%m")
    assert f"佣金对账单 {month}" in text and distributor.store_name in text
    assert f"¥{yuan(withheld)}" in text and f"¥{yuan(net)}" in text
    with applicant.expect_download() as csv_download:
        applicant.click("[data-testid=statement-csv] >> nth=0")
    with open(csv_download.value.path(), encoding="utf-8-sig") as handle:
        rows = list(csv.reader(handle))
    figures = dict(rows[2:6])
    assert figures["代扣个税"] == yuan(withheld) and figures["已付给您"] == yuan(net)
    events = [row[1] for row in rows[7:]]
    assert "已付款" in events and "申请提现" in events
