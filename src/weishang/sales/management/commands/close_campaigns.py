"""Closes campaigns past their end and settles their pre-sales: run it every few minutes (cron,
systemd timer). Idempotent; ``--now`` moves the clock."""

from django.core.management.base import BaseCommand

from weishang.orders.management.commands._clock import add_now_argument, parse_now
from weishang.sales.services import close_campaigns


class Command(BaseCommand):
    help = (
        "Close campaigns past their end: a pre-sale that reached its target releases its orders "
        "to ship; one that missed it refunds every paid order in full."
    )

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=None, **options):
        moment = parse_now(now)
        counts = close_campaigns(now=moment)
        self.stdout.write(
            "Closed {closed} campaign(s); released {released} pre-sale order(s) to ship, "
            "refunded {refunded}, cancelled {cancelled} unpaid (as of {at}).".format(
                **counts, at=moment.isoformat()
            )
        )
