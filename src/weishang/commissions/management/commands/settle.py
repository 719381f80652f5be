"""Makes pending commission available once its order's return window has closed; run it daily
after local midnight (and as often as you like: it moves each commission once)."""

from django.core.management.base import BaseCommand

from weishang.commissions.services import settle_commissions
from weishang.orders.management.commands._clock import add_now_argument, parse_now


class Command(BaseCommand):
    help = "Settle pending commissions whose order's return window has closed."

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=None, **options):
        moment = parse_now(now)
        moved = settle_commissions(now=moment)
        plural = "" if moved == 1 else "s"
        self.stdout.write(f"Settled {moved} commission{plural} (as of {moment.isoformat()}).")
