"""Confirms receipt of orders shipped the brand's period ago (10 days unless it set another) and
not confirmed by the customer; run it daily or more often."""

from django.core.management.base import BaseCommand

from weishang.orders.after_sales import confirm_receipts

from ._clock import add_now_argument, parse_now


class Command(BaseCommand):
    help = "Confirm receipt of shipped orders the customer has not confirmed within the period."

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=None, **options):
        moment = parse_now(now)
        confirmed = confirm_receipts(now=moment)
        plural = "" if confirmed == 1 else "s"
        self.stdout.write(
            f"Confirmed receipt of {confirmed} order{plural} (as of {moment.isoformat()})."
        )
