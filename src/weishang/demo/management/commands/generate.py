"""``weishang generate``: customers, distributors and years of orders, in bulk, for benchmarks and
for trying the pages at scale; then the analytics rollups built from them."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from tqdm import tqdm

from weishang.analytics import recompute
from weishang.catalog.models import Product
from weishang.commissions import ledger
from weishang.demo.generator import DAYS, MIN_DAYS, generate
from weishang.demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Fill the database fast with customers, distributors and orders in a realistic mix of "
        "states (most through distributors' links, with payments, refunds, returns, commission "
        "and its ledger transfers, share-link visits), then rebuild the analytics rollups. "
        "PostgreSQL loads with COPY on a second connection, in one transaction, with the order "
        "tables' plain indexes dropped and rebuilt at the end (so the orders tables are locked "
        "while it loads: not for a database in use); SQLite takes the same path row by row "
        "(small sizes)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1000, metavar="N")
        parser.add_argument("--orders", type=int, default=10000, metavar="M")
        parser.add_argument(
            "--distributors",
            type=int,
            default=None,
            metavar="D",
            help="how many of the customers are distributors (default: a tenth)",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DAYS,
            metavar="DAYS",
            help=f"the orders span the last DAYS days (default {DAYS}, at least {MIN_DAYS})",
        )
        parser.add_argument("--seed", type=int, default=None, metavar="S", help="repeatable data")
        parser.add_argument(
            "--no-rollups", action="store_true", help="skip rebuilding the analytics rollups"
        )

    def handle(
        self, *args, customers, orders, distributors, days, seed, no_rollups, verbosity=1, **options
    ):
        if customers < 0 or orders < 0:
            raise CommandError("--customers and --orders must be zero or more")
        if orders and not customers:
            raise CommandError("orders need customers: pass --customers N with N > 0")
        if distributors is not None and not 0 <= distributors <= customers:
            raise CommandError("distributors are customers too: --distributors 0 to --customers")
        if days < MIN_DAYS:
            raise CommandError(f"--days must be at least {MIN_DAYS}")
        if not Product.objects.filter(status=Product.Status.PUBLISHED).exists():
            self.stdout.write("No published products: loading the demo catalogue first.")
            load_demo()
        started = time.perf_counter()
        with tqdm(total=customers + orders, unit=" rec", disable=verbosity == 0) as bar:
            generator = generate(
                customers=customers,
                orders=orders,
                distributors=distributors,
                days=days,
                seed=seed,
                progress=bar.update,
            )
        seconds = time.perf_counter() - started
        counts, timings = generator.counts, generator.timings
        detail = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in vars(counts).items())
        self.stdout.write(
            f"Inserted {counts.rows} rows ({detail}) in {seconds:.1f} s on {connection.vendor}"
        )
        self.stdout.write(f"= {counts.rows / seconds:,.0f} rows/s")
        self.stdout.write(f"customers and distributors: {timings.people:.1f} s")
        if timings.orders:
            self.stdout.write(
                f"orders and their lines: {timings.orders:.1f} s = "
                f"{counts.orders / timings.orders:,.0f} orders/s"
            )
            phases = ", ".join(f"{name} {s:.1f} s" for name, s in timings.phases.items())
            self.stdout.write(f"what follows from them: {timings.follow_up:.1f} s ({phases})")
        began = time.perf_counter()
        ledger.rebuild_kind_totals()
        self.stdout.write(f"ledger totals by kind: {time.perf_counter() - began:.1f} s")
        if not no_rollups:
            began = time.perf_counter()
            recompute.rebuild()
            self.stdout.write(f"analytics rollups rebuilt in {time.perf_counter() - began:.1f} s")
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum would do over the next minutes: statistics for the planner, and the
            # visibility map that lets the rollups' counts read their indexes alone.
            began = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("VACUUM ANALYZE")
            self.stdout.write(f"vacuum and analyse: {time.perf_counter() - began:.1f} s")
