"""The regulator export on 1,000,000 orders: wall time and peak memory of the exporting process.

Set-up (not measured): a fresh PostgreSQL database, migrated; the demo brand through
``load_demo``; customers through ``weishang generate``; a few hundred distributors with the ORM;
then the orders, their lines, payments and refunds written by PostgreSQL itself with
``INSERT … SELECT generate_series`` (the Python generator does ~3,400 rows/s, far too slow here).
The export then runs as a subprocess, ``weishang regulator_export``, and its peak resident memory
is read with ``getrusage(RUSAGE_CHILDREN)`` once it has exited. Target: under 200 MB.

    .venv/bin/python bench/export.py --orders 1000000 --format csv
"""

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdb import ROOT, SRC, environment, recreate_postgres

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/weishang_export_bench"
TARGET_MB = 200
START = "2025-01-01 00:00:00+08"
SPAN_DAYS = 500


def set_up(url: str, *, customers: int, distributors: int) -> None:
    os.environ.update(environment(url))
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_demo", verbosity=0)
    call_command("generate", customers=customers, distributors=0, orders=0, seed=7, verbosity=0)
    make_distributors(distributors)


def make_distributors(n: int) -> None:
    from django.utils import timezone

    from weishang.customers.models import Customer
    from weishang.distribution.models import Distributor

    now = timezone.now()
    # Customers who are not distributors yet (the demo brand brings one of its own).
    people = (
        Customer.objects.filter(distributor__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:n]
    )
    Distributor.objects.bulk_create(
        Distributor(
            customer_id=customer_id,
            slug=f"b{i:05d}",
            store_name=f"枣粉小店 {i}",
            real_name="李四",
            id_number="11010519491231002X",
            id_number_masked="110***********002X",
            business_kind="registered" if i % 4 == 0 else "small_trade",
            credit_code="91350100M000100Y43" if i % 4 == 0 else "",
            approved_at=now,
        )
        for i, customer_id in enumerate(people)
    )


ORDERS_SQL = """
INSERT INTO orders_order (
    id, number, customer_id, status, recipient, phone, address, city, total_fen, refunded_fen,
    return_exclusion_confirmed, placed_at, expires_at, paid_at, shipped_at, carrier, tracking_no,
    delivered_at, completed_at, cancelled_at, cancel_reason, distributor_id, device_id)
SELECT
    %(base)s + g,
    'X' || lpad(g::text, 10, '0'),
    (%(customers)s::bigint[])[1 + g %% cardinality(%(customers)s::bigint[])],
    st.status,
    '张三', '13800138000', '上海市上海市浦东新区世纪大道100号', '上海市',
    t.total, CASE WHEN st.status = 'refunded' THEN t.total ELSE 0 END,
    false, p.placed, p.placed + interval '30 minutes',
    CASE WHEN st.status <> 'cancelled' THEN p.placed + interval '2 minutes' END,
    CASE WHEN st.status IN ('shipped', 'completed') THEN p.placed + interval '1 day' END,
    CASE WHEN st.status IN ('shipped', 'completed') THEN 'sf' ELSE '' END,
    CASE WHEN st.status IN ('shipped', 'completed') THEN 'SF' || lpad(g::text, 13, '0') ELSE '' END,
    CASE WHEN st.status = 'completed' THEN p.placed + interval '3 days' END,
    CASE WHEN st.status = 'completed' THEN p.placed + interval '11 days' END,
    CASE WHEN st.status IN ('cancelled', 'refunded') THEN p.placed + interval '1 hour' END,
    CASE WHEN st.status IN ('cancelled', 'refunded') THEN 'bench' ELSE '' END,
    CASE WHEN g %% 5 < 2
         THEN (%(distributors)s::bigint[])[1 + g %% cardinality(%(distributors)s::bigint[])] END,
    ''
FROM generate_series(1, %(n)s) AS g
CROSS JOIN LATERAL (SELECT CASE
    WHEN g %% 20 < 14 THEN 'completed' WHEN g %% 20 < 16 THEN 'shipped'
    WHEN g %% 20 < 18 THEN 'cancelled' ELSE 'refunded' END AS status) AS st
CROSS JOIN LATERAL (SELECT timestamptz %(start)s
    + (g::double precision / %(n)s * %(span)s) * interval '1 day' AS placed) AS p
CROSS JOIN LATERAL (SELECT
    (%(prices)s::int[])[1 + (g * 7) %% cardinality(%(prices)s::int[])] * (1 + g %% 3)
    + CASE WHEN g %% 3 = 0
      THEN (%(prices)s::int[])[1 + (g * 7 + 13) %% cardinality(%(prices)s::int[])] ELSE 0 END
    AS total) AS t
"""

