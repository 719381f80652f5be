"""Counts paid orders in the analytics rollups (``analytics.fold``). Run it beside gunicorn with
``--every 5``, or from cron every minute; several at once fold each order once."""

import time

from django.core.management.base import BaseCommand, CommandError

from weishang.analytics.fold import fold


class Command(BaseCommand):
    help = "Count the paid orders waiting for the analytics rollups; --every to keep doing so."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=float,
            default=0,
            metavar="SECONDS",
            help="keep folding, this many seconds apart (default: once, then exit)",
        )

    def handle(self, *args, every: float, **options):
        if every < 0:
            raise CommandError("--every must be 0 or more seconds.")
        while True:
            folded = fold()
            if not every:
                self.stdout.write(f"{folded} paid orders counted in the rollups.")
                return
            time.sleep(every)
