"""Completes delivered orders whose return window has closed and earns their points; run it daily
after local midnight."""

from django.core.management.base import BaseCommand

from weishang.orders.management.commands._clock import add_now_argument, parse_now
from weishang.sales.services import complete_orders


class Command(BaseCommand):
    help = "Complete delivered orders whose return window has closed and that have no open return."

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=None, **options):
        moment = parse_now(now)
        completed = len(complete_orders(now=moment))
        plural = "" if completed == 1 else "s"
        self.stdout.write(f"Completed {completed} order{plural} (as of {moment.isoformat()}).")
