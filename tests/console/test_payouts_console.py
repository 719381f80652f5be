"""Payout accounts, tax withheld and statements in the consoles: the distributor adds a card (a
wrong one is a message and changes nothing) and reads his ledger in his own words; finance alone
sees the payee in full, on the page where it pays, and that is audited; statements download."""

import io
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone
from pypdf import PdfReader

from tests.helpers import deliver
from weishang.commissions import payout_accounts, services
from weishang.commissions.models import Withdrawal
from weishang.compliance.models import AuditEntry
from weishang.distribution.models import PayoutAccount

from . import test_distributor_console
from .conftest import english

# The distributor console's fixtures: a distributor with a paid order, and his signed-in client.
shop, dclient = test_distributor_console.shop, test_distributor_console.dclient

CARD = "6222020000000012344"  # ICBC debit-card BIN, valid Luhn digit
RAW_WORDS = re.compile(
    r"\b(pending|held|available|withdrawing|brand_expense|brand_payouts|tax_payable|earn|"
    r"settle|reverse|withdraw|withdraw_release|withhold|payout|withdrawal\.paid|bank_card|"
    r"alipay|wechat)\b"
)


def visible_text(response) -> str:
    """What a reader sees: the page without its tags, attributes, scripts and styles."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return re.sub(r"<[^>]+>", " ", page)


@pytest.fixture
def paid_withdrawal(shop, staff, django_capture_on_commit_callbacks):
    deliver(shop["order"])
    services.settle_commissions(now=timezone.now() + timedelta(days=9))
    card = payout_accounts.add_payout_account(
        distributor=shop["distributor"],
        kind="bank_card",
        number=CARD,
        holder_name="李四",
        consent=True,
    )
    services.set_withholding_rule(actor=staff, kind="flat", rate_bp=2000)
    w = services.request_withdrawal(
        distributor=shop["distributor"], amount_fen=500, request_key="a", payout_account=card
    )
    w = services.approve_withdrawal(withdrawal=w, actor=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.mark_withdrawal_paid(withdrawal=w, actor=staff, payout_reference="BANK-1")
    w.refresh_from_db()
    return w


def test_a_card_in_another_name_is_a_message_and_nothing_is_added(dclient, shop):
    response = dclient.post(
        "/d/payout-accounts/",
        {"kind": "bank_card", "number": CARD, "holder_name": "王五", "consent": "on"},
    )
    assert response.status_code == 200
    assert "verified real name 李四" in response.content.decode()
    assert PayoutAccount.objects.filter(kind="bank_card").count() == 0
    response = dclient.post(
        "/d/payout-accounts/", {"kind": "bank_card", "number": "6222 0200 0000 0012 344"}
    )
    assert "Account holder" in response.content.decode()
    response = dclient.post(
        "/d/payout-accounts/",
        {
            "kind": "bank_card",
            "number": "6222 0200 0000 0012 344",
            "holder_name": "李四",
            "consent": "on",
        },
    )
    assert response.status_code == 302
    page = dclient.get("/d/payout-accounts/").content.decode()
    assert "Industrial and Commercial Bank of China **** 2344" in page and CARD not in page


def test_removing_an_account_and_a_forged_id_is_a_message(dclient, shop):
    response = dclient.post("/d/payout-accounts/", {"action": "remove", "account": "x"})
    assert "not one of yours" in response.content.decode()
    dclient.post("/d/payout-accounts/", {"action": "remove", "account": shop["alipay"].pk})
    assert PayoutAccount.objects.get(pk=shop["alipay"].pk).removed_at is not None


def test_the_ledger_page_has_one_row_per_event_and_no_account_names(
    client,
    shop,
    paid_withdrawal,
    django_assert_max_num_queries,
):
    client.force_login(shop["distributor"].customer.user)  # Chinese, the default language
    with django_assert_max_num_queries(10):
        response = client.get("/d/earnings/")
    events = sorted(e.kind for e in response.context["page"])
    assert events == ["earn", "paid", "settle", "withdraw"]  # the payout and its tax: one row
    text = visible_text(response)
    assert not RAW_WORDS.search(text), RAW_WORDS.search(text)
    assert "已付款" in text and "代扣个税 ¥1.00" in text and "已付给您 ¥4.00" in text
    assert "已结算" in text and "可提现" in text and "赚取佣金" in text


def test_both_see_the_tax_withheld_on_the_payout(
    client,
    dclient,
    shop,
    paid_withdrawal,
    staff,
):
    assert (paid_withdrawal.withheld_fen, paid_withdrawal.net_fen) == (100, 400)
    row = visible_text(dclient.get("/d/withdrawals/"))
    assert "Tax withheld ¥1.00" in row and "Paid to you ¥4.00" in row
    english(client).force_login(staff)
    page = client.get("/console/withdrawals/")
    assert [(w.withheld_fen, w.net_fen) for w, _payee in page.context["paid"]] == [(100, 400)]
    text = visible_text(page)
    assert "¥1.00" in text and "¥4.00" in text and "BANK-1" in text
    assert "**** 2344" in text and CARD not in text
    Withdrawal.objects.filter(pk=paid_withdrawal.pk).update(status="paying")  # back in the queue
    text = visible_text(client.get("/console/withdrawals/"))
    assert "tax withheld ¥1.00 · paid ¥4.00" in text


def test_only_finance_sees_the_payee_and_the_look_is_audited(
    client,
    shop,
    staff,
    django_user_model,
):
    deliver(shop["order"])
    services.settle_commissions(now=timezone.now() + timedelta(days=9))
    card = payout_accounts.add_payout_account(
        distributor=shop["distributor"],
        kind="bank_card",
        number=CARD,
        holder_name="李四",
        consent=True,
    )
    w = services.request_withdrawal(
        distributor=shop["distributor"], amount_fen=500, request_key="b", payout_account=card
    )
    url = f"/console/withdrawals/{w.pk}/payee/"
    english(client).force_login(staff)
    assert "Pay into" in client.get(url, follow=True).content.decode()  # not approved yet
    assert not AuditEntry.objects.filter(action="payout_account.reveal").exists()
    services.approve_withdrawal(withdrawal=w, actor=staff)
    operator = django_user_model.objects.create_user(username="op", is_staff=True)
    operator.groups.add(Group.objects.get_or_create(name="operator")[0])
    client.force_login(operator)
    assert client.get(url).status_code == 403
    assert CARD not in client.get("/console/withdrawals/").content.decode()
    finance = django_user_model.objects.create_user(username="fin", is_staff=True)
    finance.groups.add(Group.objects.get_or_create(name="finance")[0])
    client.force_login(finance)
    response = client.get(url)
    assert response.status_code == 200 and CARD in response.content.decode()
    assert AuditEntry.objects.get(action="payout_account.reveal").actor == finance


def test_statements_download_as_pdf_and_csv(dclient, paid_withdrawal):
    page = dclient.get("/d/statements/").content.decode()
    month = timezone.localdate().strftime("%Y-%m")
    assert f"/d/statements/{timezone.localdate().year}-{timezone.localdate().month}.pdf" in page
    today = timezone.localdate()
    csv = dclient.get(f"/d/statements/{today.year}-{today.month}.csv")
    assert csv["Content-Disposition"] == f'attachment; filename="statement-{month}.csv"'
    text = csv.content.decode("utf-8-sig")
    assert "Tax withheld,1.00" in text and "Paid to you,4.00" in text and "Earned,7.98" in text
    pdf = dclient.get(f"/d/statements/{today.year}-{today.month}.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    assert "¥1.00" in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert dclient.get(f"/d/statements/{today.year - 2}-1.pdf").status_code == 404
    assert dclient.get(f"/d/statements/{today.year}-13.pdf").status_code == 404
    assert dclient.get(f"/d/statements/{today.year}-{today.month}.xls").status_code == 404


def test_the_brand_sets_the_withholding_rule(console):
    response = console.post("/console/withholding/", {"kind": "flat", "rate_pc": "120"})
    assert "from 0 to 100" in response.content.decode()
    console.post("/console/withholding/", {"kind": "flat", "rate_pc": "3.5"})
    page = console.get("/console/withholding/").content.decode()
    assert "a flat 3.50 % of each payout" in page
    assert AuditEntry.objects.get(action="withholding_rule.set").after == {
        "kind": "flat",
        "rate_bp": 350,
    }


def test_list_pages_read_payout_accounts_without_a_query_each(
    client,
    dclient,
    shop,
    staff,
    django_assert_max_num_queries,
):
    deliver(shop["order"])
    services.settle_commissions(now=timezone.now() + timedelta(days=9))
    distributor = shop["distributor"]
    card = payout_accounts.add_payout_account(
        distributor=distributor,
        kind="bank_card",
        number=CARD,
        holder_name="李四",
        consent=True,
    )
    for index, account in enumerate([card, shop["alipay"], card, shop["alipay"]]):
        services.request_withdrawal(
            distributor=distributor,
            amount_fen=100,
            request_key=f"k{index}",
            payout_account=account,
        )
    with django_assert_max_num_queries(12):
        page = dclient.get("/d/withdrawals/").content.decode()
    assert page.count("**** 2344") >= 2 and page.count("139****1111") >= 2
    with django_assert_max_num_queries(10):
        assert dclient.get("/d/payout-accounts/").status_code == 200
    english(client).force_login(staff)
    with django_assert_max_num_queries(12):
        page = client.get("/console/withdrawals/").content.decode()
    assert page.count('data-testid="withdrawal-row"') == 4


def test_the_brand_reads_a_distributors_ledger_in_the_same_words(
    client,
    shop,
    paid_withdrawal,
    staff,
    django_assert_max_num_queries,
):
    client.force_login(staff)  # Chinese, the default language
    with django_assert_max_num_queries(20):
        response = client.get(f"/console/distributors/{shop['distributor'].pk}/")
    assert sorted(e.kind for e in response.context["ledger"]) == [
        "earn",
        "paid",
        "settle",
        "withdraw",
    ]
    ledger = visible_text(response).split("佣金明细", 1)[1]
    assert not RAW_WORDS.search(ledger), RAW_WORDS.search(ledger)
    assert "已付款" in ledger and "代扣个税 ¥1.00" in ledger


def test_an_unticked_consent_box_is_a_message_and_nothing_is_added(dclient, shop):
    response = dclient.post(
        "/d/payout-accounts/",
        {"kind": "bank_card", "number": CARD, "holder_name": "李四"},
    )
    assert response.status_code == 200
    assert "separate consent" in response.content.decode()
    assert PayoutAccount.objects.filter(kind="bank_card").count() == 0


def test_finance_records_paying_the_withheld_tax_to_the_tax_office(client, paid_withdrawal, staff):
    english(client).force_login(staff)
    page = client.get("/console/withholding/")
    assert page.context["tax_payable_fen"] == 100
    response = client.post(
        "/console/withholding/remit/", {"amount": "1.00", "reference": "3650000123"}, follow=True
    )
    assert "The payment to the tax office is recorded." in response.content.decode()
    assert response.context["tax_payable_fen"] == 0
    assert "3650000123" in visible_text(response)
    refused = client.post(
        "/console/withholding/remit/", {"amount": "0.50", "reference": "3650000124"}, follow=True
    )
    assert "Only ¥0.00 of withheld tax" in refused.content.decode()
