"""Full checkouts over HTTP against gunicorn on PostgreSQL: completed orders/s, latency and cost.

A checkout is the two requests a real one makes: the customer places the order
(``POST /checkout/place/``, answered by a redirect to the sandbox pay page) and the payment
provider notifies the payment (``POST /payments/notify/sandbox/``). The script sets everything
up itself (a fresh database, the catalogue, logged-in customers), starts gunicorn, drives it from
a few load processes holding keep-alive connections, checks in the database that every completed
checkout left exactly one paid order and the stock it reserved, and prints the figures with the
command that reproduces them. See bench/README.md.
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from benchdb import ROOT, SRC, environment, recreate_postgres

PAY_PAGE = re.compile(r"^/payments/sandbox/(?P<number>[^/]+)/$")
PLACE_PATH = "/checkout/place/"
NOTIFY_PATH = "/payments/notify/sandbox/"
PAY_SECRET = "bench-sandbox-secret"
STOCK_PER_SKU = 10_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchError(Exception):
    pass


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="measured runs (median reported)")
    parser.add_argument("--checkouts", type=int, default=2000, help="checkouts per run")
    parser.add_argument("--concurrency", type=int, default=16, help="checkouts in flight")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    parser.add_argument("--loaders", type=int, default=2, help="load-generating processes")
    parser.add_argument("--customers", type=int, default=0, help="customers (default 4 per slot)")
    parser.add_argument("--max-seconds", type=float, default=300.0, help="time limit per run")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/weishang_bench",
        help="PostgreSQL database to DROP and create afresh",
    )
    parser.add_argument("--seed", type=int, default=1, help="seed for the basket generator")
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="record gunicorn with py-spy during the runs: a flame graph (.svg) or folded stacks",
    )
    parser.add_argument("--show-queries", action="store_true", help="print one checkout's SQL")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.checkouts < 1 or args.concurrency < 1 or args.loaders < 1:
        parser.error("--runs, --checkouts, --concurrency and --loaders must be at least 1")
    args.loaders = min(args.loaders, args.concurrency)
    args.customers = args.customers or max(4 * args.concurrency, 32)
    return args


def reproduce_command(args) -> str:
    parts = [
        ".venv/bin/python bench/checkout.py",
        f"--runs {args.runs}",
        f"--checkouts {args.checkouts}",
        f"--concurrency {args.concurrency}",
        f"--workers {args.workers}",
        f"--threads {args.threads}",
        f"--loaders {args.loaders}",
    ]
    default_url = parse_args([]).database_url
    if args.database_url != default_url:
        parts.append(f"--database-url {args.database_url}")
    return " ".join(parts)


# Database and data set-up ------------------------------------------------------------------------


def server_environment(args) -> dict[str, str]:
    return environment(
        args.database_url,
        WEISHANG_CONN_MAX_AGE="600",
        WEISHANG_ALLOWED_HOSTS="127.0.0.1,testserver",
        WEISHANG_SANDBOX_PAY_SECRET=PAY_SECRET,
        WEISHANG_VAR_DIR=str(ROOT / "var" / "bench"),
    )


def set_up_django(args) -> None:
    os.environ.update(server_environment(args))
    sys.path.insert(0, str(SRC))
    import django

    django.setup()


def create_catalogue() -> list[tuple[int, int]]:
    """A few published products with two SKUs each and plenty of stock; returns (sku id, price)."""
    from weishang.catalog.models import Brand, Category, Product, Sku
    from weishang.catalog.services import publish_product
    from weishang.inventory.services import set_stock_on_hand

    Brand.objects.create(
        name="枣知道",
        company_name="新疆枣知道农业有限公司",
        business_licence_no="91350100M000100Y43",
        food_licence_no="SC11265010200123",
    )
    category = Category.objects.create(name="红枣", slug="jujube")
    catalogue = []
    for n in range(1, 7):
        product = Product.objects.create(
            name=f"若羌灰枣 {n}", slug=f"bench-{n}", category=category, position=n
        )
        for size, price in (("500g", 2990 + 100 * n), ("1kg", 5490 + 100 * n)):
            sku = Sku.objects.create(
                product=product, code=f"BENCH-{n}-{size}", name=size, list_price_fen=price
            )
            set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=STOCK_PER_SKU, reference="bench")
            catalogue.append((sku.pk, price))
        publish_product(actor=None, product=product)
    return catalogue


def create_customers(count: int) -> list[dict]:
    """Customers with an address and a logged-in session each (set-up, not the measured path)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from weishang.customers.models import Customer
    from weishang.customers.services import add_address

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    customers = []
    for n in range(count):
        mobile = f"139{n:08d}"
        user = get_user_model().objects.create_user(username=f"m{mobile}")
        customer = Customer.objects.create(user=user, mobile=mobile, nickname=f"bench {n}")
        address = add_address(
            customer=customer,
            recipient="张三",
            phone=mobile,
            province="上海市",
            city="上海市",
            district="浦东新区",
            detail=f"世纪大道{n + 1}号",
        )
        session = store_class()
        session[SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        customers.append({"session": session.session_key, "address": address.pk})
    return customers


# One checkout ------------------------------------------------------------------------------------


def basket(rng: random.Random, catalogue: list[tuple[int, int]]) -> tuple[dict[int, int], int]:
    lines = rng.sample(catalogue, rng.randint(1, 3))
    quantities = {sku_id: rng.randint(1, 2) for sku_id, _price in lines}
    return quantities, sum(price * quantities[sku_id] for sku_id, price in lines)


def place_form(customer: dict, quantities: dict[int, int], total: int) -> str:
    fields = {"address": customer["address"], "expected_total_fen": total}
    fields.update({f"qty_{sku_id}": qty for sku_id, qty in quantities.items()})
    return urlencode(fields)


def notification(number: str, total: int) -> tuple[bytes, str]:
    from weishang.payments.providers.sandbox import notification_body, sign

    body = notification_body(
        trade_number=number,
        transaction_id=f"bench_{secrets.token_hex(12)}",
        amount_fen=total,
        paid_at=datetime.now(UTC),
    )
    return body, sign(body, secret=PAY_SECRET)


def payment_number(status: int, location: str | None) -> str | None:
    match = PAY_PAGE.match(urlsplit(location or "").path)
    return match["number"] if status == 302 and match else None


class Failure(Exception):
    def __init__(self, step: str, detail: str):
        super().__init__(f"{step}: {detail}")
        self.step = step


def http_checkout(conn, customer, quantities, total) -> tuple[float, float]:
    """Runs one checkout on a keep-alive connection; returns (place seconds, notify seconds)."""
    csrf = secrets.token_hex(16)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={customer['session']}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
    }
    t0 = time.perf_counter()
    conn.request("POST", PLACE_PATH, place_form(customer, quantities, total), headers)
    response = conn.getresponse()
    content = response.read()
    number = payment_number(response.status, response.getheader("Location"))
    if number is None:
        where = response.getheader("Location") or content[:120].decode(errors="replace")
        raise Failure("place", f"HTTP {response.status} {where}")
    t1 = time.perf_counter()
    body, signature = notification(number, total)
    headers = {"Content-Type": "application/json", "X-Sandbox-Signature": signature}
    conn.request("POST", NOTIFY_PATH, body, headers)
    response = conn.getresponse()
    content = response.read()
    try:
        ok = response.status == 200 and json.loads(content)["code"] == "SUCCESS"
    except (ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise Failure("notify", f"HTTP {response.status} {content[:120].decode(errors='replace')}")
    return t1 - t0, time.perf_counter() - t1


# Load generator ----------------------------------------------------------------------------------


def load_process(port, customers, catalogue, threads, seed, tickets, barrier, deadline, results):
    """One load process: `threads` keep-alive connections, each running checkouts until done."""
    placed_qty: Counter = Counter()
    timings: list[tuple[float, float]] = []
    failures: Counter = Counter()
    samples: dict[str, str] = {}
    placed = 0
    lock = threading.Lock()

    def take_ticket() -> bool:
        with tickets.get_lock():
            if tickets.value <= 0:
                return False
            tickets.value -= 1
            return True

    def loop(index: int):
        nonlocal placed
        rng = random.Random(seed * 1000 + index)
        mine = customers[index::threads] or customers
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        while time.time() < deadline and take_ticket():
            customer = mine[n % len(mine)]
            n += 1
            quantities, total = basket(rng, catalogue)
            try:
                timing = http_checkout(conn, customer, quantities, total)
            except Failure as exc:
                with lock:
                    failures[exc.step] += 1
                    samples.setdefault(exc.step, str(exc))
                    if exc.step == "notify":
                        placed += 1
                        placed_qty.update(quantities)
                continue
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                with lock:
                    failures["connection"] += 1
                    samples.setdefault("connection", repr(exc))
                continue
            with lock:
                timings.append(timing)
                placed += 1
                placed_qty.update(quantities)
        conn.close()

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    barrier.wait()
    cpu_at_start = sum(os.times()[:2])
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    results.put(
        {
            "timings": timings,
            "placed": placed,
            "placed_qty": dict(placed_qty),
            "failures": dict(failures),
            "samples": samples,
            "end": time.time(),
            "cpu": sum(os.times()[:2]) - cpu_at_start,
        }
    )


# Server and CPU accounting -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(args, port: int) -> subprocess.Popen:
    gunicorn = Path(sys.executable).parent / "gunicorn"
    command = [
        str(gunicorn), "weishang.config.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--workers", str(args.workers),
        "--threads", str(args.threads),
        "--worker-class", "gthread",
        "--keep-alive", "5",
        "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=ROOT, env=server_environment(args))
    deadline = time.time() + 60
    while time.time() < deadline:
        if server.poll() is not None:
            raise BenchError(f"gunicorn exited with {server.returncode}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status != 200:
                stop(server)
                raise BenchError(f"the store page answered {response.status}, not 200")
            if len(children(server.pid)) >= args.workers:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop(server)
    raise BenchError("gunicorn did not answer within 60 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the state (3rd) on


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(int(entry.name))
            if fields and int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def cpu_seconds(pids) -> float:
    total = 0
    for pid in pids:
        fields = _stat(pid)
        if fields:
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK_TCK


def postgres_pids(database: str) -> list[int]:
    """The server's own processes (WAL writer, checkpointer…) and the backends of `database`."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if Path(entry, "comm").read_text().strip() != "postgres":
                continue
            raw = Path(entry, "cmdline").read_bytes()
        except OSError:
            continue
        title = raw.replace(b"\0", b" ").decode("utf-8", "replace")
        client = re.search(r" (\S+) (\S+) (\S+\(\d+\)|\[local\])", title)
        if client is None or client[2] == database:
            pids.append(int(entry.name))
    return pids


def machine_busy() -> tuple[float, float]:
    """(busy, total) jiffies of all CPUs since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values[:8]) - idle, sum(values[:8])


class CpuMeter:
    """CPU seconds used by gunicorn, by PostgreSQL's processes, and how busy the machine was."""

    def __init__(self, server_pid: int, database: str):
        self.server_pid = server_pid
        self.database = database

    def snapshot(self) -> dict[str, float]:
        server = [self.server_pid, *children(self.server_pid)]
        busy, total = machine_busy()
        return {
            "server": cpu_seconds(server),
            "postgres": cpu_seconds(postgres_pids(self.database)),
            "busy": busy,
            "total": total,
        }


# Verification ------------------------------------------------------------------------------------


def database_state() -> dict:
    from weishang.inventory.models import Stock
    from weishang.orders.models import Order

    return {
        "last_order": Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "reserved": dict(Stock.objects.values_list("sku_id", "reserved")),
    }


def verify(before: dict, completed: int, placed: int, placed_qty: Counter) -> list[str]:
    """Exactly the completed checkouts are paid, once each, and stock moved by what was placed."""
    from django.db.models import Count, Q, Sum

    from weishang.inventory.models import Stock
    from weishang.orders.models import Order, OrderLine, OrderStatus
    from weishang.payments.models import Payment

    new = Order.objects.filter(pk__gt=before["last_order"])
    problems = []
    counts = new.aggregate(all=Count("pk"), paid=Count("pk", filter=Q(status=OrderStatus.PAID)))
    if counts["all"] != placed:
        problems.append(f"{counts['all']} orders in the database, {placed} placed over HTTP")
    if counts["paid"] != completed:
        problems.append(f"{counts['paid']} orders paid in the database, {completed} completed")
    paid = Payment.objects.filter(order__in=new, status=Payment.Status.SUCCEEDED)
    if paid.count() != completed:
        problems.append(f"{paid.count()} successful payments for {completed} completed checkouts")
    twice = paid.values("order").annotate(n=Count("pk")).filter(n__gt=1).count()
    if twice:
        problems.append(f"{twice} orders paid more than once")
    lines = dict(
        OrderLine.objects.filter(order__in=new)
        .values("sku")
        .annotate(q=Sum("quantity"))
        .values_list("sku", "q")
    )
    for sku_id, reserved in Stock.objects.values_list("sku_id", "reserved"):
        moved = reserved - before["reserved"].get(sku_id, 0)
        if moved != placed_qty.get(sku_id, 0) or moved != lines.get(sku_id, 0):
            problems.append(
                f"SKU {sku_id}: reserved +{moved}, order lines {lines.get(sku_id, 0)}, "
                f"placed over HTTP {placed_qty.get(sku_id, 0)}"
            )
    return problems


# Measuring ---------------------------------------------------------------------------------------


def count_queries(customer: dict, catalogue, show: bool) -> tuple[int, int]:
    """Queries of one checkout through Django's test client, in this process (not measured)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = customer["session"]
    quantities, total = basket(random.Random(0), catalogue)
    data = dict(
        address=customer["address"],
        expected_total_fen=total,
        **{f"qty_{sku_id}": qty for sku_id, qty in quantities.items()},
    )
    with CaptureQueriesContext(connection) as place_queries:
        response = client.post(PLACE_PATH, data)
    number = payment_number(response.status_code, response.headers.get("Location"))
    if number is None:
        hint = (
            " — the storefront's place view is not there yet (src/weishang/storefront/urls.py)"
            if response.status_code == 404
            else ""
        )
        raise BenchError(f"POST {PLACE_PATH} answered {response.status_code}{hint}")
    body, signature = notification(number, total)
    with CaptureQueriesContext(connection) as notify_queries:
        response = client.post(
            NOTIFY_PATH, body, content_type="application/json", HTTP_X_SANDBOX_SIGNATURE=signature
        )
    if response.status_code != 200:
        raise BenchError(
            f"POST {NOTIFY_PATH} answered {response.status_code}: {response.content!r}"
        )
    if show:
        for name, queries in (("place", place_queries), ("notify", notify_queries)):
            print(f"-- {name}: {len(queries)} queries")
            for query in queries:
                print("  ", query["sql"][:200])
    return len(place_queries), len(notify_queries)


def transactions() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT xact_commit + xact_rollback FROM pg_stat_database"
            " WHERE datname = current_database()"
        )
        return cursor.fetchone()[0]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def run_once(args, port, customers, catalogue, meter, run_no) -> dict:
    ctx = mp.get_context("spawn")
    tickets = ctx.Value("i", args.checkouts)
    barrier = ctx.Barrier(args.loaders + 1)
    results = ctx.Queue()
    deadline = time.time() + args.max_seconds + 10  # the load processes need a moment to start
    loaders = []
    for i in range(args.loaders):
        threads = args.concurrency // args.loaders + (i < args.concurrency % args.loaders)
        mine = customers[i :: args.loaders]
        proc_args = (port, mine, catalogue, threads, args.seed * 100 + run_no * 10 + i, tickets,
                     barrier, deadline, results)  # fmt: skip
        loaders.append(ctx.Process(target=load_process, args=proc_args, daemon=True))
    for loader in loaders:
        loader.start()
    before_db = database_state()
    barrier.wait(timeout=60)
    cpu_before = meter.snapshot()
    started = time.time()
    outcomes = [results.get(timeout=args.max_seconds + 120) for _ in loaders]
    cpu_after = meter.snapshot()
    for loader in loaders:
        loader.join()
    elapsed = max(o["end"] for o in outcomes) - started
    timings = [t for o in outcomes for t in o["timings"]]
    placed_qty = sum((Counter(o["placed_qty"]) for o in outcomes), Counter())
    failures = sum((Counter(o["failures"]) for o in outcomes), Counter())
    samples = {k: v for o in outcomes for k, v in o["samples"].items()}
    completed = len(timings)
    placed = sum(o["placed"] for o in outcomes)
    cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_after}
    per = max(completed, 1)
    return {
        "completed": completed,
        "failed": sum(failures.values()),
        "failures": failures,
        "samples": samples,
        "elapsed": elapsed,
        "rate": completed / elapsed if elapsed else 0.0,
        "p50": percentile([p + n for p, n in timings], 50) * 1000,
        "p95": percentile([p + n for p, n in timings], 95) * 1000,
        "place_p50": percentile([p for p, _n in timings], 50) * 1000,
        "notify_p50": percentile([n for _p, n in timings], 50) * 1000,
        "server_cpu": cpu["server"] / per,
        "postgres_cpu": cpu["postgres"] / per,
        "load_cpu": sum(o["cpu"] for o in outcomes) / per,
        "busy": cpu["busy"] / cpu["total"] if cpu["total"] else 0.0,
        # CPU the machine spent on processes that are not part of the benchmark
        "others": max(cpu["busy"] - (cpu["server"] + cpu["postgres"]) * CLK_TCK, 0) / CLK_TCK
        - sum(o["cpu"] for o in outcomes),
        "problems": verify(before_db, completed, placed, placed_qty),
    }


def describe(run: dict) -> str:
    text = (
        f"{run['completed']} completed, {run['failed']} failed in {run['elapsed']:.2f} s"
        f" -> {run['rate']:.1f} orders/s; checkout p50 {run['p50']:.1f} ms, p95 {run['p95']:.1f} ms"
        f" (place p50 {run['place_p50']:.1f} ms, notify p50 {run['notify_p50']:.1f} ms);"
        f" CPU per checkout: gunicorn {run['server_cpu'] * 1000:.1f} ms,"
        f" postgres {run['postgres_cpu'] * 1000:.1f} ms,"
        f" load generator {run['load_cpu'] * 1000:.1f} ms;"
        f" machine {run['busy']:.0%} busy"
    )
    others = run["others"] / (run["elapsed"] * (os.cpu_count() or 1))
    if others > 0.05:
        text += f"\n    other processes took {others:.0%} of the machine: figures are disturbed"
    for step, n in sorted(run["failures"].items()):
        text += f"\n    {n} x {run['samples'].get(step, step)}"
    for problem in run["problems"]:
        text += f"\n    NOT CONSISTENT: {problem}"
    return text


def main(argv=None) -> int:
    args = parse_args(argv)
    t0 = time.perf_counter()
    recreate_postgres(args.database_url)
    set_up_django(args)
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0, interactive=False)
    # As at a production deploy: the pages' {% static %} reads the manifest collectstatic writes.
    call_command("collectstatic", verbosity=0, interactive=False)
    catalogue = create_catalogue()
    customers = create_customers(args.customers)
    print(
        f"set-up: database {urlsplit(args.database_url).path.lstrip('/')} created and migrated,"
        f" {len(catalogue)} SKUs, {len(customers)} customers logged in,"
        f" {time.perf_counter() - t0:.1f} s"
    )
    place_q, notify_q = count_queries(customers[0], catalogue, args.show_queries)
    print(f"queries per checkout: {place_q + notify_q} (place {place_q}, notify {notify_q})")

    version = connection.cursor().connection.info.server_version
    port = free_port()
    xacts_before = transactions()
    server = start_gunicorn(args, port)
    profiler = None
    runs = []
    try:
        meter = CpuMeter(server.pid, urlsplit(args.database_url).path.lstrip("/"))
        print(
            f"gunicorn gthread {args.workers} workers x {args.threads} threads on 127.0.0.1:{port},"
            f" PostgreSQL {version // 10000}.{version % 10000}, {os.cpu_count()} CPUs;"
            f" {args.concurrency} checkouts in flight from {args.loaders} load processes"
        )
        warm_up = run_once(
            argparse.Namespace(**{**vars(args), "checkouts": 4 * args.concurrency}),
            port, customers, catalogue, meter, 0,
        )  # fmt: skip
        print(f"warm-up: {warm_up['completed']} completed, {warm_up['failed']} failed")
        if args.profile:
            workers = children(server.pid)
            profiler = subprocess.Popen(
                [str(Path(sys.executable).parent / "py-spy"), "record", "-o", args.profile,
                 "--format", "flamegraph" if args.profile.endswith(".svg") else "raw",
                 "--pid", str(server.pid), "--subprocesses", "--rate", "250"],
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            time.sleep(1.0)
            print(f"profiling {len(workers)} workers with py-spy into {args.profile}")
        total_checkouts = warm_up["completed"] + warm_up["failed"] + 1
        for n in range(1, args.runs + 1):
            run = run_once(args, port, customers, catalogue, meter, n)
            runs.append(run)
            total_checkouts += run["completed"] + run["failed"]
            print(f"run {n}: {describe(run)}", flush=True)
    finally:
        if profiler:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        stop(server)
    time.sleep(1.0)  # the server's backends have exited and flushed their statistics
    xacts = transactions() - xacts_before

    print(
        f"median of {len(runs)} runs: {statistics.median(r['rate'] for r in runs):.1f} orders/s;"
        f" checkout p50 {statistics.median(r['p50'] for r in runs):.1f} ms,"
        f" p95 {statistics.median(r['p95'] for r in runs):.1f} ms;"
        f" server CPU {statistics.median(r['server_cpu'] for r in runs) * 1000:.1f} ms/checkout,"
        f" postgres CPU {statistics.median(r['postgres_cpu'] for r in runs) * 1000:.1f}"
        " ms/checkout;"
        f" queries {place_q + notify_q}/checkout,"
        f" transactions {xacts / total_checkouts:.1f}/checkout"
    )
    cost = statistics.median(r["server_cpu"] + r["postgres_cpu"] + r["load_cpu"] for r in runs)
    print(
        f"CPU-bound ceiling: {os.cpu_count()} CPUs / {cost * 1000:.1f} ms of CPU per checkout"
        f" (gunicorn + postgres + load generator) = {(os.cpu_count() or 1) / cost:.0f} orders/s"
    )
    consistent = all(not r["problems"] for r in runs)
    failed = sum(r["failed"] for r in runs)
    print(
        "verified: every completed checkout is exactly one paid order and its reserved stock"
        if consistent
        else "NOT CONSISTENT: see the runs above"
    )
    print(f"reproduce: {reproduce_command(args)}")
    return 0 if consistent and not failed else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
