"""Full checkouts over HTTP against gunicorn on PostgreSQL: completed orders/s, latency and cost.

A checkout is the two requests a real one makes: the customer places the order
(``POST /checkout/place/``, answered by a redirect to the sandbox pay page) and the payment
provider notifies the payment (``POST /payments/notify/sandbox/``). The script sets everything
up itself (a fresh database, the catalogue, logged-in customers), starts gunicorn, drives it from
a few load processes holding keep-alive connections, checks in the database that every completed
checkout left exactly one paid order and the stock it reserved, and prints the figures with the
command that reproduces them. The ``loyalty`` scenario prices every checkout with a coupon and
points (docs/pricing.md) and checks that too. See bench/README.md.
"""

import argparse
import contextlib
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
from typing import NamedTuple
from urllib.parse import urlencode, urlsplit

import pgbouncer
from benchdb import ROOT, SRC, environment, recreate_postgres

PAY_PAGE = re.compile(r"^/payments/sandbox/(?P<number>[^/]+)/$")
PLACE_PATH = "/checkout/place/"
NOTIFY_PATH = "/payments/notify/sandbox/"
PAY_SECRET = "bench-sandbox-secret"
STOCK_PER_SKU = 10_000_000
CLK_TCK = os.sysconf("SC_CLK_TCK")
SCENARIOS = ("plain", "loyalty")
# A basket: 1 to MOST_LINES different SKUs, 1 to MOST_UNITS units each.
MOST_LINES = 3
MOST_UNITS = 2
# The loyalty scenario's coupon (¥5 off from ¥30, not stackable) and the share points may pay.
COUPON_OFF_FEN = 500
COUPON_THRESHOLD_FEN = 3000
POINTS_MAX_SHARE_BP = 1000


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
        "--scenario",
        choices=SCENARIOS,
        default="plain",
        help="plain: the goods' price; loyalty: every checkout uses a coupon and points",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        help="record gunicorn with py-spy during the runs: a flame graph (.svg) or folded stacks",
    )
    parser.add_argument("--show-queries", action="store_true", help="print one checkout's SQL")
    parser.add_argument(
        "--summary",
        metavar="FILE",
        help="also write the medians as JSON (bench/saleor/side_by_side.py reads them)",
    )
    parser.add_argument(
        "--pgbouncer",
        type=int,
        default=0,
        metavar="POOL",
        help="serve through PgBouncer in transaction mode with at most POOL server connections",
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.checkouts < 1 or args.concurrency < 1 or args.loaders < 1:
        parser.error("--runs, --checkouts, --concurrency and --loaders must be at least 1")
    args.loaders = min(args.loaders, args.concurrency)
    args.customers = args.customers or max(4 * args.concurrency, 32)
    if args.scenario == "loyalty" and args.customers < args.concurrency:
        # Each connection needs customers of its own: two checkouts of one customer at once would
        # count on the same coupon, and the second would be refused.
        parser.error("the loyalty scenario needs at least as many --customers as --concurrency")
    return args


def reproduce_command(args) -> str:
    parts = [
        ".venv/bin/python bench/checkout.py",
        f"--scenario {args.scenario}",
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
    if args.pgbouncer:
        parts.append(f"--pgbouncer {args.pgbouncer}")
    return " ".join(parts)


# Database and data set-up ------------------------------------------------------------------------


def server_environment(args) -> dict[str, str]:
    return environment(
        getattr(args, "server_database_url", None) or args.database_url,
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


class CatalogueSku(NamedTuple):
    sku_id: int
    price_fen: int
    product_id: int
    category_id: int


def catalogue_plan() -> list[tuple[int, list[tuple[str, int]]]]:
    """The products (1–6) and each one's SKUs as (size, price in fen); the Saleor side-by-side
    makes the same catalogue in Saleor."""
    return [(n, [("500g", 2990 + 100 * n), ("1kg", 5490 + 100 * n)]) for n in range(1, 7)]


def create_catalogue() -> list[CatalogueSku]:
    """A few published products with two SKUs each and plenty of stock."""
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
    for n, skus in catalogue_plan():
        product = Product.objects.create(
            name=f"若羌灰枣 {n}", slug=f"bench-{n}", category=category, position=n
        )
        for size, price in skus:
            sku = Sku.objects.create(
                product=product, code=f"BENCH-{n}-{size}", name=size, list_price_fen=price
            )
            set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=STOCK_PER_SKU, reference="bench")
            catalogue.append(CatalogueSku(sku.pk, price, product.pk, category.pk))
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
        customers.append(
            {"session": session.session_key, "address": address.pk, "customer_id": customer.pk}
        )
    return customers


# The loyalty scenario ----------------------------------------------------------------------------


class Loyalty(NamedTuple):
    """What the load processes need to price a loyalty checkout as the server does."""

    template_id: int
    coupon: object  # the scenario's coupon as the pure rules see it (coupon_rules.CouponTerms)
    fen_per_point: int
    points_max_share_bp: int


class Quote(NamedTuple):
    total_fen: int
    coupon_fen: int
    points: int


def loyalty_quote(
    quantities: dict[int, int],
    skus: dict[int, CatalogueSku],
    *,
    coupons,
    loyalty: Loyalty,
    discount_bp: int,
    points_balance: int,
) -> Quote:
    """What the pricing rule (docs/pricing.md) charges for a basket placed with ``use_points=on``
    by a customer holding ``coupons`` (CouponTerms) and ``points_balance`` points: the member
    discount, his best coupons on what it leaves, then as many points as the brand's share of
    what is left and his balance allow. Freight is free (the bench sets no freight template)."""
    from weishang.loyalty.coupon_rules import CouponLine, apply_coupons, best_coupons
    from weishang.orders.pricing import after_member_discount, points_usable, price_lines

    totals = {sku_id: skus[sku_id].price_fen * qty for sku_id, qty in quantities.items()}
    after = after_member_discount(totals, discount_bp)
    lines = [
        CouponLine(sku_id, skus[sku_id].product_id, skus[sku_id].category_id, fen)
        for sku_id, fen in after.items()
    ]
    coupon_fen = apply_coupons(best_coupons(coupons, lines), lines)
    left = sum(after.values()) - sum(coupon_fen.values())
    points = points_usable(
        spendable=points_balance,
        left_fen=left,
        max_share_bp=loyalty.points_max_share_bp,
        fen_per_point=loyalty.fen_per_point,
    )
    priced = price_lines(
        totals,
        discount_bp=discount_bp,
        coupon_fen=coupon_fen,
        points_fen=points * loyalty.fen_per_point,
    )
    return Quote(sum(line.paid_fen for line in priced.values()), sum(coupon_fen.values()), points)


def coupons_per_customer(checkouts: int, customers: int) -> int:
    """Unused coupons each customer holds when a run of ``checkouts`` starts: four times his
    share and two more, since gunicorn serves some keep-alive connections much faster than others;
    a connection that still uses up its customers' coupons stops, and the others take its
    checkouts."""
    return -(-4 * checkouts // customers) + 2


def set_up_loyalty(args, customers: list[dict], catalogue: list[CatalogueSku]) -> Loyalty:
    """Points pay at most 10 %; a ¥5-off-from-¥30 coupon template, not stackable; every customer
    one grant of points enough for every checkout of the bench at its dearest, his member
    discount, and his first coupons (through the loyalty services, not measured)."""
    from django.db import transaction
    from django.utils import timezone

    from weishang.commissions import ledger
    from weishang.commissions.models import Account
    from weishang.loyalty import coupons, tiers
    from weishang.loyalty.models import Coupon, CouponKind, CouponScope, LoyaltySettings
    from weishang.loyalty.points import grant_points
    from weishang.loyalty.settings import update_points_settings

    now = timezone.now()
    current = LoyaltySettings.current()
    settings = update_points_settings(
        actor=None,
        points_per_yuan=current.points_per_yuan,
        fen_per_point=current.fen_per_point,
        points_valid_days=current.points_valid_days,
        tier_window_days=current.tier_window_days,
        points_max_share_bp=POINTS_MAX_SHARE_BP,
    )
    rounds = [1, 4 * args.concurrency] + [args.checkouts] * args.runs  # queries, warm-up, runs
    limit = sum(coupons_per_customer(n, len(customers)) for n in rounds)
    if limit > 32767:  # the template's per-customer limit is a small integer
        raise BenchError("too many checkouts per customer for the coupons: raise --customers")
    template = coupons.save_coupon_template(
        actor=None,
        terms={
            "name": "满30减5",
            "kind": CouponKind.AMOUNT_OFF,
            "amount_off_fen": COUPON_OFF_FEN,
            "threshold_fen": COUPON_THRESHOLD_FEN,
            "scope": CouponScope.ALL,
            "valid_days": 365,
            "per_customer_limit": limit,
            "quota": None,
            "stackable": False,
            "claimable": False,
        },
        now=now,
    )
    dearest = MOST_UNITS * sum(sorted(sku.price_fen for sku in catalogue)[-MOST_LINES:])
    points = sum(rounds) * (dearest * POINTS_MAX_SHARE_BP // 10_000 // settings.fen_per_point)
    with transaction.atomic():
        for customer in customers:
            grant_points(
                customer_id=customer["customer_id"],
                points=points,
                key=f"bench:{customer['customer_id']}",
                reason="benchmark",
                now=now,
            )
    # The brand's account of redeemed points, made by the first order ever paid with points: made
    # here, so that the checkout whose queries are counted is like every later one.
    ledger.brand_account(Account.Kind.POINTS_REDEEMED)
    for customer in customers:
        customer["discount_bp"] = tiers.member_discount_bp(customer["customer_id"])
    loyalty = Loyalty(template.pk, None, settings.fen_per_point, settings.points_max_share_bp)
    top_up(customers, loyalty, 1)
    coupon = coupons.terms_of(Coupon.objects.filter(template=template).first())
    return loyalty._replace(coupon=coupon)


def top_up(customers: list[dict], loyalty: Loyalty, checkouts: int) -> None:
    """Before a run (not measured): each customer holds ``coupons_per_customer`` unused coupons of
    the scenario, issued with ``issue_coupon``; his dict learns how many and his points."""
    from django.db import transaction
    from django.db.models import Count, Q
    from django.utils import timezone

    from weishang.loyalty.coupons import issue_coupon
    from weishang.loyalty.models import Coupon, CouponSource
    from weishang.loyalty.points import spendable_points

    now = timezone.now()
    level = coupons_per_customer(checkouts, len(customers))
    with transaction.atomic():
        held = {
            customer_id: (issued, unused)
            for customer_id, issued, unused in Coupon.objects.filter(template=loyalty.template_id)
            .values("customer")
            .annotate(issued=Count("pk"), unused=Count("pk", filter=Q(used_at__isnull=True)))
            .values_list("customer", "issued", "unused")
        }
        for customer in customers:
            customer_id = customer["customer_id"]
            issued, unused = held.get(customer_id, (0, 0))
            for n in range(issued, issued + level - unused):
                issue_coupon(
                    template_id=loyalty.template_id,
                    customer_id=customer_id,
                    source=CouponSource.BY_HAND,
                    key=f"bench:{customer_id}:{n}",
                    now=now,
                )
            customer["coupons"] = max(level, unused)
            customer["points"] = spendable_points(customer_id, now)


# One checkout ------------------------------------------------------------------------------------


def basket(rng: random.Random, catalogue: list[CatalogueSku]) -> tuple[dict[int, int], int]:
    lines = rng.sample(catalogue, rng.randint(1, MOST_LINES))
    quantities = {sku.sku_id: rng.randint(1, MOST_UNITS) for sku in lines}
    return quantities, sum(sku.price_fen * quantities[sku.sku_id] for sku in lines)


def place_form(customer: dict, quantities: dict[int, int], total: int, loyalty=None) -> str:
    fields = {"address": customer["address"], "expected_total_fen": total}
    if loyalty:
        fields["use_points"] = "on"  # and the best coupons, the default
    fields.update({f"qty_{sku_id}": qty for sku_id, qty in quantities.items()})
    return urlencode(fields)


def quoted(customer: dict, quantities, skus, loyalty) -> Quote | None:
    """The loyalty scenario's price of the basket for this customer (None in the plain one)."""
    if loyalty is None:
        return None
    return loyalty_quote(
        quantities,
        skus,
        coupons=[loyalty.coupon] if customer["coupons"] else [],
        loyalty=loyalty,
        discount_bp=customer["discount_bp"],
        points_balance=customer["points"],
    )


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


def http_checkout(conn, customer, quantities, total, loyalty=None) -> tuple[float, float]:
    """Runs one checkout on a keep-alive connection; returns (place seconds, notify seconds)."""
    csrf = secrets.token_hex(16)
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"sessionid={customer['session']}; csrftoken={csrf}",
        "X-CSRFToken": csrf,
    }
    t0 = time.perf_counter()
    conn.request("POST", PLACE_PATH, place_form(customer, quantities, total, loyalty), headers)
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


def load_process(
    port, customers, catalogue, threads, seed, tickets, barrier, deadline, results, loyalty=None
):
    """One load process: `threads` keep-alive connections, each running checkouts until done.
    In the loyalty scenario a connection prices each basket as the server will, for its
    customers' coupons and points, and stops when none of its customers holds a coupon."""
    placed_qty: Counter = Counter()
    timings: list[tuple[float, float]] = []
    failures: Counter = Counter()
    samples: dict[str, str] = {}
    placed = 0
    dry = 0
    lock = threading.Lock()
    skus = {sku.sku_id: sku for sku in catalogue}

    def take_ticket() -> bool:
        with tickets.get_lock():
            if tickets.value <= 0:
                return False
            tickets.value -= 1
            return True

    def spent(mine: list[dict], customer: dict, quote: Quote | None) -> None:
        """A placed order used one of the customer's coupons and the points quoted."""
        if quote is not None:
            customer["coupons"] -= 1
            customer["points"] -= quote.points
            if not customer["coupons"]:
                mine.remove(customer)

    def loop(index: int):
        nonlocal placed, dry
        rng = random.Random(seed * 1000 + index)
        mine = customers[index::threads] or customers
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        n = 0
        while mine and time.time() < deadline and take_ticket():
            customer = mine[n % len(mine)]
            n += 1
            quantities, total = basket(rng, catalogue)
            quote = quoted(customer, quantities, skus, loyalty)
            total = quote.total_fen if quote else total
            try:
                timing = http_checkout(conn, customer, quantities, total, loyalty)
            except Failure as exc:
                with lock:
                    failures[exc.step] += 1
                    samples.setdefault(exc.step, str(exc))
                    if exc.step == "notify":
                        placed += 1
                        placed_qty.update(quantities)
                        spent(mine, customer, quote)
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
                spent(mine, customer, quote)
        if not mine:
            with lock, tickets.get_lock():
                dry += tickets.value > 0
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
            "dry": dry,
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


def start_folder(args) -> subprocess.Popen:
    """``weishang fold_rollups --every 1``, as beside gunicorn in production: it counts the paid
    orders in the analytics rollups after their payments (its CPU is part of a checkout's)."""
    weishang = Path(sys.executable).parent / "weishang"
    return subprocess.Popen(
        [str(weishang), "fold_rollups", "--every", "1"], cwd=ROOT, env=server_environment(args)
    )


def wait_folded(timeout: float = 120.0) -> None:
    """Until the folder has counted every paid order (the last second's are still queued)."""
    from weishang.analytics.models import UnfoldedOrder

    deadline = time.time() + timeout
    while UnfoldedOrder.objects.exists():
        if time.time() > deadline:
            raise BenchError(f"paid orders still queued for the rollups after {timeout:.0f} s")
        time.sleep(0.2)


class ConnectionPeak:
    """The most connections PostgreSQL held to the database at once while it watched (every
    50 ms, from pg_stat_activity, its own left out)."""

    def __init__(self, url: str):
        self.url, self.peak = url, 0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as watcher:
            while not self._done.is_set():
                (count,) = watcher.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                ).fetchone()
                self.peak = max(self.peak, count)
                time.sleep(0.05)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._done.set()
        self._thread.join(timeout=5)


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

    def __init__(self, server_pid: int, database: str, folder_pid: int | None = None):
        self.server_pid = server_pid
        self.database = database
        self.folder_pid = folder_pid

    def snapshot(self) -> dict[str, float]:
        server = [self.server_pid, *children(self.server_pid)]
        busy, total = machine_busy()
        return {
            "server": cpu_seconds(server),
            "fold": cpu_seconds([self.folder_pid] if self.folder_pid else []),
            "postgres": cpu_seconds(postgres_pids(self.database)),
            "busy": busy,
            "total": total,
        }


# Verification ------------------------------------------------------------------------------------


def database_state() -> dict:
    from django.db.models import Sum

    from weishang.analytics.models import SalesDay
    from weishang.inventory.models import Stock
    from weishang.orders.models import Order

    return {
        "last_order": Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0,
        "counted": SalesDay.objects.aggregate(n=Sum("orders", default=0))["n"],
        "reserved": dict(Stock.objects.values_list("sku_id", "reserved")),
        "points": points_balances(),
    }


def points_balances() -> dict[int, int]:
    """Each customer's points balance in the ledger."""
    from weishang.commissions import ledger
    from weishang.commissions.models import Account

    return {
        customer_id: balance
        for (_distributor, customer_id, kind), balance in ledger.all_balances().items()
        if kind == Account.Kind.CUSTOMER_POINTS
    }


def verify(
    before: dict,
    completed: int,
    placed: int,
    placed_qty: Counter,
    loyalty: Loyalty | None = None,
    customers=(),
    catalogue=(),
) -> list[str]:
    """Exactly the completed checkouts are paid, once each, and stock moved by what was placed;
    in the loyalty scenario also what ``verify_loyalty`` checks."""
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
    counted = database_state()["counted"] - before["counted"]
    if counted != completed:
        problems.append(f"the analytics rollups count {counted} orders, {completed} were paid")
    if loyalty is not None:
        problems += verify_loyalty(before, new, loyalty, customers, catalogue)
    return problems


def verify_loyalty(before: dict, new, loyalty: Loyalty, customers, catalogue) -> list[str]:
    """Every order placed used exactly one coupon and was priced as the rule says (its coupon,
    points and total), each customer's points fell by exactly the points of his orders and none
    went negative, and every asset of the ledger balances."""
    from collections import defaultdict

    from django.db.models import Count

    from weishang.commissions import ledger
    from weishang.loyalty.models import Coupon
    from weishang.orders.models import OrderLine

    problems = []
    orders = list(
        new.values_list(
            "pk", "number", "customer_id", "coupon_fen", "points", "points_fen", "total_fen"
        ).order_by("pk")
    )
    used = dict(
        Coupon.objects.filter(order_number__in=[o[1] for o in orders])
        .values("order_number")
        .annotate(n=Count("pk"))
        .values_list("order_number", "n")
    )
    not_one = sum(1 for o in orders if used.get(o[1], 0) != 1)
    if not_one:
        problems.append(f"{not_one} of {len(orders)} orders did not use exactly one coupon")
    baskets = defaultdict(dict)
    for order_id, sku_id, quantity in OrderLine.objects.filter(order__in=new).values_list(
        "order_id", "sku_id", "quantity"
    ):
        baskets[order_id][sku_id] = quantity
    by_id = {customer["customer_id"]: customer for customer in customers}
    skus = {sku.sku_id: sku for sku in catalogue}
    spent = Counter()
    mispriced = []
    for pk, number, customer_id, coupon_fen, points, points_fen, total in orders:
        customer = by_id[customer_id]
        # His balance when the run started bounds what he had at each order: ample by set-up.
        quote = loyalty_quote(
            baskets[pk],
            skus,
            coupons=[loyalty.coupon],
            loyalty=loyalty,
            discount_bp=customer["discount_bp"],
            points_balance=customer["points"],
        )
        spent[customer_id] += points
        if (coupon_fen, points, points_fen, total) != (
            quote.coupon_fen,
            quote.points,
            quote.points * loyalty.fen_per_point,
            quote.total_fen,
        ):
            mispriced.append(
                f"{number} (coupon {coupon_fen}, {points} points, total {total};"
                f" the rule: {quote.coupon_fen}, {quote.points}, {quote.total_fen})"
            )
    if mispriced:
        problems.append(f"{len(mispriced)} orders not priced as the rule says: {mispriced[0]}")
    after = points_balances()
    for customer_id, balance in after.items():
        fell = before["points"].get(customer_id, 0) - balance
        if fell != spent[customer_id]:
            problems.append(
                f"customer {customer_id}: points fell by {fell},"
                f" his orders used {spent[customer_id]}"
            )
        if balance < 0:
            problems.append(f"customer {customer_id}: {balance} points")
    unbalanced = {asset: total for asset, total in ledger.asset_totals().items() if total}
    if unbalanced:
        problems.append(f"the ledger does not balance: {unbalanced}")
    return problems


# Measuring ---------------------------------------------------------------------------------------


def count_queries(customer: dict, catalogue, show: bool, loyalty=None) -> tuple[int, int]:
    """Queries of one checkout through Django's test client, in this process (not measured)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.cookies["sessionid"] = customer["session"]
    quantities, total = basket(random.Random(0), catalogue)
    quote = quoted(customer, quantities, {sku.sku_id: sku for sku in catalogue}, loyalty)
    total = quote.total_fen if quote else total
    data = place_form(customer, quantities, total, loyalty)
    with CaptureQueriesContext(connection) as place_queries:
        response = client.post(PLACE_PATH, data, content_type="application/x-www-form-urlencoded")
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


def run_once(args, port, customers, catalogue, meter, run_no, loyalty=None) -> dict:
    if loyalty is not None:
        top_up(customers, loyalty, args.checkouts)
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
                     barrier, deadline, results, loyalty)  # fmt: skip
        loaders.append(ctx.Process(target=load_process, args=proc_args, daemon=True))
    for loader in loaders:
        loader.start()
    before_db = database_state()
    barrier.wait(timeout=60)
    cpu_before = meter.snapshot()
    started = time.time()
    outcomes = [results.get(timeout=args.max_seconds + 120) for _ in loaders]
    wait_folded()
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
        "fold_cpu": cpu["fold"] / per,
        "postgres_cpu": cpu["postgres"] / per,
        "load_cpu": sum(o["cpu"] for o in outcomes) / per,
        "busy": cpu["busy"] / cpu["total"] if cpu["total"] else 0.0,
        # CPU the machine spent on processes that are not part of the benchmark
        "others": max(cpu["busy"] - (cpu["server"] + cpu["fold"] + cpu["postgres"]) * CLK_TCK, 0)
        / CLK_TCK
        - sum(o["cpu"] for o in outcomes),
        "dry": sum(o["dry"] for o in outcomes),
        "problems": verify(
            before_db,
            completed,
            placed,
            placed_qty,
            loyalty,
            customers=customers,
            catalogue=catalogue,
        ),  # fmt: skip
    }


def describe(run: dict) -> str:
    text = (
        f"{run['completed']} completed, {run['failed']} failed in {run['elapsed']:.2f} s"
        f" -> {run['rate']:.1f} orders/s; checkout p50 {run['p50']:.1f} ms, p95 {run['p95']:.1f} ms"
        f" (place p50 {run['place_p50']:.1f} ms, notify p50 {run['notify_p50']:.1f} ms);"
        f" CPU per checkout: gunicorn {run['server_cpu'] * 1000:.1f} ms,"
        f" rollup folder {run['fold_cpu'] * 1000:.1f} ms,"
        f" postgres {run['postgres_cpu'] * 1000:.1f} ms,"
        f" load generator {run['load_cpu'] * 1000:.1f} ms;"
        f" machine {run['busy']:.0%} busy"
    )
    others = run["others"] / (run["elapsed"] * (os.cpu_count() or 1))
    if others > 0.05:
        text += f"\n    other processes took {others:.0%} of the machine: figures are disturbed"
    if run["dry"]:
        text += (
            f"\n    {run['dry']} connections stopped early: their customers had used every coupon"
        )
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
    loyalty = set_up_loyalty(args, customers, catalogue) if args.scenario == "loyalty" else None
    print(
        f"set-up: database {urlsplit(args.database_url).path.lstrip('/')} created and migrated,"
        f" {len(catalogue)} SKUs, {len(customers)} customers logged in,"
        f" {time.perf_counter() - t0:.1f} s"
    )
    if loyalty:
        print(
            f"loyalty set-up: every checkout uses a ¥{COUPON_OFF_FEN / 100:g}-off-from-"
            f"¥{COUPON_THRESHOLD_FEN / 100:g} coupon (each customer holds"
            f" {coupons_per_customer(args.checkouts, len(customers))} before a run) and points"
            f" (at most {POINTS_MAX_SHARE_BP / 100:g} % of the order; {customers[0]['points']}"
            " each, granted once)"
        )
    place_q, notify_q = count_queries(customers[0], catalogue, args.show_queries, loyalty)
    print(f"queries per checkout: {place_q + notify_q} (place {place_q}, notify {notify_q})")

    version = connection.cursor().connection.info.server_version
    port = free_port()
    xacts_before = transactions()
    context = contextlib.ExitStack()
    if args.pgbouncer:
        bouncer = context.enter_context(
            pgbouncer.running(args.database_url, pool_size=args.pgbouncer)
        )
        args.server_database_url = bouncer.url(urlsplit(args.database_url).path.lstrip("/"))
        print(f"PgBouncer in transaction mode on port {bouncer.port}, pool {args.pgbouncer}")
    try:
        server = start_gunicorn(args, port)
        folder = start_folder(args)
    except BaseException:
        context.close()
        raise
    peak = context.enter_context(ConnectionPeak(args.database_url))
    profiler = None
    runs = []
    try:
        meter = CpuMeter(server.pid, urlsplit(args.database_url).path.lstrip("/"), folder.pid)
        print(
            f"scenario {args.scenario}: gunicorn gthread {args.workers} workers"
            f" x {args.threads} threads on 127.0.0.1:{port},"
            f" PostgreSQL {version // 10000}.{version % 10000}, {os.cpu_count()} CPUs;"
            f" {args.concurrency} checkouts in flight from {args.loaders} load processes"
        )
        warm_up = run_once(
            argparse.Namespace(**{**vars(args), "checkouts": 4 * args.concurrency}),
            port, customers, catalogue, meter, 0, loyalty,
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
            run = run_once(args, port, customers, catalogue, meter, n, loyalty)
            runs.append(run)
            total_checkouts += run["completed"] + run["failed"]
            print(f"run {n}: {describe(run)}", flush=True)
    finally:
        if profiler:
            profiler.send_signal(signal.SIGINT)
            profiler.wait(timeout=60)
        stop(server)
        stop(folder)
        context.close()
    print(
        f"PostgreSQL connections to the database at the peak: {peak.peak}, one of them this"
        f" script's own (gunicorn: {args.workers} workers x {args.threads} threads"
        + (f"; through PgBouncer pooling {args.pgbouncer})" if args.pgbouncer else ")")
    )
    time.sleep(1.0)  # the server's backends have exited and flushed their statistics
    xacts = transactions() - xacts_before

    print(
        f"median of {len(runs)} runs: {statistics.median(r['rate'] for r in runs):.1f} orders/s;"
        f" checkout p50 {statistics.median(r['p50'] for r in runs):.1f} ms,"
        f" p95 {statistics.median(r['p95'] for r in runs):.1f} ms;"
        f" server CPU {statistics.median(r['server_cpu'] for r in runs) * 1000:.1f} ms/checkout,"
        f" rollup folder CPU {statistics.median(r['fold_cpu'] for r in runs) * 1000:.1f}"
        " ms/checkout,"
        f" postgres CPU {statistics.median(r['postgres_cpu'] for r in runs) * 1000:.1f}"
        " ms/checkout;"
        f" queries {place_q + notify_q}/checkout,"
        f" transactions {xacts / total_checkouts:.1f}/checkout"
    )
    if args.summary:
        Path(args.summary).write_text(
            json.dumps(
                {
                    "rate": statistics.median(r["rate"] for r in runs),
                    "p50_ms": statistics.median(r["p50"] for r in runs),
                    "p95_ms": statistics.median(r["p95"] for r in runs),
                    "server_cpu_ms": statistics.median(
                        r["server_cpu"] + r["fold_cpu"] for r in runs
                    )
                    * 1000,
                    "postgres_cpu_ms": statistics.median(r["postgres_cpu"] for r in runs) * 1000,
                    "queries": place_q + notify_q,
                }
            )
        )
    cost = statistics.median(
        r["server_cpu"] + r["fold_cpu"] + r["postgres_cpu"] + r["load_cpu"] for r in runs
    )
    print(
        f"CPU-bound ceiling: {os.cpu_count()} CPUs / {cost * 1000:.1f} ms of CPU per checkout"
        f" (gunicorn + rollup folder + postgres + load generator)"
        f" = {(os.cpu_count() or 1) / cost:.0f} orders/s"
    )
    consistent = all(not r["problems"] for r in runs)
    failed = sum(r["failed"] for r in runs)
    promised = (
        "; every order used one coupon and the points the pricing rule gives, each customer's"
        " points fell by those and none is negative, and the ledger balances"
        if loyalty
        else ""
    )
    print(
        "verified: every completed checkout is exactly one paid order and its reserved stock"
        + promised
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
