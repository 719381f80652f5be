"""Batch shipping in the console: ticking paid orders, their packing list and labels (queries do
not grow with the selection), the waybill template and the import with its row-by-row report."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from tests.helpers import pay
from weishang.compliance.models import AuditEntry
from weishang.orders.models import Order, OrderStatus
from weishang.sales import services as sales

from .conftest import messages_of

pytestmark = pytest.mark.django_db

PACKING = reverse("console:packing_list")
TEMPLATE = reverse("console:waybill_template")
IMPORT = reverse("console:waybill_import")


@pytest.fixture
def paid_orders(make_customer, make_product):
    """Orders of two SKUs each (one of them twice), paid, for different customers."""
    first, second = make_product(stock=1000), make_product(stock=1000)

    def make(count):
        made = []
        for _ in range(count):
            who = make_customer()
            order = sales.place_order(
                customer=who, items={first.pk: 2, second.pk: 1}, address=who.addresses.get()
            )
            made.append(pay(order))
        return made

    return make


def csv_upload(rows, name="waybills.csv"):
    text = "订单号,快递公司,运单号\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_order_list_offers_a_tick_box_on_paid_orders_only(console, paid_orders, place):
    (paid,) = paid_orders(1)
    unpaid = place()
    html = console.get(reverse("console:order_list")).content.decode()
    assert f'name="order" value="{paid.number}" form="batch"' in html
    assert f'value="{unpaid.number}" form="batch"' not in html
    assert f'action="{PACKING}"' in html


def test_the_packing_list_and_labels_show_orders_recipients_skus_and_quantities(
    console, paid_orders
):
    orders = paid_orders(3)
    response = console.get(PACKING, {"order": [o.number for o in orders[:2]]})
    html = response.content.decode()
    assert [o.number for o in response.context["orders"]] == [o.number for o in orders[:2]]
    assert orders[2].number not in html
    for order in orders[:2]:
        assert html.count(order.number) >= 2  # packing list and label
        assert order.recipient in html and order.address in html
    for line in orders[0].lines.all():
        assert f"{line.sku_code} · {line.product_name} {line.sku_name} × {line.quantity}" in html
    picks = {(code, quantity) for code, _p, _s, quantity in response.context["picks"]}
    codes = sorted(line.sku_code for line in orders[0].lines.all())
    assert picks == {(codes[0], 4), (codes[1], 2)}
    assert html.count('data-testid="label"') == 2
    assert "console/packing.css" in html and "console/print.js" in html
    assert f"{TEMPLATE}?order={orders[0].number}&amp;order={orders[1].number}&amp;format=xlsx" in (
        html
    )


def test_packing_page_queries_do_not_grow_with_the_selection(
    console, paid_orders, django_assert_max_num_queries
):
    orders = paid_orders(25)
    for selection in (orders[:2], orders):
        with django_assert_max_num_queries(9):
            response = console.get(PACKING, {"order": [o.number for o in selection]})
        assert len(response.context["orders"]) == len(selection)
    with django_assert_max_num_queries(9):
        response = console.get(PACKING, {"unshipped": "on"})
    assert len(response.context["orders"]) == 25


def test_orders_not_awaiting_shipment_are_left_out_and_said_so(console, paid_orders, place):
    (paid,) = paid_orders(1)
    response = console.get(PACKING, {"order": [paid.number, place().number, "nonsense"]})
    assert [o.number for o in response.context["orders"]] == [paid.number]
    assert "2 selected orders are not awaiting shipment and are left out." in (
        response.content.decode()
    )


def test_nothing_selected_or_too_much_selected_prints_nothing(console):
    response = console.get(PACKING)
    assert response.context["orders"] == []
    assert "No paid order is selected." in response.content.decode()
    response = console.get(PACKING, {"order": [str(n) for n in range(201)]})
    assert response.context["orders"] == []
    assert messages_of(response) == ["Select at most 200 orders at a time."]


def test_the_template_downloads_as_csv_or_excel_with_the_selected_orders(console, paid_orders):
    orders = paid_orders(2)
    numbers = [o.number for o in orders]
    response = console.get(TEMPLATE, {"order": numbers, "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="waybills-')
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines == ["Order number,Carrier,Waybill number", f"{numbers[0]},,", f"{numbers[1]},,"]

    response = console.get(TEMPLATE, {"order": numbers, "format": "xlsx"})
    assert response["Content-Disposition"].endswith('.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert [row[0] for row in sheet.iter_rows(values_only=True)] == ["Order number", *numbers]

    empty = console.get(TEMPLATE, {"format": "bogus"})
    assert empty.content.decode("utf-8-sig").splitlines() == ["Order number,Carrier,Waybill number"]


def test_an_uploaded_csv_ships_good_rows_and_reports_the_bad_one(console, paid_orders, staff):
    orders = paid_orders(3)
    rows = [
        (orders[0].number, "顺丰速运", "SF1402837465920"),
        (orders[1].number, "中通快递", "ZT-BAD"),
        (orders[2].number, "EMS", "1128301948270"),
    ]
    response = console.post(IMPORT, {"file": csv_upload(rows)})
    assert response.status_code == 200
    assert messages_of(response) == ["2 orders are shipped."]
    report = response.context["report"]
    assert [(r.line, r.outcome) for r in report.results] == [
        (2, "shipped"),
        (3, "refused"),
        (4, "shipped"),
    ]
    html = response.content.decode()
    assert "ZTBAD is not a ZTO Express waybill number" in html
    assert 'data-outcome="refused"' in html
    statuses = [Order.objects.get(pk=o.pk).status for o in orders]
    assert statuses == [OrderStatus.SHIPPED, OrderStatus.PAID, OrderStatus.SHIPPED]
    assert AuditEntry.objects.filter(action="order.ship_import", actor=staff).count() == 1

    again = console.post(IMPORT, {"file": csv_upload(rows)})
    assert [r.outcome for r in again.context["report"].results] == [
        "already_shipped",
        "refused",
        "already_shipped",
    ]
    assert messages_of(again) == ["No order was shipped from this file; see the rows below."]
    assert AuditEntry.objects.filter(action="order.ship_import").count() == 1


def test_an_uploaded_xlsx_ships_its_orders(console, paid_orders):
    orders = paid_orders(2)
    book = Workbook()
    book.active.append(["Order number", "Carrier", "Waybill number"])
    book.active.append([orders[0].number, "JD Logistics", "JDVA00123456789"])
    book.active.append([orders[1].number, "极兔", "JT0004821937465"])
    out = io.BytesIO()
    book.save(out)
    upload = SimpleUploadedFile("w.xlsx", out.getvalue())
    response = console.post(IMPORT, {"file": upload})
    assert messages_of(response) == ["2 orders are shipped."]
    assert {(o.carrier, o.tracking_no) for o in Order.objects.filter(status="shipped")} == {
        ("jd", "JDVA00123456789"),
        ("jt", "JT0004821937465"),
    }


def test_an_already_shipped_file_only_informs(console, paid_orders):
    (order,) = paid_orders(1)
    rows = [(order.number, "sf", "SF1402837465920")]
    console.post(IMPORT, {"file": csv_upload(rows)})
    response = console.post(IMPORT, {"file": csv_upload(rows)})
    assert messages_of(response) == [
        "Every order in this file was already shipped; nothing changed."
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Choose the filled-in waybill file to upload."),
        (
            {"file": SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n\x00\x00")},
            "This is not a CSV or Excel (.xlsx) file.",
        ),
        (
            {"file": SimpleUploadedFile("a.csv", b"name,phone\nx,y\n")},
            "The first row must name the columns Order number, Carrier, Waybill number. "
            "Download the template and fill it in.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_changes_nothing(console, paid_orders, data, message):
    paid_orders(1)
    response = console.post(IMPORT, data)
    assert response.status_code == 200
    assert messages_of(response) == [message]
    assert response.context["report"] is None
    assert not AuditEntry.objects.filter(action__startswith="order.ship").exists()
    assert Order.objects.get().status == OrderStatus.PAID


def test_the_import_page_explains_and_lists_the_carriers(console, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        html = console.get(IMPORT).content.decode()
    assert "SF1402837465920" in html and "JD Logistics" in html
    assert 'enctype="multipart/form-data"' in html


def test_the_ship_form_offers_the_carriers_and_checks_the_waybill_shape(console, paid_order):
    html = console.get(reverse("console:order_detail", args=[paid_order.number])).content
    assert b'<select name="carrier"' in html and b'<option value="jd">JD Logistics' in html
    url = reverse("console:order_ship", args=[paid_order.number])
    for data, message in [
        ({"carrier": "dhl", "tracking_no": "SF1402837465920"}, "Choose a carrier from the list."),
        (
            {"carrier": "yto", "tracking_no": "SF1402837465920"},
            "SF1402837465920 is not a YTO Express waybill number (for example YT7300194826351).",
        ),
    ]:
        response = console.post(url, data, follow=True)
        assert messages_of(response) == [message]
    paid_order.refresh_from_db()
    assert paid_order.status == OrderStatus.PAID


def test_import_queries_grow_only_by_each_rows_own_shipping(console, paid_orders):
    """Each row costs its ship_order (lock, stock, movement, audit, savepoints); nothing else
    grows with the file."""
    orders = paid_orders(12)
    counts = []
    for chunk in (orders[:2], orders[2:]):
        rows = [(o.number, "sf", f"SF1402837465{i:03d}") for i, o in enumerate(chunk)]
        with CaptureQueriesContext(connection) as queries:
            response = console.post(IMPORT, {"file": csv_upload(rows)})
        assert response.context["report"].shipped == len(chunk)
        counts.append(len(queries.captured_queries))
    per_row = (counts[1] - counts[0]) / 8
    assert per_row <= 14 and counts[0] <= 10 + 2 * 14, counts


@pytest.mark.parametrize("role", ["finance", "auditor", "customer_service"])
def test_roles_that_do_not_ship_neither_open_nor_are_offered_the_packing_list(
    client, paid_orders, role
):
    """Packing lists, labels and waybill files carry every delivery address (PIPL Art. 6)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    (paid,) = paid_orders(1)
    reader = get_user_model().objects.create_user(username=role, password="pw", is_staff=True)
    reader.groups.add(Group.objects.get_or_create(name=role)[0])
    client.force_login(reader)
    selection = {"order": paid.number}
    assert client.get(PACKING, selection).status_code == 403
    assert client.get(TEMPLATE, {**selection, "format": "csv"}).status_code == 403
    assert client.get(IMPORT).status_code == 403
    html = client.get(reverse("console:order_list")).content.decode()
    assert paid.number in html
    assert PACKING not in html and IMPORT not in html
    assert paid.address not in html
