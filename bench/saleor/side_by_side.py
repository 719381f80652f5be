"""Weishang and Saleor side by side: complete checkouts per second and CPU per checkout.

Both run on this machine's PostgreSQL with the same number of server worker processes, the same
catalogue (six products of two SKUs at the same prices, stock to spare), the same baskets (one to
three SKUs, one or two units each) and the same number of checkouts in flight, one after the other
in one run. Weishang's half is ``bench/checkout.py`` (place the order, then the provider's payment
notification). Saleor's half is what its headless storefront and a payment app send: create the
checkout with its lines and addresses, choose the shipping method, record the charge as the payment
app (``transactionCreate``), complete the checkout. Every completed checkout is verified in each
database. Saleor is a checkout you fetched yourself (nothing of it is in this repository); see
bench/saleor/README.md.
"""

import argparse
import hashlib
import http.client
import json
import multiprocessing as mp
import os
import random
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import checkout  # noqa: E402
from benchdb import ROOT, recreate_postgres  # noqa: E402

HERE = Path(__file__).resolve().parent
SALEOR_LOG = ROOT / "var" / "bench" / "saleor.log"
GRAPHQL = "/graphql/"
ERRORS = "errors { field code message }"
CREATE = (
    "mutation($input: CheckoutCreateInput!) { checkoutCreate(input: $input) {"
    f" checkout {{ id totalPrice {{ gross {{ amount }} }} }} {ERRORS} }} }}"
)
DELIVERY = (
    "mutation($id: ID!, $method: ID!) {"
    " checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $method) {"
    f" checkout {{ totalPrice {{ gross {{ amount }} }} }} {ERRORS} }} }}"
)
CHARGE = (
    "mutation($id: ID!, $amount: PositiveDecimal!, $currency: String!, $psp: String!) {"
    ' transactionCreate(id: $id, transaction: {name: "Bench pay", pspReference: $psp,'
    " amountCharged: {amount: $amount, currency: $currency}}) {"
    f" transaction {{ id }} {ERRORS} }} }}"
)
COMPLETE = (
    "mutation($id: ID!) { checkoutComplete(id: $id) {"
    f" order {{ id total {{ gross {{ amount }} }} }} {ERRORS} }} }}"
)
ADDRESS = {
    "firstName": "San",
    "lastName": "Zhang",
    "streetAddress1": "1 Century Avenue",
    "city": "NEW YORK",
    "countryArea": "NY",
    "postalCode": "10001",
    "country": "US",
}


class BenchError(Exception):
    pass


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--saleor", required=True, type=Path, help="your checkout of Saleor")
    parser.add_argument(
        "--saleor-python",
        type=Path,
        help="the Python of Saleor's environment (default: SALEOR/.venv/bin/python)",
    )
    parser.add_argument("--runs", type=int, default=3, help="measured runs each (median)")
    parser.add_argument("--checkouts", type=int, default=300, help="checkouts per run")
    parser.add_argument("--concurrency", type=int, default=8, help="checkouts in flight")
    parser.add_argument("--workers", type=int, default=2, help="server worker processes, each")
    parser.add_argument("--loaders", type=int, default=2, help="load-generating processes")
    parser.add_argument("--max-seconds", type=float, default=900.0, help="time limit per run")
    parser.add_argument(
        "--database-url",
        default="postgresql://postgres@127.0.0.1:5432/weishang_bench",
        help="Weishang's PostgreSQL database, dropped and created afresh",
    )
    parser.add_argument(
        "--saleor-database-url",
        default="postgresql://postgres@127.0.0.1:5432/saleor_bench",
        help="Saleor's PostgreSQL database, dropped and created afresh",
    )
    args = parser.parse_args(argv)
    args.saleor = args.saleor.resolve()
    args.saleor_python = args.saleor_python or args.saleor / ".venv" / "bin" / "python"
    if not (args.saleor / "saleor" / "settings.py").is_file():
        parser.error(f"{args.saleor} is not a checkout of Saleor (no saleor/settings.py)")
    if not args.saleor_python.is_file():
        parser.error(f"no Python at {args.saleor_python}: pass --saleor-python")
    if min(args.runs, args.checkouts, args.concurrency, args.workers, args.loaders) < 1:
        parser.error("every count must be at least 1")
    args.loaders = min(args.loaders, args.concurrency)
    return args


