"""Expires points past their period; run it daily after local midnight."""

from django.core.management.base import BaseCommand

from weishang.loyalty.expiry import expire_points
from weishang.orders.management.commands._clock import add_now_argument, parse_now


class Command(BaseCommand):
    help = "Expire the points whose lots are past their expiry (safe to rerun)."

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=None, **options):
        moment = parse_now(now)
        customers, points = expire_points(now=moment)
        self.stdout.write(
            f"Expired {points} points of {customers} customers (as of {moment.isoformat()})."
        )
