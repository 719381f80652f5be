"""Confirming receipt (by the customer or automatically after the brand's period), the brand's
return addresses and settings, and the parcel the customer sends back."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import deliver, pay
from weishang.catalog.models import Brand
from weishang.compliance.models import AuditEntry
from weishang.orders import after_sales, services
from weishang.orders.errors import OrderError
from weishang.orders.models import (
    AfterSalesSettings,
    OrderStatus,
    ReceiptConfirmedBy,
    ReturnFreightPayer,
    ReturnStatus,
)
from weishang.orders.personal_data import erase_personal_data
from weishang.orders.rules import auto_confirm_at, return_window_closes
from weishang.sales import services as sales

SHANGHAI = ZoneInfo("Asia/Shanghai")
pytestmark = pytest.mark.django_db


def paid_order(customer, sku):
    return pay(
        sales.place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())
    )


def shipped_order(customer, sku, *, shipped_at=None):
    order = paid_order(customer, sku)
    return services.ship_order(
        actor=None, order=order, carrier="sf", tracking_no="SF1402837465920", now=shipped_at
    )


def requested_return(customer, sku):
    order = deliver(paid_order(customer, sku))
    return services.request_return(
        order=order, customer=customer, quantities={order.lines.get().pk: 1}
    )


def confirm_receipts(now):
    out = StringIO()
    call_command("confirm_receipts", "--now", now.isoformat(), stdout=out)
    return out.getvalue()


# Confirming receipt ------------------------------------------------------------------------------


def test_the_customer_confirms_receipt_and_the_return_window_runs_from_the_next_day(customer, sku):
    order = shipped_order(customer, sku)
    confirmed_at = datetime(2026, 11, 3, 21, 30, tzinfo=SHANGHAI)
    order = after_sales.confirm_receipt(order=order, customer=customer, now=confirmed_at)
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert order.receipt_confirmed_by == ReceiptConfirmedBy.CUSTOMER
    assert order.delivered_at == confirmed_at
    assert services.return_window_end(order) == datetime(2026, 11, 11, tzinfo=SHANGHAI)
    entry = AuditEntry.objects.get(action="order.confirm_receipt")
    assert entry.actor_label == f"customer #{customer.pk}"
    assert entry.actor_id == customer.user_id and customer.mobile not in str(entry.after)


def test_only_the_buyer_confirms_and_only_a_shipped_order(customer, make_customer, sku):
    order = shipped_order(customer, sku)
    with pytest.raises(OrderError, match="not yours"):
        after_sales.confirm_receipt(order=order, customer=make_customer())
    unshipped = pay(
        sales.place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    )
    with pytest.raises(OrderError, match="shipped"):
        after_sales.confirm_receipt(order=unshipped, customer=customer)
    after_sales.confirm_receipt(order=order, customer=customer)
    with pytest.raises(OrderError, match="shipped"):
        after_sales.confirm_receipt(order=order, customer=customer)
    assert AuditEntry.objects.filter(action="order.confirm_receipt").count() == 1


def test_a_courier_sign_for_recorded_by_staff_says_so(customer, sku):
    order = deliver(paid_order(customer, sku))
    assert order.receipt_confirmed_by == ReceiptConfirmedBy.COURIER


def test_unconfirmed_orders_are_confirmed_ten_days_after_shipment_once(
    customer, make_customer, sku
):
    shipped = timezone.now() - timedelta(days=30)
    due = shipped_order(customer, sku, shipped_at=shipped)
    not_yet = shipped_order(make_customer(), sku, shipped_at=shipped + timedelta(days=1))
    run_at = shipped + timedelta(days=10)
    assert "Confirmed receipt of 1 order " in confirm_receipts(run_at)
    assert "Confirmed receipt of 0 orders" in confirm_receipts(run_at)
    due.refresh_from_db()
    not_yet.refresh_from_db()
    assert (due.status, due.receipt_confirmed_by, due.delivered_at) == (
        OrderStatus.DELIVERED,
        ReceiptConfirmedBy.AUTOMATIC,
        run_at,
    )
    assert not_yet.status == OrderStatus.SHIPPED
    assert after_sales.confirm_receipts(now=run_at + timedelta(days=1)) == 1
    assert after_sales.confirm_receipts(now=run_at + timedelta(days=1)) == 0


def test_the_brand_sets_the_period(customer, staff, brand, sku):
    shipped = timezone.now() - timedelta(days=10)
    order = shipped_order(customer, sku, shipped_at=shipped)
    assert after_sales.auto_confirm_deadline(order) == shipped + timedelta(days=10)
    after_sales.set_after_sales_settings(
        actor=staff, auto_confirm_days=3, brand_pays_return_shipping=False
    )
    assert after_sales.auto_confirm_deadline(order) == shipped + timedelta(days=3)
    assert after_sales.confirm_receipts(now=shipped + timedelta(days=3)) == 1
    entry = AuditEntry.objects.get(action="after_sales.settings")
    assert (entry.actor_label, entry.before, entry.after) == (
        "operator",
        {"auto_confirm_days": 10},
        {"auto_confirm_days": 3},
    )


@pytest.mark.parametrize("days", [0, 61])
def test_the_period_is_one_to_sixty_days(staff, brand, days):
    with pytest.raises(OrderError, match="1 to 60"):
        after_sales.set_after_sales_settings(
            actor=staff, auto_confirm_days=days, brand_pays_return_shipping=False
        )
    assert AfterSalesSettings.current().auto_confirm_days == 10
    assert not AuditEntry.objects.filter(action="after_sales.settings").exists()


@given(
    shipped=st.datetimes(
        min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(SHANGHAI)
    ),
    days=st.integers(min_value=1, max_value=60),
)
def test_auto_confirmed_orders_can_still_be_returned_for_seven_full_days(shipped, days):
    confirmed = auto_confirm_at(shipped, days)
    closes = return_window_closes(confirmed, SHANGHAI)
    assert closes - confirmed > timedelta(days=7)
    assert closes - confirmed <= timedelta(days=8)


# Return freight and return addresses -------------------------------------------------------------


def test_the_customer_pays_no_reason_return_shipping_unless_the_brand_says_it_does(
    customer, make_customer, staff, brand, sku
):
    assert requested_return(customer, sku).freight_paid_by == ReturnFreightPayer.CUSTOMER
    after_sales.set_after_sales_settings(
        actor=staff, auto_confirm_days=10, brand_pays_return_shipping=True
    )
    assert Brand.objects.get().return_shipping_paid_by_brand
    assert requested_return(make_customer(), sku).freight_paid_by == ReturnFreightPayer.BRAND
    entry = AuditEntry.objects.get(action="after_sales.settings")
    assert entry.after == {"brand_pays_return_shipping": True}


def test_approval_sends_the_goods_to_the_chosen_address_or_the_first_in_use(
    customer, make_customer, staff, sku
):
    first = after_sales.add_return_address(
        actor=staff, recipient="退货组", phone="0996-1234567", address="新疆若羌县枣园路1号"
    )
    second = after_sales.add_return_address(
        actor=staff, recipient="上海仓", phone="021-5555666", address="上海市嘉定区仓库路2号"
    )
    assert (
        services.approve_return(
            return_request=requested_return(customer, sku), actor=staff
        ).return_address
        == first
    )
    chosen = services.approve_return(
        return_request=requested_return(make_customer(), sku), actor=staff, return_address=second
    )
    assert chosen.return_address == second
    assert AuditEntry.objects.filter(action="return.approve").order_by("pk").last().after[
        "return_address"
    ] == (second.pk)
    after_sales.retire_return_address(actor=staff, return_address=second)
    second.refresh_from_db()
    rr = requested_return(make_customer(), sku)
    with pytest.raises(OrderError, match="retired"):
        services.approve_return(return_request=rr, actor=staff, return_address=second)
    rr.refresh_from_db()
    assert rr.status == ReturnStatus.REQUESTED


def test_return_addresses_are_audited_and_need_every_field(staff):
    with pytest.raises(OrderError, match="recipient, phone and address"):
        after_sales.add_return_address(actor=staff, recipient="退货组", phone=" ", address="若羌")
    address = after_sales.add_return_address(
        actor=staff, recipient="退货组", phone="0996-1234567", address="若羌县"
    )
    after_sales.update_return_address(
        actor=staff,
        return_address=address,
        recipient="退货组",
        phone="0996-1234567",
        address="若羌县枣园路1号",
    )
    after_sales.retire_return_address(actor=staff, return_address=address)
    with pytest.raises(OrderError, match="already retired"):
        after_sales.retire_return_address(actor=staff, return_address=address)
    entries = AuditEntry.objects.filter(object_type="orders.returnaddress").order_by("pk")
    assert [(e.action, e.actor_label) for e in entries] == [
        ("return_address.add", "operator"),
        ("return_address.update", "operator"),
        ("return_address.retire", "operator"),
    ]
    assert entries[1].before == {"address": "若羌县"}


# The parcel sent back ----------------------------------------------------------------------------


def test_the_customer_enters_the_parcel_he_sent_back(customer, make_customer, sku):
    rr = requested_return(customer, sku)
    with pytest.raises(OrderError, match="once the return is approved"):
        after_sales.record_return_shipment(
            return_request=rr, customer=customer, carrier="sf", tracking_no="SF1402837465920"
        )
    services.approve_return(return_request=rr, actor=None)
    with pytest.raises(OrderError, match="not a SF Express waybill"):
        after_sales.record_return_shipment(
            return_request=rr, customer=customer, carrier="sf", tracking_no="12345"
        )
    with pytest.raises(OrderError, match="not yours"):
        after_sales.record_return_shipment(
            return_request=rr,
            customer=make_customer(),
            carrier="sf",
            tracking_no="SF1402837465920",
        )
    rr = after_sales.record_return_shipment(
        return_request=rr, customer=customer, carrier="sf", tracking_no="sf 1402 8374 65920"
    )
    rr.refresh_from_db()
    assert (rr.return_carrier, rr.return_tracking_no) == ("sf", "SF1402837465920")
    assert rr.return_shipped_at is not None
    entry = AuditEntry.objects.get(action="return.ship_back")
    assert entry.actor_label == f"customer #{customer.pk}"
    assert "SF1402837465920" not in str(entry.after)
    services.receive_return(return_request=rr, actor=None)
    with pytest.raises(OrderError, match="until it arrives"):
        after_sales.record_return_shipment(
            return_request=rr, customer=customer, carrier="zto", tracking_no="78310029455612"
        )


def test_closing_the_account_replaces_the_tracking_number_he_typed(customer, sku):
    rr = services.approve_return(return_request=requested_return(customer, sku), actor=None)
    after_sales.record_return_shipment(
        return_request=rr, customer=customer, carrier="sf", tracking_no="SF1402837465920"
    )
    assert erase_personal_data(customer)["return_tracking_numbers"] == 1
    rr.refresh_from_db()
    assert rr.return_tracking_no == "[closed]" and rr.return_carrier == "sf"
