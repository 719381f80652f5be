"""Cancels orders left unpaid past their deadline; run it every minute (cron, systemd timer)."""

from django.core.management.base import BaseCommand

from weishang.orders.management.commands._clock import add_now_argument, parse_now
from weishang.sales.services import expire_unpaid_orders


class Command(BaseCommand):
    help = "Cancel unpaid orders whose time to pay has run out and release their stock."

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=None, **options):
        moment = parse_now(now)
        expired = expire_unpaid_orders(now=moment)
        plural = "" if expired == 1 else "s"
        self.stdout.write(f"Expired {expired} unpaid order{plural} (as of {moment.isoformat()}).")
