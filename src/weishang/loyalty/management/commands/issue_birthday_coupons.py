"""Issues the birthday coupon to the customers whose birthday is today; run it daily after local
midnight. Idempotent: a second run the same year issues nothing more."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from weishang.loyalty.coupons import issue_birthday_coupons
from weishang.orders.management.commands._clock import add_now_argument, parse_now


class Command(BaseCommand):
    help = "Issue the birthday coupon to every customer whose birthday is today (local time)."

    def add_arguments(self, parser):
        add_now_argument(parser)

    def handle(self, *args, now=None, **options):
        moment = parse_now(now)
        today = timezone.localdate(moment)
        issued = issue_birthday_coupons(today=today, now=moment)
        plural = "" if issued == 1 else "s"
        self.stdout.write(f"Issued {issued} birthday coupon{plural} for {today.isoformat()}.")
