"""The regulator export: the right rows in the right range, exact money, masked people, BOM, a
JSON document matching the documented schema, and streaming that never loads everything."""

import csv
import io
import json
import tracemalloc
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from weishang.compliance.models import Complaint
from weishang.orders.models import Order, QualityClaim
from weishang.payments.models import Payment
from weishang.payments.providers import Notification
from weishang.payments.services import start_payment
from weishang.reporting import export
from weishang.sales import services as sales
from weishang.sales.services import confirm_payment

SHANGHAI = ZoneInfo("Asia/Shanghai")
DOCS = Path(__file__).resolve().parents[2] / "docs"
RANGE = export.DateRange(date(2026, 3, 1), date(2026, 4, 1))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture
def buy(customer, make_product):
    """Places (and pays) an order, then moves it to ``placed`` in Shanghai time."""
    default_sku = make_product(price_fen=3990)

    def make(placed: str, *, sku=None, quantity=1, paid=True, distributor=None):
        order = sales.place_order(
            customer=customer,
            items={(sku or default_sku).pk: quantity},
            address=customer.addresses.get(),
        )
        if paid:
            payment = start_payment(order=order)
            confirm_payment(
                provider="sandbox",
                notification=Notification(
                    payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
                ),
            )
        moment = at(placed)
        Order.objects.filter(pk=order.pk).update(
            placed_at=moment,
            paid_at=moment if paid else None,
            distributor=distributor,
        )
        order.refresh_from_db()
        return order

    return make


def csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads the Chinese"
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def section(name: str) -> export.Section:
    return next(s for s in export.Export(RANGE).sections() if s.name == name)


def test_range_is_shanghai_days_start_included_end_excluded(brand, buy):
    buy("2026-02-28 23:59:59")  # before
    first = buy("2026-03-01 00:00:00")  # 2026-02-28 16:00 UTC: inside in Shanghai time
    last = buy("2026-03-31 23:59:59")
    buy("2026-04-01 00:00:00")  # the end day is not included

    rows = csv_rows(b"".join(export.csv_stream(section("transactions"))))

    assert [r["order_number"] for r in rows] == [first.number, last.number]
    assert rows[0]["placed_at"] == "2026-03-01T00:00:00+08:00"


def test_line_row_with_exact_yuan_strings_and_seller(brand, buy, make_product):
    odd = make_product(price_fen=123457)
    order = buy("2026-03-10 12:00:00", sku=odd, quantity=7)

    rows = csv_rows(b"".join(export.csv_stream(section("transactions"))))

    (row,) = rows
    assert row["quantity"] == "7"
    assert row["unit_price_fen"] == "123457" and row["unit_price_yuan"] == "1234.57"
    assert row["line_total_fen"] == "864199" and row["line_total_yuan"] == "8641.99"
    assert row["order_total_yuan"] == "8641.99"
    assert row["seller_company_name"] == "新疆枣知道农业有限公司"
    assert row["seller_uscc"] == brand.business_licence_no
    assert row["order_number"] == order.number
    payment = Payment.objects.get(order=order)
    assert row["payment_provider"] == "sandbox"
    assert row["payment_transaction_id"] == payment.provider_txn_id
    assert row["paid_at"] == "2026-03-10T12:00:00+08:00"
    assert row["distributor_store_name"] == ""  # no distributor brought this customer


def test_several_lines_and_refund_times(brand, customer, make_product, buy):
    a, b = make_product(price_fen=1000), make_product(price_fen=250)
    order = sales.place_order(
        customer=customer, items={a.pk: 1, b.pk: 2}, address=customer.addresses.get()
    )
    payment = start_payment(order=order)
    confirm_payment(
        provider="sandbox",
        notification=Notification(payment.number, "txn-x", payment.amount_fen, timezone.now()),
    )
    order.refresh_from_db()
    sales.cancel_order(order=order, by_brand=False, reason="拍错规格")
    Order.objects.filter(pk=order.pk).update(placed_at=at("2026-03-05 08:00:00"))

    rows = csv_rows(b"".join(export.csv_stream(section("transactions"))))

    assert [r["line_total_yuan"] for r in rows] == ["10.00", "5.00"]
    assert {r["order_total_yuan"] for r in rows} == {"15.00"}
    assert {r["refunded_yuan"] for r in rows} == {"15.00"}
    assert all(r["refund_times"].endswith("+08:00") for r in rows)


