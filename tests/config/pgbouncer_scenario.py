"""Run by tests/config/test_pgbouncer.py in its own process, connected through PgBouncer in
transaction mode (DATABASE_URL) to the test's database, which holds customers with addresses and a
product in stock: many checkouts at once, the regulator export and a console page, while the
PgBouncer console is asked how many server connections it holds. Prints what it saw as JSON."""

import json
import os
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import django

django.setup()

import psycopg  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from weishang.catalog.models import Sku  # noqa: E402
from weishang.customers.models import Customer  # noqa: E402
from weishang.payments.providers import Notification  # noqa: E402
from weishang.payments.services import start_payment  # noqa: E402
from weishang.reporting import export  # noqa: E402
from weishang.sales import services as sales  # noqa: E402

THREADS = 12


def server_connections() -> int:
    """Server connections PgBouncer holds now, from its admin console."""
    with psycopg.connect(os.environ["PGBOUNCER_ADMIN"], autocommit=True) as admin:
        return len(admin.execute("SHOW SERVERS").fetchall())


def checkout(customer: Customer, sku: Sku) -> str:
    try:
        order = sales.place_order(
            customer=customer, items={sku.pk: 1}, address=customer.addresses.get()
        )
        payment = start_payment(order=order)
        sales.confirm_payment(
            provider="sandbox",
            notification=Notification(
                payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
            ),
        )
        return order.number
    finally:
        connections.close_all()


def main() -> dict:
    seen: dict = {}
    sku = Sku.objects.get()
    customers = list(Customer.objects.order_by("pk"))
    peak, watching = [0], threading.Event()

    def watch():
        while not watching.is_set():
            peak[0] = max(peak[0], server_connections())
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(THREADS) as pool:
            numbers = list(pool.map(checkout, customers, [sku] * len(customers)))
    finally:
        watching.set()
        watcher.join()
    seen["checkouts"] = len(set(numbers))
    seen["peak_server_connections"] = peak[0]
    seen["client_threads"] = THREADS

    today = timezone.localdate()
    out = Path(sys.argv[1])
    export.write_files(export.DateRange(today, today + timedelta(days=1)), "csv", out)
    seen["exported_lines"] = (out / "transactions.csv").read_bytes().count(b"\r\n") - 1

    owner = get_user_model().objects.get(username="operator")
    browser = Client()
    browser.force_login(owner)
    seen["console_orders"] = browser.get("/console/orders/").status_code
    return seen


if __name__ == "__main__":
    json.dump(main(), sys.stdout)
