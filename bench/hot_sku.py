"""A hot SKU: many clients ordering the one product that is nearly sold out, all at once.

Sets up a fresh PostgreSQL database with one SKU of ``--stock`` units and ``--clients`` signed-in
customers (an API access token each), starts gunicorn, and in each round has every client place
an order for one unit through the API (``POST /api/v1/orders``) at the same moment, from
``--loaders`` processes of client threads. It reports the attempts answered per second, the
latency of the answers, and the CPU per attempt, then checks in the database that nothing was
oversold (orders of the SKU = units reserved ≤ stock, exactly min(clients, stock) sold) and that
every refused client got the API's clear "sold out" answer (400, code ``out_of_stock``, the
product named in the message). Each
round adds ``--stock`` units first. See bench/README.md.

    .venv/bin/python bench/hot_sku.py --clients 200 --stock 50 --rounds 5
"""

import argparse
import http.client
import json
import multiprocessing as mp
import os
import statistics
import sys
import time
import uuid
from urllib.parse import urlsplit

import checkout
from benchdb import recreate_postgres

ORDERS_PATH = "/api/v1/orders"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=200, help="clients ordering at once")
    parser.add_argument("--stock", type=int, default=50, help="units of the hot SKU per round")
    parser.add_argument("--rounds", type=int, default=5, help="measured rounds (median reported)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    parser.add_argument("--loaders", type=int, default=2, help="load-generating processes")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/weishang_hot_sku_bench",
        help="PostgreSQL database to DROP and create afresh",
    )
    args = parser.parse_args(argv)
    if min(args.clients, args.stock, args.rounds, args.workers, args.threads, args.loaders) < 1:
        parser.error("every count must be at least 1")
    return args


def set_up(args) -> tuple[int, int, list[dict]]:
    """The hot SKU (its id and price) and the clients: a customer with an address and an
    access token each."""
    checkout.set_up_django(args)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from weishang.api import auth
    from weishang.catalog.models import Sku
    from weishang.customers.models import Customer
    from weishang.inventory.services import set_stock_on_hand

    call_command("migrate", verbosity=0, interactive=False)
    call_command("collectstatic", verbosity=0, interactive=False)
    sku_id = checkout.create_catalogue()[0].sku_id
    set_stock_on_hand(actor=None, sku_id=sku_id, on_hand=args.stock, reference="hot sku")
    price = Sku.objects.get(pk=sku_id).list_price_fen
    people = checkout.create_customers(args.clients)
    users = dict(
        Customer.objects.filter(pk__in=[p["customer_id"] for p in people]).values_list("pk", "user")
    )
    clients = [
        {
            "token": auth.tokens_for(get_user_model().objects.get(pk=users[p["customer_id"]]))[
                "access"
            ],
            "address_id": p["address"],
        }
        for p in people
    ]
    return sku_id, price, clients


def order_body(sku_id: int, price: int, address_id: int) -> str:
    return json.dumps(
        {
            "items": [{"sku_id": sku_id, "quantity": 1}],
            "address_id": address_id,
            "expected_total_fen": price,
        }
    )


def load_process(port, sku_id, price, clients, barrier, results):
    """One load process: a thread per client, each connected before the start and placing its
    order when every process is ready."""
    import threading

    answers = []
    lock = threading.Lock()
    ready = threading.Barrier(len(clients) + 1)

    def client(me: dict):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.connect()
        body = order_body(sku_id, price, me["address_id"])
        headers = {
            "Content-Type": "application/json",
            "Authorization": f"Bearer {me['token']}",
            "Idempotency-Key": str(uuid.uuid4()),
            "Accept-Language": "zh-hans",
        }
        ready.wait()
        started = time.perf_counter()
        try:
            conn.request("POST", ORDERS_PATH, body, headers)
            response = conn.getresponse()
            content = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            status, content = 0, repr(exc).encode()
        finally:
            conn.close()
        elapsed = time.perf_counter() - started
        try:
            code = json.loads(content).get("code", "") if status != 201 else ""
        except ValueError:
            code = ""
        with lock:
            answers.append((status, code, elapsed, content[:200].decode(errors="replace")))

    threads = [threading.Thread(target=client, args=(me,)) for me in clients]
    for thread in threads:
        thread.start()
    barrier.wait()
    ready.wait()
    for thread in threads:
        thread.join()
    results.put(answers)