LINES_SQL = """
INSERT INTO orders_orderline (
    order_id, sku_id, product_id, product_name, sku_name, sku_code, unit_price_fen, quantity,
    line_total_fen, return_class, returnable, returned_quantity)
SELECT o.id, s.sku_id, s.product_id, s.product_name, s.sku_name, s.sku_code, s.price, l.qty,
       s.price * l.qty, 'normal', true, 0
FROM orders_order o
CROSS JOIN LATERAL (SELECT o.id - %(base)s AS g) AS k
CROSS JOIN LATERAL (
    SELECT 0 AS line, 1 + (k.g * 7) %% %(m)s AS idx, 1 + k.g %% 3 AS qty
    UNION ALL
    SELECT 1, 1 + (k.g * 7 + 13) %% %(m)s, 1 WHERE k.g %% 3 = 0) AS l
JOIN (SELECT * FROM unnest(%(sku_ids)s::bigint[], %(product_ids)s::bigint[],
        %(product_names)s::text[], %(sku_names)s::text[], %(sku_codes)s::text[],
        %(prices)s::int[]) WITH ORDINALITY
      AS u(sku_id, product_id, product_name, sku_name, sku_code, price, idx)) AS s
  ON s.idx = l.idx
WHERE o.id > %(base)s
"""

PAYMENTS_SQL = """
INSERT INTO payments_payment (id, number, order_id, provider, amount_fen, status,
    provider_txn_id, payer_account, created_at, paid_at)
SELECT %(pbase)s + (o.id - %(base)s), 'XP' || (o.id - %(base)s), o.id,
       CASE WHEN o.id %% 2 = 0 THEN 'wechatpay' ELSE 'sandbox' END, o.total_fen, 'succeeded',
       'bench_' || o.id, '', o.placed_at + interval '5 seconds', o.paid_at
FROM orders_order o WHERE o.id > %(base)s AND o.paid_at IS NOT NULL
"""

REFUNDS_SQL = """
INSERT INTO payments_refund (number, payment_id, amount_fen, reason, return_number,
    provider_refund_id, status, idempotency_key, attempts, last_error, created_at, confirmed_at)
SELECT 'XR' || p.id, p.id, p.amount_fen, 'order cancelled by customer', '', 'benchr_' || p.id,
       'succeeded', 'XR' || p.id, 1, '', o.cancelled_at, o.cancelled_at
FROM payments_payment p JOIN orders_order o ON o.id = p.order_id
WHERE o.id > %(base)s AND o.status = 'refunded'
"""


