"""Makes pending commission available once its order's return window has closed, then folds the
ledger's per-kind changes into its totals; run it daily after local midnight (and as often as you
like: it moves each commission once)."""

import os
from concurrent.futures import ThreadPoolExecutor

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections

from weishang.commissions import ledger
from weishang.commissions.services import settle_commissions, tell_available
from weishang.orders.management.commands._clock import add_now_argument, parse_now

# Two settlers on two cores settle 35-40 % more than one (bench/README.md); past a primary's
# cores they only wait on each other.
MAX_AUTO_WORKERS = 8


def _settle_in_thread(moment, chunk) -> int:
    try:
        return settle_commissions(now=moment, chunk=chunk, tell=False)
    finally:
        connections.close_all()


class Command(BaseCommand):
    help = "Settle pending commissions whose order's return window has closed."

    def add_arguments(self, parser):
        add_now_argument(parser)
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help="parallel settlers on PostgreSQL, each claiming its own rows (SKIP LOCKED); "
            f"default: one per CPU, at most {MAX_AUTO_WORKERS} (SQLite: one)",
        )
        parser.add_argument(
            "--chunk",
            type=int,
            default=None,
            help="commissions per transaction (default 50,000 on PostgreSQL); a run stopped "
            "midway keeps what its finished chunks settled, and the next run does the rest",
        )

    def handle(self, *args, now=None, workers=None, chunk=None, **options):
        moment = parse_now(now)
        if workers is None:
            # Inside a caller's transaction other connections would not see its rows.
            alone = connection.in_atomic_block
            workers = 1 if alone else min(os.cpu_count() or 1, MAX_AUTO_WORKERS)
        if workers < 1:
            raise CommandError("--workers must be 1 or more.")
        if chunk is not None and chunk < 1:
            raise CommandError("--chunk must be 1 or more.")
        if workers == 1 or connection.vendor != "postgresql":
            moved = settle_commissions(now=moment, chunk=chunk)
        else:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                moved = sum(pool.map(_settle_in_thread, [moment] * workers, [chunk] * workers))
            tell_available(moment)  # once every settler has finished: the run's whole amounts
        ledger.fold_kind_totals()
        plural = "" if moved == 1 else "s"
        self.stdout.write(f"Settled {moved} commission{plural} (as of {moment.isoformat()}).")