def one_round(args, port, sku_id, price, clients, meter) -> dict:
    ctx = mp.get_context("fork")
    barrier = ctx.Barrier(args.loaders + 1)
    results = ctx.Queue()
    loaders = [
        ctx.Process(
            target=load_process,
            args=(port, sku_id, price, clients[i :: args.loaders], barrier, results),
            daemon=True,
        )
        for i in range(args.loaders)
    ]
    for loader in loaders:
        loader.start()
    before = meter.snapshot()
    barrier.wait()
    started = time.perf_counter()
    answers = [answer for _ in loaders for answer in results.get(timeout=600)]
    elapsed = time.perf_counter() - started
    after = meter.snapshot()
    for loader in loaders:
        loader.join()
    latencies = sorted(a[2] for a in answers)
    sold = sum(1 for a in answers if a[0] == 201)
    sold_out = sum(1 for a in answers if a[:2] == (400, "out_of_stock"))
    other = [a for a in answers if not (a[0] == 201 or a[:2] == (400, "out_of_stock"))]
    return {
        "elapsed": elapsed,
        "rate": len(answers) / elapsed,
        "p50": latencies[len(latencies) // 2] * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "sold": sold,
        "sold_out": sold_out,
        "other": other,
        "server_cpu": (after["server"] - before["server"]) / len(answers),
        "postgres_cpu": (after["postgres"] - before["postgres"]) / len(answers),
    }


def state(sku_id: int) -> dict:
    from weishang.inventory.models import Stock
    from weishang.orders.models import Order

    stock = Stock.objects.get(sku_id=sku_id)
    last = Order.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    return {"on_hand": stock.on_hand, "reserved": stock.reserved, "last_order": last}


def verify(sku_id: int, before: dict, expected: int) -> list[str]:
    """Nothing oversold: this round's orders of the SKU, the units it reserved and the stock
    agree."""
    from django.db.models import Sum

    from weishang.orders.models import OrderLine

    after = state(sku_id)
    ordered = (
        OrderLine.objects.filter(sku_id=sku_id, order_id__gt=before["last_order"]).aggregate(
            units=Sum("quantity")
        )["units"]
        or 0
    )
    problems = []
    if ordered != expected:
        problems.append(f"{ordered} units ordered, {expected} expected")
    if after["reserved"] - before["reserved"] != ordered:
        problems.append(f"{after['reserved'] - before['reserved']} units reserved for {ordered}")
    if after["reserved"] > after["on_hand"]:
        problems.append(f"OVERSOLD: {after['reserved']} reserved of {after['on_hand']} on hand")
    return problems


def restock(sku_id: int, stock: int) -> dict:
    """A fresh round: ``stock`` more units available (what earlier rounds reserved stays)."""
    from django.db import connection

    from weishang.inventory.services import set_stock_on_hand

    before = state(sku_id)
    set_stock_on_hand(
        actor=None, sku_id=sku_id, on_hand=before["reserved"] + stock, reference="hot sku"
    )
    before = state(sku_id)
    connection.close()
    return before


def main(argv=None) -> int:
    args = parse_args(argv)
    # checkout.py's helpers read these.
    args.scenario, args.server_database_url = "plain", None
    recreate_postgres(args.database_url)
    t0 = time.perf_counter()
    sku_id, price, clients = set_up(args)
    database = urlsplit(args.database_url).path.lstrip("/")
    print(
        f"set-up: {database}, one SKU with {args.stock} units, {len(clients)} clients signed in,"
        f" {time.perf_counter() - t0:.1f} s"
    )
    from django.db import connection

    connection.close()
    port = checkout.free_port()
    os.environ["WEISHANG_LOG_LEVEL"] = "ERROR"  # not a line per client told "sold out"
    server = checkout.start_gunicorn(args, port)
    rounds, problems = [], []
    try:
        meter = checkout.CpuMeter(server.pid, database)
        expected = min(args.clients, args.stock)
        for n in range(0, args.rounds + 1):  # round 0 warms up
            before = restock(sku_id, args.stock)
            result = one_round(args, port, sku_id, price, clients, meter)
            found = verify(sku_id, before, expected)
            if result["sold"] != expected:
                found.append(f"{result['sold']} orders placed over HTTP, {expected} expected")
            if result["other"]:
                found.append(
                    f"{len(result['other'])} answers neither an order nor 'sold out', e.g."
                    f" {result['other'][0]}"
                )
            problems += found
            if n:
                rounds.append(result)
            print(
                f"{'round ' + str(n) if n else 'warm-up'}: {result['rate']:.0f} answers/s,"
                f" p50 {result['p50']:.0f} ms, p95 {result['p95']:.0f} ms; {result['sold']} sold,"
                f" {result['sold_out']} told sold out; CPU per attempt gunicorn"
                f" {result['server_cpu'] * 1000:.1f} ms, PostgreSQL"
                f" {result['postgres_cpu'] * 1000:.1f} ms"
                + "".join(f"\n    PROBLEM: {p}" for p in found)
            )
    finally:
        checkout.stop(server)
    print(
        f"median of {len(rounds)} rounds: {statistics.median(r['rate'] for r in rounds):.0f}"
        f" answers/s, p95 {statistics.median(r['p95'] for r in rounds):.0f} ms;"
        f" {'0 oversold, every refusal a sold-out answer' if not problems else 'PROBLEMS above'}"
    )
    print(
        f"reproduce: .venv/bin/python bench/hot_sku.py --clients {args.clients} --stock"
        f" {args.stock} --rounds {args.rounds} --workers {args.workers} --threads {args.threads}"
        f" --loaders {args.loaders}"
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