def reproduce_command(args) -> str:
    return (
        f".venv/bin/python bench/saleor/side_by_side.py --saleor {args.saleor}"
        f" --saleor-python {args.saleor_python} --runs {args.runs}"
        f" --checkouts {args.checkouts} --concurrency {args.concurrency}"
        f" --workers {args.workers} --loaders {args.loaders}"
    )


# Weishang ----------------------------------------------------------------------------------------


def run_weishang(args) -> dict:
    """bench/checkout.py with the same counts; its figures come back through --summary."""
    with tempfile.NamedTemporaryFile(suffix=".json") as summary:
        command = [
            sys.executable, str(ROOT / "bench" / "checkout.py"),
            "--runs", str(args.runs), "--checkouts", str(args.checkouts),
            "--concurrency", str(args.concurrency), "--workers", str(args.workers),
            "--threads", "1", "--loaders", str(args.loaders),
            "--max-seconds", str(args.max_seconds), "--database-url", args.database_url,
            "--summary", summary.name,
        ]  # fmt: skip
        print("== Weishang: " + " ".join(command[1:]), flush=True)
        if subprocess.run(command, cwd=ROOT).returncode != 0:
            raise BenchError("bench/checkout.py failed or found an inconsistency")
        return json.loads(Path(summary.name).read_text())


# Saleor ------------------------------------------------------------------------------------------


def saleor_environment(args) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "WEISHANG_"))}
    env.update(
        DATABASE_URL=args.saleor_database_url,
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(40),
        RSA_PRIVATE_KEY=pem,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        ALLOWED_CLIENT_HOSTS="127.0.0.1",
        SEND_USAGE_TELEMETRY="False",  # no network here, nor is it part of a checkout
        DJANGO_SETTINGS_MODULE="saleor.settings",
        PYTHONPATH=str(args.saleor),
    )
    return env


def migrated_template(args) -> str:
    """The name of a database holding Saleor's schema as this checkout's migrations make it."""
    names = sorted(
        str(p.relative_to(args.saleor)) for p in args.saleor.glob("saleor/**/migrations/*.py")
    )
    return "saleor_migrated_" + hashlib.sha1("\n".join(names).encode()).hexdigest()[:12]