def test_distributor_columns_are_masked(brand, buy, make_distributor):
    distributor = make_distributor(store_name="小李的枣铺")
    type(distributor).objects.filter(pk=distributor.pk).update(
        business_kind="registered", credit_code="91350100M000100Y43"
    )
    buy("2026-03-02 10:00:00", distributor=distributor)

    (row,) = csv_rows(b"".join(export.csv_stream(section("transactions"))))
    register = csv_rows(b"".join(export.csv_stream(section("distributors"))))

    assert row["distributor_store_name"] == "小李的枣铺"
    assert row["distributor_id_number_masked"] == "110***********002X"
    assert row["distributor_business_kind"] == "registered"
    assert row["distributor_credit_code"] == "91350100M000100Y43"
    (entry,) = register
    assert entry["id_number_masked"] == "110***********002X"
    everything = json.dumps([row, entry], ensure_ascii=False)
    assert "11010519491231002X" not in everything  # the full ID number never leaves
    assert "李四" not in everything  # nor the real name


def complain(order, distributor=None):
    return Complaint.objects.create(
        number="C1",
        order=order,
        customer=order.customer,
        distributor=distributor,
        category="quality",
        text="=枣子发霉了",
        status="resolved",
        filed_at=at("2026-03-04 10:00:00"),
        due_at=at("2026-03-06 10:00:00"),
        first_answered_at=at("2026-03-07 10:00:00"),
        resolved_at=at("2026-03-08 10:00:00"),
        outcome="全额退款",
    )


def test_complaints_with_outcome_and_distributor_complaint_count(brand, buy, make_distributor):
    distributor = make_distributor()
    order = buy("2026-03-03 09:00:00", distributor=distributor)
    complain(order, distributor)

    (row,) = csv_rows(b"".join(export.csv_stream(section("complaints"))))
    (entry,) = csv_rows(b"".join(export.csv_stream(section("distributors"))))

    assert row["complaint_number"] == "C1" and row["order_number"] == order.number
    assert row["status"] == "resolved" and row["outcome"] == "全额退款"
    assert row["first_answer_late"] == "true"
    assert row["text"] == "'=枣子发霉了"  # a spreadsheet must not run it as a formula
    assert entry["complaint_count"] == "1"


def claim(order, **fields):
    """A quality claim decided by the brand, as the regulator export reads it."""
    line = order.lines.get()
    return QualityClaim.objects.create(
        number="Q1",
        order=order,
        order_line=line,
        quantity=1,
        remedy="refund",
        decided_remedy="refund",
        status="refunded",
        description="枣子发霉了",
        refund_fen=line.unit_price_fen,
        requested_at=at("2026-03-05 10:00:00"),
        decided_at=at("2026-03-05 12:00:00"),
        decision_reason="照片可见霉点，全额退款",
        refunded_at=at("2026-03-05 12:05:00"),
        **fields,
    )


def test_quality_claims_with_what_the_brand_decided(brand, buy):
    order = buy("2026-03-03 09:00:00")
    claim(order)

    (row,) = csv_rows(b"".join(export.csv_stream(section("quality_claims"))))

    assert (row["claim_number"], row["order_number"]) == ("Q1", order.number)
    assert (row["remedy_asked"], row["remedy_granted"], row["status"]) == (
        "refund",
        "refund",
        "refunded",
    )
    assert row["decision_reason"] == "照片可见霉点，全额退款"
    assert row["requested_at"] == "2026-03-05T10:00:00+08:00"
    assert int(row["refund_fen"]) == order.lines.get().unit_price_fen
    assert row["complaint_number"] == ""
    assert "枣子发霉了" not in b"".join(export.csv_stream(section("quality_claims"))).decode()


def test_json_parses_and_matches_the_documented_schema(brand, buy, make_distributor):
    distributor = make_distributor()
    complain(buy("2026-03-02 10:00:00", distributor=distributor), distributor)
    claim(buy("2026-03-02 11:00:00"))
    buy("2026-03-03 10:00:00", paid=False)

    document = json.loads(b"".join(export.json_stream(export.Export(RANGE))))

    schema = json.loads((DOCS / "regulator-export.schema.json").read_text())
    try:
        import jsonschema
    except ImportError:
        jsonschema = None
    if jsonschema is not None:
        jsonschema.validate(document, schema)
    assert set(document) == set(schema["required"])
    assert document["range"] == {"from": "2026-03-01", "to": "2026-04-01"}
    for name in ("transactions", "complaints", "quality_claims", "distributors"):
        item_schema = schema["properties"][name]["items"]
        assert document[name], name
        for row in document[name]:
            assert set(row) == set(item_schema["required"]) == set(item_schema["properties"])
            for key, value in row.items():
                allowed = item_schema["properties"][key]["type"]
                allowed = allowed if isinstance(allowed, list) else [allowed]
                python = {
                    "string": str,
                    "integer": int,
                    "boolean": bool,
                    "null": type(None),
                    "array": list,
                }
                assert any(isinstance(value, python[t]) for t in allowed), (name, key, value)
    unpaid = next(r for r in document["transactions"] if r["paid_at"] is None)
    assert unpaid["payment_transaction_id"] is None
    # Every field is documented in the readable schema too.
    readme = (DOCS / "regulator-export.md").read_text()
    for name in (
        *export.TRANSACTION_COLUMNS,
        *export.COMPLAINT_COLUMNS,
        *export.CLAIM_COLUMNS,
        *export.DISTRIBUTOR_COLUMNS,
    ):
        assert f"`{name}`" in readme, name


