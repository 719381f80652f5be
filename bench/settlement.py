"""Settlement throughput: how fast ``weishang settle`` makes pending commission available.

Generates N paid, delivered orders past their return window, each with one pending commission
(a brand-expense → pending transfer already posted), straight in SQL; then times the real command
``weishang settle`` (a subprocess, Django start-up included) over several runs, resetting the
commissions to pending between runs, and prints postings/s (median). Each settled commission is
one transfer, i.e. two postings; the figure counts transfers. See bench/README.md.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchdb import ROOT, SRC, environment, recreate_postgres

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/weishang_settle_bench"
DISTRIBUTORS = 500
CUSTOMERS = 5000


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--orders",
        type=int,
        default=0,
        help="orders (default 1,000,000 on PostgreSQL, 20,000 on SQLite)",
    )
    parser.add_argument("--runs", type=int, default=3, help="timed runs (median reported)")
    parser.add_argument(
        "--workers",
        type=int,
        default=0,
        help="parallel settlers (weishang settle --workers); default: as plain weishang settle"
        " chooses (one per CPU, up to 8, on PostgreSQL)",
    )
    parser.add_argument("--sqlite", action="store_true", help="use a fresh SQLite file instead")
    parser.add_argument(
        "--database-url", default=DEFAULT_URL, help="PostgreSQL database to DROP and create afresh"
    )
    args = parser.parse_args(argv)
    if not args.orders:
        args.orders = 20_000 if args.sqlite else 1_000_000
    return args


def reproduce_command(args) -> str:
    parts = [
        ".venv/bin/python bench/settlement.py",
        f"--orders {args.orders}",
        f"--runs {args.runs}",
    ]
    if args.workers:
        parts.append(f"--workers {args.workers}")
    if args.sqlite:
        parts.append("--sqlite")
    elif args.database_url != DEFAULT_URL:
        parts.append(f"--database-url {args.database_url}")
    return " ".join(parts)


def recreate_database(args) -> str:
    if args.sqlite:
        path = ROOT / "var" / "bench" / "settle.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    recreate_postgres(args.database_url)
    return args.database_url


def set_up_django(url: str) -> None:
    os.environ.update(environment(url, WEISHANG_VAR_DIR=str(ROOT / "var" / "bench")))
    sys.path.insert(0, str(SRC))
    import django

    django.setup()


def generate(n: int, delivered_at: datetime) -> None:
    """The people and catalogue through the ORM (small), the orders and their commission in bulk
    INSERT … SELECT statements (large)."""
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction

    from weishang.catalog.models import Category, Product, Sku
    from weishang.commissions import ledger
    from weishang.commissions.models import CommissionPlan
    from weishang.customers.models import Customer
    from weishang.distribution.models import Distributor

    User = get_user_model()
    now = datetime.now(UTC)
    with transaction.atomic():
        category = Category.objects.create(name="红枣", slug="jujube")
        product = Product.objects.create(
            name="若羌灰枣", slug="huizao", category=category, status=Product.Status.PUBLISHED
        )
        sku = Sku.objects.create(product=product, code="HZ-500", name="500g", list_price_fen=3990)
        plan = CommissionPlan.objects.create(version=1, default_rate_bp=500, created_at=now)
        users = User.objects.bulk_create(
            User(username=f"bench{i}") for i in range(CUSTOMERS + DISTRIBUTORS)
        )
        customers = Customer.objects.bulk_create(
            Customer(user=u, mobile=f"139{i:08d}") for i, u in enumerate(users)
        )
        distributors = Distributor.objects.bulk_create(
            Distributor(
                customer=c,
                slug=f"d{i}",
                store_name=f"店{i}",
                real_name="李四",
                id_number="11010519491231002X",
                id_number_masked="110***********002X",
                business_kind="small_trade",
                approved_at=now,
            )
            for i, c in enumerate(customers[CUSTOMERS:])
        )
        ledger.ensure_accounts(d.pk for d in distributors)
        ledger.brand_account("brand_expense")
    first_customer, first_distributor = customers[0].pk, distributors[0].pk
    postgres = connection.vendor == "postgresql"
    seq = (
        "generate_series(1, %s) AS s(i)"
        if postgres
        else "(WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r WHERE i < %s) "
        "SELECT i FROM r) AS s"
    )
    paid_at = delivered_at - timedelta(days=2)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO orders_order (number, customer_id, status, recipient, phone, address,
                city, total_fen, refunded_fen, return_exclusion_confirmed, placed_at, expires_at,
                paid_at, shipped_at, delivered_at, carrier, tracking_no, cancel_reason, device_id,
                distributor_id)
            SELECT 'B' || s.i, {first_customer} + (s.i %% {CUSTOMERS}), 'delivered', '张三',
                '13800000000', '上海市浦东新区世纪大道100号', '上海市', 7980, 0, FALSE, %s, %s,
                %s, %s, %s, 'sf', 'SF' || s.i, '', '',
                {first_distributor} + (s.i %% {DISTRIBUTORS})
            FROM {seq}""",
            [paid_at, paid_at, paid_at, paid_at, delivered_at, n],
        )
        cursor.execute(
            f"""INSERT INTO orders_orderline (order_id, sku_id, product_id, product_name, sku_name,
                sku_code, unit_price_fen, quantity, line_total_fen, return_class, returnable,
                returned_quantity)
            SELECT o.id, {sku.pk}, {product.pk}, '若羌灰枣', '500g', 'HZ-500', 3990, 2, 7980,
                'normal', TRUE, 0
            FROM orders_order o"""
        )
        cursor.execute(
            f"""INSERT INTO commissions_commission (order_id, order_line_id, distributor_id, level,
                plan_id, rule, base_fen, rate_bp, amount_fen, reversed_fen, refunded_base_fen,
                status, hold_reason, review_note, created_at)
            SELECT o.id, l.id, o.distributor_id, 1, {plan.pk}, 'v1:default', 7980, 500, 399, 0, 0,
                'pending', '', '', %s
            FROM orders_order o JOIN orders_orderline l ON l.order_id = o.id""",
            [paid_at],
        )
        cursor.execute(
            """INSERT INTO commissions_transfer (idempotency_key, debit_id, credit_id, amount_fen,
                kind, commission_id, withdrawal_id, memo, created_at)
            SELECT 'paid:' || c.id, e.id, p.id, c.amount_fen, 'earn', c.id, NULL, '', %s
            FROM commissions_commission c
            JOIN commissions_account p ON p.distributor_id = c.distributor_id AND p.kind = 'pending'
            JOIN commissions_account e ON e.distributor_id IS NULL AND e.kind = 'brand_expense'""",
            [paid_at],
        )
    analyse()


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