def copy_database(url: str, template: str) -> bool:
    """Creates the database of ``url`` afresh as a copy of ``template``; False without one."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [template]).fetchone():
            return False
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return True


def set_up_saleor(args, env) -> dict:
    """Saleor's database migrated (its ~1,400 migrations take minutes, so the migrated schema is
    kept as a template database and copied on later runs) and the catalogue made."""
    started = time.perf_counter()
    python = str(args.saleor_python)
    template = migrated_template(args)
    if not copy_database(args.saleor_database_url, template):
        recreate_postgres(args.saleor_database_url)
        print("Saleor: migrating a new database (once for this checkout; minutes)", flush=True)
        SALEOR_LOG.parent.mkdir(parents=True, exist_ok=True)
        with SALEOR_LOG.open("w") as log:
            migrate = subprocess.run(
                [python, "manage.py", "migrate", "--verbosity", "0"],
                cwd=args.saleor,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        if migrate.returncode != 0:
            raise BenchError(f"Saleor's migrate failed: see {SALEOR_LOG}")
        keep = urlsplit(args.saleor_database_url)._replace(path=f"/{template}")
        copy_database(urlunsplit(keep), urlsplit(args.saleor_database_url).path.lstrip("/"))
    made = subprocess.run(
        [python, str(HERE / "populate.py"), json.dumps(checkout.catalogue_plan())],
        cwd=args.saleor,
        env=env,
        capture_output=True,
        text=True,
    )
    if made.returncode != 0:
        raise BenchError(f"setting up Saleor's catalogue failed:\n{made.stderr[-2000:]}")
    shop = json.loads(made.stdout.strip().splitlines()[-1])
    print(
        f"Saleor set-up: database {urlsplit(args.saleor_database_url).path.lstrip('/')} migrated,"
        f" {len(shop['variants'])} variants, {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return shop


def start_saleor(args, env, port: int) -> subprocess.Popen:
    """Saleor as its Dockerfile serves it: uvicorn with ``--workers``, and its default of a
    database connection per request (its settings: persistent connections are not supported
    under ASGI). Its log goes to var/bench/saleor.log."""
    SALEOR_LOG.parent.mkdir(parents=True, exist_ok=True)
    log = SALEOR_LOG.open("w")
    server = subprocess.Popen(
        [str(args.saleor_python), "-m", "uvicorn", "saleor.asgi:application",
         "--host", "127.0.0.1", "--port", str(port), "--workers", str(args.workers),
         "--lifespan", "auto", "--ws", "none", "--no-access-log", "--log-level", "warning",
         "--timeout-keep-alive", "35"],
        cwd=args.saleor, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    deadline = time.time() + 300
    while time.time() < deadline:
        if server.poll() is not None:
            raise BenchError(f"uvicorn exited with {server.returncode}: see {SALEOR_LOG}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            status, _body = graphql(conn, "{ shop { name } }", {})
            conn.close()
            # With one worker uvicorn serves from its own process.
            workers = len(checkout.children(server.pid)) if args.workers > 1 else 1
            if status == 200 and workers >= args.workers:
                return server
        except OSError:
            pass
        time.sleep(0.5)
    checkout.stop(server)
    raise BenchError("Saleor did not answer within 300 s")


def graphql(conn, query: str, variables: dict, token: str = "") -> tuple[int, dict]:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    conn.request("POST", GRAPHQL, json.dumps({"query": query, "variables": variables}), headers)
    response = conn.getresponse()
    content = response.read()
    try:
        return response.status, json.loads(content)
    except ValueError:
        return response.status, {"errors": [{"message": content[:200].decode(errors="replace")}]}


def _data(step: str, status: int, body: dict, field: str) -> dict:
    payload = (body.get("data") or {}).get(field) or {}
    if status != 200 or body.get("errors") or payload.get("errors"):
        detail = body.get("errors") or payload.get("errors")
        raise checkout.Failure(step, f"HTTP {status} {json.dumps(detail)[:160]}")
    return payload


def saleor_checkout(conn, shop: dict, lines: list[dict], total_cents: int, email: str) -> None:
    """One complete checkout, as a storefront and a payment app drive it; checks the total."""
    created = _data(
        "create",
        *graphql(
            conn,
            CREATE,
            {
                "input": {
                    "channel": shop["channel"],
                    "email": email,
                    "lines": lines,
                    "shippingAddress": ADDRESS,
                    "billingAddress": ADDRESS,
                }
            },
        ),
        "checkoutCreate",
    )
    checkout_id = created["checkout"]["id"]
    chosen = _data(
        "delivery",
        *graphql(conn, DELIVERY, {"id": checkout_id, "method": shop["shipping_method"]}),
        "checkoutDeliveryMethodUpdate",
    )
    amount = chosen["checkout"]["totalPrice"]["gross"]["amount"]
    if round(amount * 100) != total_cents:
        raise checkout.Failure("delivery", f"total {amount}, expected {total_cents / 100}")
    _data(
        "charge",
        *graphql(
            conn,
            CHARGE,
            {
                "id": checkout_id,
                "amount": amount,
                "currency": shop["currency"],
                "psp": f"bench_{secrets.token_hex(12)}",
            },
            token=shop["app_token"],
        ),
        "transactionCreate",
    )
    order = _data("complete", *graphql(conn, COMPLETE, {"id": checkout_id}), "checkoutComplete")
    if not order.get("order"):
        raise checkout.Failure("complete", "no order")


def saleor_load(port, shop, threads, seed, tickets, barrier, deadline, results):
    """One load process: ``threads`` keep-alive connections running checkouts until done."""
    timings, failures, samples, units = [], {}, {}, {}
    lock = threading.Lock()

    def worker(n: int) -> None:
        rng = random.Random(seed * 1000 + n)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        while time.time() < deadline:
            with tickets.get_lock():
                if tickets.value <= 0:
                    break
                tickets.value -= 1
            chosen = rng.sample(shop["variants"], rng.randint(1, checkout.MOST_LINES))
            lines = [
                {"variantId": v["id"], "quantity": rng.randint(1, checkout.MOST_UNITS)}
                for v in chosen
            ]
            total = sum(v["cents"] * q["quantity"] for v, q in zip(chosen, lines, strict=True))
            started = time.perf_counter()
            try:
                email = f"bench{secrets.token_hex(6)}@example.com"
                saleor_checkout(conn, shop, lines, total, email)
            except (checkout.Failure, OSError) as exc:
                step = getattr(exc, "step", "connection")
                with lock:
                    failures[step] = failures.get(step, 0) + 1
                    samples.setdefault(step, str(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            with lock:
                timings.append(time.perf_counter() - started)
                for line in lines:
                    units[line["variantId"]] = units.get(line["variantId"], 0) + line["quantity"]
        conn.close()

    pool = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    barrier.wait(timeout=120)
    cpu_before = time.process_time()
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    results.put(
        {
            "timings": timings,
            "failures": failures,
            "samples": samples,
            "units": sum(units.values()),
            "cpu": time.process_time() - cpu_before,
            "end": time.time(),
        }
    )


def saleor_state(url: str) -> tuple[int, int]:
    """(orders, units allocated to their lines) in Saleor's database."""
    import psycopg

    with psycopg.connect(url) as conn:
        (orders,) = conn.execute("SELECT count(*) FROM order_order").fetchone()
        (units,) = conn.execute(
            "SELECT coalesce(sum(quantity_allocated), 0) FROM warehouse_allocation"
        ).fetchone()
    return orders, units