def test_zip_holds_one_csv_per_section(brand, buy):
    import zipfile

    buy("2026-03-02 10:00:00")
    stream, content_type, filename = export.download(RANGE, "csv")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(stream)))

    assert content_type == "application/zip" and filename.endswith(".zip")
    assert archive.namelist() == [
        "transactions.csv",
        "complaints.csv",
        "quality_claims.csv",
        "distributors.csv",
    ]
    assert len(csv_rows(archive.read("transactions.csv"))) == 1


def test_command_writes_files(brand, buy, tmp_path):
    buy("2026-03-02 10:00:00")
    out = io.StringIO()
    call_command(
        "regulator_export",
        "--from=2026-03-01",
        "--to=2026-04-01",
        "--format=csv",
        f"--out={tmp_path}",
        verbosity=0,
        stdout=out,
    )
    assert len(csv_rows((tmp_path / "transactions.csv").read_bytes())) == 1
    call_command(
        "regulator_export",
        "--from=2026-03-01",
        "--to=2026-04-01",
        "--format=json",
        f"--out={tmp_path}",
        verbosity=0,
        stdout=out,
    )
    (document,) = [json.loads(p.read_bytes()) for p in tmp_path.glob("*.json")]
    assert len(document["transactions"]) == 1


@pytest.mark.parametrize(
    ("start", "end"), [("2026-04-01", "2026-03-01"), ("2026-03-01", "2026-03-01"), ("x", "y")]
)
def test_command_refuses_a_bad_range(db, tmp_path, start, end):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command(
            "regulator_export", f"--from={start}", f"--to={end}", f"--out={tmp_path}", verbosity=0
        )
    assert not list(tmp_path.iterdir())


def _bulk_orders(customer, sku, n: int) -> None:
    """n completed orders of one line each, inserted in bulk SQL for the streaming checks."""
    moment = at("2026-03-15 12:00:00")
    price = sku.list_price_fen
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO orders_order (number, customer_id, status, recipient, phone, address,"
            " city, total_fen, refunded_fen, return_exclusion_confirmed, placed_at, expires_at,"
            " paid_at, carrier, tracking_no, cancel_reason, device_id)"
            " VALUES (%s, %s, 'completed', '张三', '13800000000', '上海市', '上海市', %s, 0,"
            " %s, %s, %s, %s, '', '', '', '')",
            [(f"B{i:08d}", customer.pk, price, False, moment, moment, moment) for i in range(n)],
        )
        cursor.execute(
            "INSERT INTO orders_orderline (order_id, sku_id, product_id, product_name, sku_name,"
            " sku_code, unit_price_fen, quantity, line_total_fen, return_class, returnable,"
            " returned_quantity)"
            " SELECT id, %s, %s, %s, %s, %s, %s, 1, %s, 'normal', %s, 0 FROM orders_order"
            " WHERE number LIKE 'B%%'",
            [sku.pk, sku.product_id, sku.product.name, sku.name, sku.code, price, price, True],
        )


def test_queries_grow_with_chunks_not_rows(brand, customer, sku, django_assert_max_num_queries):
    rows = 3 * export.CHUNK + 5
    _bulk_orders(customer, sku, rows)

    # seller, the line cursor and payments + refunds per chunk (4 chunks), complaints, register
    with django_assert_max_num_queries(14):
        consumed = sum(1 for _ in export.json_stream(export.Export(RANGE)))
    assert consumed > 1


def test_export_streams_in_small_memory(brand, customer, sku):
    _bulk_orders(customer, sku, 12_000)
    with_rows = export.Export(RANGE)

    tracemalloc.start()
    total = 0
    for data in export.json_stream(with_rows):
        total += len(data)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    assert total > 12_000 * 400  # everything came out …
    assert peak < 8 * 1024 * 1024, peak  # … without holding it: ~3 MB of chunks at most


def test_download_is_recorded_in_the_audit_log(staff):
    from weishang.compliance.models import AuditEntry

    export.note_export(actor=staff, rng=RANGE, fmt="json")

    entry = AuditEntry.objects.get()
    assert entry.action == "regulator_export.download"
    assert entry.after == {"from": "2026-03-01", "to": "2026-04-01", "format": "json"}