def reset() -> None:
    """Back to all-pending: the settlement transfers go, the commissions return to pending."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM commissions_transfer WHERE kind = 'settle'")
        cursor.execute("UPDATE commissions_commission SET status = 'pending', settled_at = NULL")
    analyse()


def check(n: int) -> None:
    from weishang.commissions import ledger
    from weishang.commissions.models import Commission, Transfer

    assert Commission.objects.filter(status="available").count() == n, "not every commission moved"
    assert Transfer.objects.filter(kind="settle").count() == n, "a commission moved twice"
    assert sum(ledger.all_balances().values()) == 0, "the ledger does not balance"


def main(argv=None) -> None:
    args = parse_args(argv)
    url = recreate_database(args)
    env = environment(url, WEISHANG_VAR_DIR=str(ROOT / "var" / "bench"))
    weishang = str(ROOT / ".venv" / "bin" / "weishang")
    subprocess.run([weishang, "migrate", "-v0"], env=env, check=True)
    set_up_django(url)
    from django.db import connection

    delivered_at = datetime(2025, 6, 1, 4, 0, tzinfo=UTC)
    settle_now = "2025-06-20T03:00"
    started = time.perf_counter()
    generate(args.orders, delivered_at)
    print(
        f"generated {args.orders:,} delivered orders with pending commission "
        f"({connection.vendor}) in {time.perf_counter() - started:.1f} s"
    )
    rates = []
    for run in range(1, args.runs + 1):
        if run > 1:
            reset()
        connection.close()
        started = time.perf_counter()
        out = subprocess.run(
            [weishang, "settle", "--now", settle_now]
            + (["--workers", str(args.workers)] if args.workers else []),
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        elapsed = time.perf_counter() - started
        moved = int(re.search(r"Settled (\d+)", out).group(1))
        if moved != args.orders:
            raise SystemExit(f"run {run}: settled {moved}, expected {args.orders}")
        check(args.orders)
        again = subprocess.run(
            [weishang, "settle", "--now", settle_now],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        assert "Settled 0 " in again, again
        rates.append(moved / elapsed)
        print(
            f"run {run}: {moved:,} commissions settled in {elapsed:.2f} s = {moved / elapsed:,.0f} "
            f"transfers/s ({2 * moved / elapsed:,.0f} postings/s); a second run moved 0"
        )
    median = statistics.median(rates)
    print(
        f"median: {median:,.0f} transfers/s = {2 * median:,.0f} postings/s "
        f"(one transfer = two postings; Django start-up included)"
    )
    print(f"reproduce: {reproduce_command(args)}")


if __name__ == "__main__":
    main()