def saleor_problems(url: str) -> list[str]:
    import psycopg

    with psycopg.connect(url) as conn:
        (unpaid,) = conn.execute(
            "SELECT count(*) FROM order_order"
            " WHERE charge_status <> 'full' OR total_charged_amount <> total_gross_amount"
        ).fetchone()
    return [f"{unpaid} orders not charged in full"] if unpaid else []


def run_saleor_once(args, port, shop, meter, checkouts: int, run_no: int) -> dict:
    ctx = mp.get_context("spawn")
    tickets = ctx.Value("i", checkouts)
    barrier = ctx.Barrier(args.loaders + 1)
    results = ctx.Queue()
    deadline = time.time() + args.max_seconds + 10
    loaders = []
    for i in range(args.loaders):
        threads = args.concurrency // args.loaders + (i < args.concurrency % args.loaders)
        loaders.append(
            ctx.Process(
                target=saleor_load,
                args=(port, shop, threads, run_no * 10 + i, tickets, barrier, deadline, results),
                daemon=True,
            )
        )
    for loader in loaders:
        loader.start()
    orders_before, units_before = saleor_state(args.saleor_database_url)
    barrier.wait(timeout=120)
    cpu_before, started = meter.snapshot(), time.time()
    outcomes = [results.get(timeout=args.max_seconds + 120) for _ in loaders]
    cpu_after = meter.snapshot()
    for loader in loaders:
        loader.join()
    orders_after, units_after = saleor_state(args.saleor_database_url)
    elapsed = max(o["end"] for o in outcomes) - started
    timings = [t for o in outcomes for t in o["timings"]]
    completed = len(timings)
    per = max(completed, 1)
    problems = saleor_problems(args.saleor_database_url)
    if orders_after - orders_before != completed:
        problems.append(f"{orders_after - orders_before} new orders for {completed} checkouts")
    if units_after - units_before != sum(o["units"] for o in outcomes):
        problems.append("the units allocated differ from the units the checkouts bought")
    failures = {}
    for o in outcomes:
        for step, n in o["failures"].items():
            failures[step] = failures.get(step, 0) + n
    return {
        "completed": completed,
        "failed": sum(failures.values()),
        "samples": {k: v for o in outcomes for k, v in o["samples"].items()},
        "elapsed": elapsed,
        "rate": completed / elapsed if elapsed else 0.0,
        "p50": checkout.percentile(timings, 50) * 1000 if timings else 0.0,
        "p95": checkout.percentile(timings, 95) * 1000 if timings else 0.0,
        "server_cpu": (cpu_after["server"] - cpu_before["server"]) / per,
        "postgres_cpu": (cpu_after["postgres"] - cpu_before["postgres"]) / per,
        "busy": (cpu_after["busy"] - cpu_before["busy"])
        / max(cpu_after["total"] - cpu_before["total"], 1),
        "problems": problems,
    }


