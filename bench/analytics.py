"""Analytics at scale: every analytics panel's response time over 10 million orders.

Fills a fresh PostgreSQL database with ``weishang generate`` (COPY; it prints its own orders/s and
how long the rollups took to build), then asks each console page a number of times in-process
through Django's test client, signed in as the owner (the distributor's page as the biggest
distributor), and prints p50 and p95 of the wall time and the median CPU of this process per
request (the server's Python side; PostgreSQL's CPU is not in it). See bench/README.md.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time

from benchdb import ROOT, environment, recreate_postgres

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/weishang_analytics_bench"
TARGET_P95_MS = 300


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--orders", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--distributors", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per panel")
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the database a previous run generated"
    )
    return parser.parse_args(argv)


def generate(args, env) -> list[str]:
    recreate_postgres(args.database_url)
    weishang = [str(ROOT / ".venv" / "bin" / "weishang")]
    subprocess.run([*weishang, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    started = time.perf_counter()
    done = subprocess.run(
        [
            *weishang,
            "generate",
            "--orders",
            str(args.orders),
            "--customers",
            str(args.customers),
            "--distributors",
            str(args.distributors),
            "--seed",
            "11",
        ],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    lines = done.stdout.strip().splitlines()
    lines.append(f"generate, in all: {time.perf_counter() - started:.1f} s")
    return lines


def panels(client_for):
    """(name, client, url) for every panel; the client is signed in as who reads it."""
    import django.contrib.auth
    from django.db.models import Sum

    from weishang.analytics.models import BuyerDay
    from weishang.distribution.models import Distributor

    owner = django.contrib.auth.get_user_model().objects.filter(is_superuser=True).first()
    brand = client_for(owner)
    top_id = (
        BuyerDay.objects.exclude(distributor=0)
        .values("distributor")
        .annotate(s=Sum("gmv_fen"))
        .order_by("-s")
        .values_list("distributor", flat=True)
        .first()
    )
    top = Distributor.objects.select_related("customer__user").get(pk=top_id)
    mine = client_for(top.customer.user)
    return [
        ("home, today", brand, "/console/"),
        ("home, last 30 days", brand, "/console/?period=30d"),
        ("home, last month", brand, "/console/?period=last_month"),
        ("GMV factors, brand, 30 days", brand, "/console/analytics/factors/?period=30d"),
        (
            "GMV factors, top distributor, 30 days",
            brand,
            f"/console/analytics/factors/?period=30d&store={top.slug}",
        ),
        ("funnel, 30 days", brand, "/console/analytics/funnel/?period=30d"),
        ("cohorts, 12 months", brand, "/console/analytics/cohorts/"),
        ("rankings, this month", brand, "/console/analytics/rankings/?period=this_month"),
        ("rankings, last month", brand, "/console/analytics/rankings/?period=last_month"),
        ("health, first page", brand, "/console/analytics/health/?period=30d"),
        ("distributor's own analytics", mine, "/d/analytics/?period=30d"),
    ]


def measure(client, url: str, requests: int) -> tuple[float, float, float, int]:
    response = client.get(url)  # warm-up (and the check that it answers)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    walls, cpus = [], []
    for _ in range(requests):
        wall, cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    walls.sort()
    p95 = walls[max(0, round(0.95 * len(walls)) - 1)]
    return statistics.median(walls), p95, statistics.median(cpus), response.status_code


def main(argv=None):
    args = parse_args(argv)
    env = environment(args.database_url, WEISHANG_ALLOWED_HOSTS="testserver")
    print(
        f"analytics bench: {args.orders:,} orders, {args.customers:,} customers, "
        f"{args.distributors:,} distributors on PostgreSQL"
    )
    if not args.reuse:
        for line in generate(args, env):
            print("  " + line)
    os.environ.update(env)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    # The pages name their static files; the bench serves none, so no collected manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.test import Client

    def client_for(user):
        client = Client()
        client.force_login(user)
        return client

    print(f"\n{'panel':<40} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>8}")
    slow = []
    for name, client, url in panels(client_for):
        p50, p95, cpu, _status = measure(client, url, args.requests)
        print(f"{name:<40} {p50 * 1000:8.0f} {p95 * 1000:8.0f} {cpu * 1000:8.0f}")
        if p95 * 1000 >= TARGET_P95_MS:
            slow.append(name)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_database_size(current_database()))")
        print(f"\ndatabase size: {cursor.fetchone()[0]}")
    print(f"panels at or over p95 {TARGET_P95_MS} ms: {', '.join(slow) or 'none'}")
    reuse = " --reuse" if args.reuse else ""
    print(
        "reproduce: .venv/bin/python bench/analytics.py "
        f"--orders {args.orders} --customers {args.customers} "
        f"--distributors {args.distributors} --requests {args.requests}{reuse}"
    )


if __name__ == "__main__":
    sys.exit(main())
