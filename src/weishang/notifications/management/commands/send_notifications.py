"""Sends the notifications due: deliveries to retry and messages whose task was lost. Run it
from cron every minute; it is safe to run several at once."""

from django.core.management.base import BaseCommand

from weishang.notifications.sending import send_due


class Command(BaseCommand):
    help = "Send notification deliveries that are due (retries, and messages whose task was lost)."

    def handle(self, *args, **options):
        sent, left = send_due()
        self.stdout.write(f"{sent} sent, {left} not sent this time (retried later or given up).")
