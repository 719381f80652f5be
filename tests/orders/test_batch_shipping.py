"""Waybill import: each good row ships its order through ship_order, a bad row is reported with
its row number and reason and changes nothing, a re-import ships nothing twice, and a file that
cannot be read is refused whole. CSV (UTF-8 and Excel's GB18030) and .xlsx are both read."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from tests.helpers import pay
from weishang.compliance.models import AuditEntry
from weishang.inventory.models import Stock, StockMovement
from weishang.orders import services
from weishang.orders.errors import OrderError
from weishang.orders.models import OrderStatus
from weishang.orders.shipping import ALREADY_SHIPPED, REFUSED, SHIPPED, ship_orders_from_rows
from weishang.orders.waybill_files import (
    MAX_BYTES,
    MAX_ROWS,
    WaybillFileError,
    WaybillRow,
    read_waybill_file,
    template_csv,
    template_xlsx,
)
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db

WAYBILLS = ["SF1402837465920", "78310029455612", "YT7300194826351", "4318826401937"]
CARRIER_TEXTS = ["顺丰速运", "中通", "YTO Express", "yunda"]


@pytest.fixture
def paid(customer, sku):
    address = customer.addresses.get()

    def make(count):
        return [
            pay(sales.place_order(customer=customer, items={sku.pk: 1}, address=address))
            for _ in range(count)
        ]

    return make


def rows_for(orders, waybills=WAYBILLS, carriers=CARRIER_TEXTS):
    return [
        WaybillRow(line=i + 2, order_number=o.number, carrier=c, waybill=w)
        for i, (o, c, w) in enumerate(zip(orders, carriers, waybills, strict=False))
    ]


def upload(name, data, content_type="text/csv"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def xlsx(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_good_rows_ship_through_ship_order_and_the_import_is_audited(paid, staff, sku):
    orders = paid(4)
    report = ship_orders_from_rows(rows=rows_for(orders), actor=staff, source="w.csv")

    assert [r.outcome for r in report.results] == [SHIPPED] * 4
    for order, code, number in zip(orders, ["sf", "zto", "yto", "yunda"], WAYBILLS, strict=True):
        order.refresh_from_db()
        assert (order.status, order.carrier, order.tracking_no) == ("shipped", code, number)
    stock = Stock.objects.get(sku=sku)
    assert (stock.on_hand, stock.reserved) == (96, 0)
    assert StockMovement.objects.filter(kind=StockMovement.Kind.SHIPPED).count() == 4
    entries = AuditEntry.objects.filter(actor=staff).order_by("pk")
    assert [e.action for e in entries] == ["order.ship"] * 4 + ["order.ship_import"]
    assert entries.last().after["shipped"] == [o.number for o in orders]
    assert entries.last().object_id == "w.csv"


def test_a_bad_waybill_is_reported_with_its_row_and_reason_and_the_order_stays_paid(paid, staff):
    orders = paid(3)
    rows = rows_for(orders, waybills=["SF1402837465920", "ZT123", "YT7300194826351"])
    report = ship_orders_from_rows(rows=rows, actor=staff)

    assert (report.shipped, report.refused, report.already_shipped) == (2, 1, 0)
    bad = report.results[1]
    assert (bad.line, bad.order_number, bad.outcome) == (3, orders[1].number, REFUSED)
    assert bad.message == "ZT123 is not a ZTO Express waybill number (for example 78310029455612)."
    orders[1].refresh_from_db()
    assert (orders[1].status, orders[1].tracking_no) == (OrderStatus.PAID, "")
    assert AuditEntry.objects.get(action="order.ship_import").after["refused"] == [
        {"row": 3, "order": orders[1].number, "reason": bad.message}
    ]


def test_reimporting_the_same_rows_ships_nothing_twice(paid, staff, sku):
    orders = paid(2)
    ship_orders_from_rows(rows=rows_for(orders), actor=staff)
    audited = AuditEntry.objects.count()
    changed = rows_for(orders, waybills=["SF1402837465920", "78310029455699"])

    report = ship_orders_from_rows(rows=changed, actor=staff)

    assert [r.outcome for r in report.results] == [ALREADY_SHIPPED, ALREADY_SHIPPED]
    assert report.results[0].message == "Already shipped with this waybill number."
    assert report.results[1].message == (
        "Already shipped with ZTO Express 78310029455612; this row's number was not used."
    )
    assert AuditEntry.objects.count() == audited
    assert Stock.objects.get(sku=sku).on_hand == 98
    orders[1].refresh_from_db()
    assert orders[1].tracking_no == "78310029455612"


def test_each_kind_of_bad_row_is_reported_and_nothing_aborts(paid, customer, sku, staff):
    good, again = paid(2)
    unpaid = sales.place_order(
        customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
    )
    rows = [
        WaybillRow(2, "", "顺丰", "SF1402837465920"),
        WaybillRow(3, "999", "顺丰", "SF1402837465920"),
        WaybillRow(4, unpaid.number, "顺丰", "SF1402837465920"),
        WaybillRow(5, good.number, "DHL", "SF1402837465920"),
        WaybillRow(6, good.number, "", "SF1402837465920"),
        WaybillRow(7, again.number, "EMS", "EE123456780CN"),
        WaybillRow(8, good.number, "顺丰", "SF1402837465920"),
        WaybillRow(9, good.number, "顺丰", "SF1402837465921"),
    ]
    report = ship_orders_from_rows(rows=rows, actor=staff)

    assert [(r.line, r.outcome, r.message) for r in report.results] == [
        (2, REFUSED, "Enter the order number."),
        (3, REFUSED, "No order has the number 999."),
        (4, REFUSED, f"Order {unpaid.number} is awaiting payment; only paid orders are shipped."),
        (5, REFUSED, "DHL is not one of the carriers on the list."),
        (6, REFUSED, f"Order {good.number} is already on row 5 of this file."),
        (7, REFUSED, "EE123456780CN fails the EMS check digit."),
        (8, REFUSED, f"Order {good.number} is already on row 5 of this file."),
        (9, REFUSED, f"Order {good.number} is already on row 5 of this file."),
    ]
    assert not AuditEntry.objects.filter(action__startswith="order.ship").exists()


def test_a_refusal_inside_ship_order_rolls_back_only_its_row(paid, staff, monkeypatch):
    first, second = paid(2)
    real = services.ship_order

    def refuse_the_first(*, order, **kwargs):
        shipped = real(order=order, **kwargs)
        if order.pk == first.pk:
            raise OrderError("Stock count is wrong.")
        return shipped

    monkeypatch.setattr(services, "ship_order", refuse_the_first)
    report = ship_orders_from_rows(rows=rows_for([first, second]), actor=staff)

    assert [(r.outcome, r.message) for r in report.results] == [
        (REFUSED, "Stock count is wrong."),
        (SHIPPED, ""),
    ]
    first.refresh_from_db()
    assert (first.status, first.tracking_no) == (OrderStatus.PAID, "")
    assert AuditEntry.objects.filter(action="order.ship").count() == 1


# Reading files ----------------------------------------------------------------------------------


def test_the_csv_template_reads_back_with_its_rows_numbered_as_a_spreadsheet_shows_them():
    data = template_csv(["261202104700000001", "261202104700000002"])
    assert data.startswith(b"\xef\xbb\xbf")
    filled = data.decode("utf-8-sig").replace(
        "261202104700000002,,", "261202104700000002,顺丰速运,SF1402837465920"
    )
    rows = read_waybill_file(upload("w.csv", ("\n" + filled).encode("utf-8")))
    assert rows == [
        WaybillRow(3, "261202104700000001", "", ""),
        WaybillRow(4, "261202104700000002", "顺丰速运", "SF1402837465920"),
    ]


def test_a_csv_saved_by_excel_in_gb18030_with_chinese_headings_and_extra_columns():
    text = (
        "收件人,订单号,快递公司,运单号\r\n"
        "王小枣,261202104700000001,中通快递,78310029455612\r\n"
        ",,,\r\n"
    )
    rows = read_waybill_file(upload("w.csv", text.encode("gb18030")))
    assert rows == [WaybillRow(2, "261202104700000001", "中通快递", "78310029455612")]


def test_an_xlsx_file_with_numbers_typed_as_numbers_reads_as_text(paid, staff):
    (order,) = paid(1)
    data = xlsx(
        [
            ["Order number", "Carrier", "Waybill number"],
            [order.number, "ZTO Express", 78310029455612],
            [None, None, None],
        ]
    )
    rows = read_waybill_file(upload("w.xlsx", data))
    assert rows == [WaybillRow(2, order.number, "ZTO Express", "78310029455612")]
    assert ship_orders_from_rows(rows=rows, actor=staff).shipped == 1


def test_the_xlsx_template_keeps_numbers_as_text_and_lists_the_carriers():
    book = load_workbook(io.BytesIO(template_xlsx(["261202104700000001"])))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["Order number", "Carrier", "Waybill number"]
    assert sheet["A2"].value == "261202104700000001" and sheet["A2"].number_format == "@"
    assert "SF Express" in sheet.data_validations.dataValidation[0].formula1
    assert ["SF Express", "SF1402837465920"] in [
        [c.value for c in row] for row in book.worksheets[1].iter_rows()
    ]
    rows = read_waybill_file(upload("t.xlsx", template_xlsx(["261202104700000001"])))
    assert rows == [WaybillRow(2, "261202104700000001", "", "")]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"a,b,c\r\n1,2,3\r\n", "The first row must name the columns"),
        (b"Order number,Carrier\r\n1,2\r\n", "The first row must name the columns"),
        (b"", "The first row must name the columns"),
        ("订单号,快递公司,运单号\r\n".encode(), "The file has no rows to import"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This is not a CSV or Excel (.xlsx) file."),
        (b"PK\x03\x04 not really a zip", "This Excel file cannot be read"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "Old Excel (.xls) files cannot be read"),
        (b'Order number,Carrier,Waybill number\r\n"1,2\x00', "This"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(data, message):
    with pytest.raises(WaybillFileError) as refused:
        read_waybill_file(upload("bad.csv", data))
    assert message in str(refused.value.message)


def test_a_huge_file_or_too_many_rows_is_refused():
    with pytest.raises(WaybillFileError, match="larger than 1000 KB"):
        read_waybill_file(upload("big.csv", b"x" * (MAX_BYTES + 1)))
    too_many = "Order number,Carrier,Waybill number\n" + "1,sf,SF1402837465920\n" * (MAX_ROWS + 1)
    with pytest.raises(WaybillFileError, match="at most 1000 orders"):
        read_waybill_file(upload("many.csv", too_many.encode()))
    sheet = xlsx([["Order number", "Carrier", "Waybill number"]] + [[1, "sf", "SF1"]] * 1001)
    with pytest.raises(WaybillFileError, match="at most 1000 orders"):
        read_waybill_file(upload("many.xlsx", sheet))


def test_control_characters_in_cells_are_dropped(paid, staff):
    (order,) = paid(1)
    text = f"Order number,Carrier,Waybill number\n\x01{order.number},sf\x07,SF1402837465920\x1f\n"
    rows = read_waybill_file(upload("w.csv", text.encode()))
    assert rows == [WaybillRow(2, order.number, "sf", "SF1402837465920")]
    assert ship_orders_from_rows(rows=rows, actor=staff).shipped == 1
