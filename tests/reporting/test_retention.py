"""Records retention (E-commerce Law Art. 31): nothing is deleted by the application, and what a
database user alters by hand shows in ``weishang retention --check``."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import ProtectedError
from django.utils import timezone

from tests.helpers import deliver, pay, png_upload
from weishang.commissions.models import Account, Transfer
from weishang.compliance.models import RetentionSeal
from weishang.orders import claims
from weishang.orders.models import Order, OrderLine
from weishang.payments.models import Payment, Refund
from weishang.reporting import retention
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db

NO_LAG = timedelta(0)


def raw(sql, *params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def ledger(make_distributor):
    """Two distributors' available accounts fed from the brand's expense account."""
    brand = Account.objects.create(kind="brand_expense")
    first = Account.objects.create(distributor=make_distributor(), kind="available")
    second = Account.objects.create(distributor=make_distributor(), kind="available")
    at = timezone.now() - timedelta(hours=1)
    for n, (account, amount) in enumerate([(first, 100), (second, 250), (first, 75)]):
        Transfer.objects.create(
            idempotency_key=f"t-{n}",
            debit=brand,
            credit=account,
            amount_fen=amount,
            kind="settle",
            created_at=at + timedelta(seconds=n),
        )
    return {"brand": brand, "first": first, "second": second}


def accounts_reported(findings):
    return {f.subject for f in findings if f.kind == "ledger"}


def run(*args):
    out = StringIO()
    call_command("retention", *args, stdout=out)
    return out.getvalue()


def test_an_order_with_lines_cannot_be_deleted(customer, sku):
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    )
    with pytest.raises(ProtectedError):
        order.delete()
    assert Order.objects.filter(pk=order.pk).exists()


def test_an_untouched_ledger_checks_clean(ledger):
    result = retention.seal_ledger(lag=NO_LAG)
    assert (result.accounts, result.transfers) == (3, 3)
    assert RetentionSeal.objects.get(account_id=ledger["first"].pk).transfer_count == 2
    assert retention.check_records() == []
    assert "Records intact" in run("--check")


def test_an_edited_amount_shows_on_both_of_its_accounts(ledger):
    retention.seal_ledger(lag=NO_LAG)
    edited = Transfer.objects.get(idempotency_key="t-1")
    raw(f"UPDATE {Transfer._meta.db_table} SET amount_fen = 25 WHERE id = %s", edited.pk)
    findings = retention.check_records()
    assert accounts_reported(findings) == {
        f"account {ledger['second'].pk}",
        f"account {ledger['brand'].pk}",
    }
    with pytest.raises(CommandError, match="2 retention problem"):
        run("--check")


def test_a_deleted_transfer_shows(ledger):
    retention.seal_ledger(lag=NO_LAG)
    raw(f"DELETE FROM {Transfer._meta.db_table} WHERE idempotency_key = %s", "t-2")
    reported = accounts_reported(retention.check_ledger())
    assert f"account {ledger['first'].pk}" in reported
    assert f"account {ledger['second'].pk}" not in reported


def test_sealing_again_extends_the_chains_as_if_sealed_at_once(ledger):
    retention.seal_ledger(lag=NO_LAG)
    Transfer.objects.create(
        idempotency_key="t-3",
        debit=ledger["brand"],
        credit=ledger["second"],
        amount_fen=10,
        kind="settle",
        created_at=timezone.now() - timedelta(minutes=30),
    )
    second_run = retention.seal_ledger(lag=NO_LAG)
    assert (second_run.accounts, second_run.transfers) == (2, 1)
    incremental = dict(RetentionSeal.objects.values_list("account_id", "chain_hash"))
    RetentionSeal.objects.all().delete()
    retention.seal_ledger(lag=NO_LAG)
    assert dict(RetentionSeal.objects.values_list("account_id", "chain_hash")) == incremental
    assert retention.check_ledger() == []


def test_a_transfer_younger_than_the_lag_waits_for_the_next_seal(ledger):
    Transfer.objects.create(
        idempotency_key="t-new",
        debit=ledger["brand"],
        credit=ledger["second"],
        amount_fen=10,
        kind="settle",
        created_at=timezone.now(),
    )
    assert retention.seal_ledger(lag=timedelta(minutes=5)).transfers == 3
    assert retention.check_ledger() == []
    assert "Sealed 1 new transfer(s)" in run("--seal", "--lag-seconds", "0")


def test_a_paid_order_without_its_payment_shows(customer, sku):
    order = pay(
        sales.place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())
    )
    assert retention.check_orders() == []
    raw(f"DELETE FROM {Payment._meta.db_table} WHERE order_id = %s", order.pk)
    assert [str(f) for f in retention.check_orders()] == [
        f"[orders] order {order.number}: it was paid but has no successful payment"
    ]


def test_lines_that_no_longer_add_up_show(customer, sku):
    order = sales.place_order(
        customer=customer, items={sku.pk: 2}, address=customer.addresses.get()
    )
    raw(
        f"UPDATE {OrderLine._meta.db_table} SET unit_price_fen = 1, line_total_fen = 2 "
        "WHERE order_id = %s",
        order.pk,
    )
    findings = retention.check_orders()
    assert [f.subject for f in findings] == [f"order {order.number}"]
    assert "no longer add up" in findings[0].problem


def test_a_claim_refunded_without_its_refund_shows(customer, sku, staff, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path
    order = deliver(
        pay(
            sales.place_order(
                customer=customer, items={sku.pk: 2}, address=customer.addresses.get()
            )
        )
    )
    claim = sales.refund_claim(
        claim=claims.file_claim(
            order=order,
            customer=customer,
            order_line_id=order.lines.get().pk,
            quantity=1,
            remedy="refund",
            description="发霉",
            photos=[png_upload()],
        ),
        actor=staff,
    )
    assert retention.check_orders() == []
    raw(
        f"UPDATE {Refund._meta.db_table} SET return_number = '' WHERE return_number = %s",
        claim.number,
    )
    assert (
        f"[orders] order {order.number}: a quality claim was marked refunded without a refund"
        in [str(f) for f in retention.check_orders()]
    )


def test_the_command_needs_to_be_told_what_to_do():
    with pytest.raises(CommandError, match="--seal"):
        run()
