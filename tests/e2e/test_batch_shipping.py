"""Batch shipping of 20 orders from an imported file with one bad row reported: the operator
ticks 21 paid orders, prints their packing list and labels on A4, downloads the waybill template,
fills it in and uploads it; 20 orders ship, the bad row is reported with its row number and
reason and its order stays paid; the customer sees the carrier and the number on his phone."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from tests.helpers import pay
from weishang.catalog.models import Sku
from weishang.customers.models import Customer
from weishang.orders.carriers import CARRIERS, carrier_name, waybill_problem
from weishang.orders.models import Order, OrderStatus
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db(transaction=True)

BAD_ROW = 8  # the spreadsheet row of the 7th order: the heading is row 1
BAD_WAYBILL = "SF12345"


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", verbosity=0)


def waybill(code: str, i: int) -> str:
    """A number of the carrier's shape, different for each order."""
    example = CARRIERS[code].example
    return example[:-3] + f"{i:03d}" if code != "ems" else f"1128301948{i:03d}"


def test_batch_shipping_of_20_orders_from_an_imported_file_with_one_bad_row_reported(
    demo, live_server, new_page, screenshot, tmp_path
):
    store = live_server.url
    customer = Customer.objects.get(mobile="13800138000")
    skus = {s.code: s for s in Sku.objects.filter(code__in=["ZZD-EJ-500", "ZZD-JH-500"])}
    address = customer.addresses.get(is_default=True)
    orders = [
        pay(
            sales.place_order(
                customer=customer,
                items={skus["ZZD-EJ-500"].pk: 1 + i % 3, skus["ZZD-JH-500"].pk: 1},
                address=address,
                confirm_return_exclusion=True,
            )
        )
        for i in range(21)
    ]
    numbers = [order.number for order in orders]

    # The operator ticks the 21 paid orders on the unshipped list.
    operator = new_page(phone=False)
    operator.goto(store + "/console/")
    operator.fill("#id_username", "operator")
    operator.fill("#id_password", "weishang-demo")
    operator.click("form button[type=submit]")
    operator.wait_for_url(re.compile(r"/console/$"))
    operator.goto(store + "/console/orders/?status=paid")
    for number in numbers:
        operator.check(f"input[name=order][value='{number}']")
    operator.click("#batch button[type=submit]")
    operator.wait_for_url(re.compile(r"/console/shipping/packing/"))

    # The packing list and the labels name every order, its recipient, SKUs and quantities.
    packing = operator.inner_text("[data-testid=packing-list]")
    labels = operator.locator("[data-testid=label]")
    assert labels.count() == 21
    for i, order in enumerate(orders):
        assert order.number in packing
        label = labels.nth(i).inner_text()
        assert order.number in label and order.recipient in label and order.phone in label
        for line in order.lines.all():
            assert f"{line.sku_code} · {line.product_name} {line.sku_name} × {line.quantity}" in (
                label
            )
    picks = operator.inner_text("[data-testid=pick-list]")
    assert re.search(r"ZZD-EJ-500.*\s42\b", picks) and re.search(r"ZZD-JH-500.*\s21\b", picks)

    # Printed on A4: the console's menu and buttons are left off, the labels are kept.
    operator.emulate_media(media="print")
    assert not operator.locator(".console-nav").is_visible()
    assert not operator.locator("[data-print]").is_visible()
    assert not operator.locator("footer.licence").is_visible()
    assert labels.first.is_visible()
    pdf = operator.pdf(format="A4", prefer_css_page_size=True)
    assert pdf.startswith(b"%PDF")
    screenshot(operator, "console-packing-print")
    operator.emulate_media(media="screen")

    # The waybill template for these orders, filled in: one number has a typo.
    with operator.expect_download() as download:
        operator.click("[data-testid=template-csv]")
    template = download.value.path().read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(template)))
    assert rows[0] == ["订单号", "快递公司", "运单号"]
    assert [row[0] for row in rows[1:]] == numbers
    codes = list(CARRIERS)
    with translation.override("zh-hans"):
        for i, row in enumerate(rows[1:]):
            code = codes[i % len(codes)]
            row[1] = carrier_name(code)
            row[2] = waybill(code, i)
            assert waybill_problem(code, row[2]) is None
        rows[BAD_ROW - 1][1:] = [carrier_name("sf"), BAD_WAYBILL]
        reason = waybill_problem("sf", BAD_WAYBILL)
    filled = tmp_path / "运单.csv"
    with filled.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(rows)

    # Uploaded: 20 orders ship, the bad row is reported with its row number and reason.
    operator.click("text=导入填好的文件")
    operator.wait_for_url(re.compile(r"/console/shipping/import/"))
    operator.set_input_files("#id_file", str(filled))
    operator.click("form[enctype] button[type=submit]")
    operator.wait_for_selector("[data-testid=import-report]")
    assert "20 个订单已发货。" in operator.inner_text(".messages")
    assert operator.locator("[data-testid=import-row][data-outcome=shipped]").count() == 20
    refused = operator.locator("[data-testid=import-row][data-outcome=refused]")
    assert refused.count() == 1
    cells = refused.locator("td").all_inner_texts()
    bad_order = orders[BAD_ROW - 2]
    assert cells[0] == str(BAD_ROW) and cells[1] == bad_order.number and cells[3] == reason
    assert "不是顺丰速运的运单号" in reason
    screenshot(operator, "console-waybill-import")

    shipped = Order.objects.filter(number__in=numbers, status=OrderStatus.SHIPPED)
    assert shipped.count() == 20
    bad_order.refresh_from_db()
    assert (bad_order.status, bad_order.tracking_no) == (OrderStatus.PAID, "")

    # The typo fixed, the same file again ships that order only: nothing ships twice.
    rows[BAD_ROW - 1][2] = "SF1402837465999"
    with filled.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(rows)
    operator.set_input_files("#id_file", str(filled))
    operator.click("form[enctype] button[type=submit]")
    operator.wait_for_selector("[data-testid=import-report]")
    assert operator.inner_text(".messages").strip() == "1 个订单已发货。"
    assert operator.locator("[data-outcome=already_shipped]").count() == 20
    assert Order.objects.filter(number__in=numbers, status=OrderStatus.SHIPPED).count() == 21

    # The customer sees the carrier's name and the waybill number on his order.
    seen = orders[1]
    seen.refresh_from_db()
    shopper = new_page(phone=True)
    shopper.goto(store + "/login/")
    shopper.click("details summary")
    shopper.fill("#pw-mobile", "13800138000")
    shopper.fill("#password", "weishang-demo")
    shopper.click("button[name=action][value=password]")
    shopper.wait_for_url(re.compile(r"/$|/account/"))
    shopper.goto(f"{store}/orders/{seen.number}/")
    tracking = shopper.inner_text("[data-testid=tracking]")
    assert seen.carrier == "zto" and tracking == f"中通快递 · 运单号 {seen.tracking_no}"
    screenshot(shopper, "store-order-tracking")
