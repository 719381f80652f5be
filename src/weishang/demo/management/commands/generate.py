"""``weishang generate``: bulk customers and order history for benchmarks."""

import time

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from weishang.catalog.models import Product
from weishang.demo.generator import generate
from weishang.demo.loader import load_demo


class Command(BaseCommand):
    help = "Fill the database fast with customers and orders in a realistic mix of states."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=1000, metavar="N")
        parser.add_argument("--orders", type=int, default=10000, metavar="M")
        parser.add_argument("--seed", type=int, default=None, metavar="S", help="repeatable data")

    def handle(self, *args, customers, orders, seed, verbosity=1, **options):
        if customers < 0 or orders < 0:
            raise CommandError("--customers and --orders must be zero or more")
        if orders and not customers:
            raise CommandError("orders need customers: pass --customers N with N > 0")
        if not Product.objects.filter(status=Product.Status.PUBLISHED).exists():
            self.stdout.write("No published products: loading the demo catalogue first.")
            load_demo()
        started = time.perf_counter()
        with tqdm(total=customers + orders, unit=" rec", disable=verbosity == 0) as bar:
            counts = generate(customers=customers, orders=orders, seed=seed, progress=bar.update)
        seconds = time.perf_counter() - started
        detail = ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in vars(counts).items())
        self.stdout.write(f"Inserted {counts.rows} rows ({detail}) in {seconds:.1f} s")
        self.stdout.write(f"= {counts.rows / seconds:,.0f} rows/s")