def run_saleor(args) -> dict:
    env = saleor_environment(args)
    shop = set_up_saleor(args, env)
    port = checkout.free_port()
    server = start_saleor(args, env, port)
    runs = []
    try:
        meter = checkout.CpuMeter(server.pid, urlsplit(args.saleor_database_url).path.lstrip("/"))
        print(
            f"== Saleor: uvicorn {args.workers} workers on 127.0.0.1:{port};"
            f" {args.concurrency} checkouts in flight from {args.loaders} load processes",
            flush=True,
        )
        warm = run_saleor_once(args, port, shop, meter, 2 * args.concurrency, 0)
        print(f"warm-up: {warm['completed']} completed, {warm['failed']} failed", flush=True)
        for n in range(1, args.runs + 1):
            run = run_saleor_once(args, port, shop, meter, args.checkouts, n)
            runs.append(run)
            print(
                f"run {n}: {run['completed']} completed, {run['failed']} failed in"
                f" {run['elapsed']:.1f} s -> {run['rate']:.2f} checkouts/s;"
                f" p50 {run['p50']:.0f} ms, p95 {run['p95']:.0f} ms; CPU per checkout:"
                f" uvicorn {run['server_cpu'] * 1000:.0f} ms,"
                f" postgres {run['postgres_cpu'] * 1000:.1f} ms; machine {run['busy']:.0%} busy",
                flush=True,
            )
            for step, sample in run["samples"].items():
                print(f"    {step}: {sample}")
            for problem in run["problems"]:
                print(f"    NOT CONSISTENT: {problem}")
    finally:
        checkout.stop(server)
    if any(r["problems"] for r in runs):
        raise BenchError("Saleor's orders do not match its completed checkouts")
    return {
        "rate": statistics.median(r["rate"] for r in runs),
        "p50_ms": statistics.median(r["p50"] for r in runs),
        "p95_ms": statistics.median(r["p95"] for r in runs),
        "server_cpu_ms": statistics.median(r["server_cpu"] for r in runs) * 1000,
        "postgres_cpu_ms": statistics.median(r["postgres_cpu"] for r in runs) * 1000,
        "failed": sum(r["failed"] for r in runs),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    ours = run_weishang(args)
    theirs = run_saleor(args)
    ours_cpu = ours["server_cpu_ms"] + ours["postgres_cpu_ms"]
    theirs_cpu = theirs["server_cpu_ms"] + theirs["postgres_cpu_ms"]
    print("\nmedians of", args.runs, "runs each,", args.checkouts, "checkouts per run,",
          args.concurrency, "in flight,", args.workers, "workers each:")  # fmt: skip
    for name, figures, cpu in (("Weishang", ours, ours_cpu), ("Saleor", theirs, theirs_cpu)):
        print(
            f"  {name:8} {figures['rate']:8.2f} checkouts/s; p50 {figures['p50_ms']:.0f} ms,"
            f" p95 {figures['p95_ms']:.0f} ms; CPU per checkout {cpu:.1f} ms"
            f" (server {figures['server_cpu_ms']:.1f}, postgres {figures['postgres_cpu_ms']:.1f})"
        )
    print(
        f"ratio: Weishang completes {ours['rate'] / theirs['rate']:.1f}x the checkouts per second"
        f" at 1/{theirs_cpu / ours_cpu:.1f} of the CPU per checkout"
    )
    print(f"reproduce: {reproduce_command(args)}")
    return 0 if not theirs["failed"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        sys.exit(2)