def fill_orders(n: int) -> dict[str, int]:
    from django.db import connection

    from weishang.catalog.models import Sku
    from weishang.customers.models import Customer
    from weishang.distribution.models import Distributor
    from weishang.orders.models import Order
    from weishang.payments.models import Payment

    skus = list(
        Sku.objects.filter(is_active=True, product__status="published")
        .order_by("pk")
        .values_list("pk", "product_id", "product__name", "name", "code", "list_price_fen")
    )
    params = {
        "n": n,
        "base": Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "pbase": Payment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "customers": list(Customer.objects.values_list("pk", flat=True)),
        "distributors": list(Distributor.objects.values_list("pk", flat=True)),
        "start": START,
        "span": SPAN_DAYS,
        "m": len(skus),
        "sku_ids": [s[0] for s in skus],
        "product_ids": [s[1] for s in skus],
        "product_names": [s[2] for s in skus],
        "sku_names": [s[3] for s in skus],
        "sku_codes": [s[4] for s in skus],
        "prices": [s[5] for s in skus],
    }
    counts = {}
    with connection.cursor() as cursor:
        for name, statement in (
            ("orders", ORDERS_SQL),
            ("order lines", LINES_SQL),
            ("payments", PAYMENTS_SQL),
            ("refunds", REFUNDS_SQL),
        ):
            started = time.perf_counter()
            cursor.execute(statement, params)
            counts[name] = cursor.rowcount
            print(f"  {name}: {cursor.rowcount:,} rows in {time.perf_counter() - started:.1f} s")
        for table in ("orders_order", "payments_payment"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        cursor.execute("ANALYZE")
    check_totals()
    return counts


def check_totals() -> None:
    """Every order's total is the sum of its lines with the freight added and the coupons taken
    off, as in a real checkout (the demo's own orders have both)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM orders_order o JOIN (SELECT order_id, sum(line_total_fen) s "
            "FROM orders_orderline GROUP BY order_id) l ON l.order_id = o.id "
            "WHERE l.s + o.freight_fen - o.coupon_fen <> o.total_fen"
        )
        (wrong,) = cursor.fetchone()
    if wrong:
        sys.exit(f"{wrong} generated orders do not add up to their lines")


def run_export(url: str, *, start: str, end: str, fmt: str, out: Path) -> tuple[float, float]:
    command = [
        str(ROOT / ".venv" / "bin" / "weishang"),
        "regulator_export",
        f"--from={start}",
        f"--to={end}",
        f"--format={fmt}",
        f"--out={out}",
    ]
    started = time.perf_counter()
    subprocess.run(command, env=environment(url), check=True)
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    return seconds, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--distributors", type=int, default=300)
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--database-url", default=DEFAULT_URL, help="DROPPED and created afresh")
    parser.add_argument("--out", type=Path, default=None, help="default: a temporary directory")
    args = parser.parse_args()

    print(f"Creating {args.database_url} and filling it …")
    started = time.perf_counter()
    recreate_postgres(args.database_url)
    set_up(args.database_url, customers=args.customers, distributors=args.distributors)
    counts = fill_orders(args.orders)
    print(f"Set-up done in {time.perf_counter() - started:.0f} s")

    from django.db import connections

    connections.close_all()
    with tempfile.TemporaryDirectory(prefix="regulator-export-") as tmp:
        out = args.out or Path(tmp)
        seconds, peak_mb = run_export(
            args.database_url, start="2024-12-01", end="2026-12-01", fmt=args.format, out=out
        )
        size = sum(p.stat().st_size for p in out.iterdir())
    verdict = "OK" if peak_mb < TARGET_MB else "OVER TARGET"
    print()
    print(
        f"Regulator export ({args.format}) of {counts['orders']:,} orders, "
        f"{counts['order lines']:,} lines, {counts['payments']:,} payments, "
        f"{counts['refunds']:,} refunds"
    )
    print(f"  wall time        {seconds:.1f} s ({counts['order lines'] / seconds:,.0f} lines/s)")
    print(f"  peak RSS         {peak_mb:.0f} MB (target < {TARGET_MB} MB: {verdict})")
    print(f"  output           {size / 1e6:,.0f} MB")
    print()
    print("Reproduce:")
    print(
        f"  .venv/bin/python bench/export.py --orders {args.orders} --format {args.format}"
        f" --customers {args.customers} --distributors {args.distributors}"
    )


if __name__ == "__main__":
    main()
