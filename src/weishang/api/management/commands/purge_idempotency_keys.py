from django.core.management.base import BaseCommand

from weishang.api import idempotency


class Command(BaseCommand):
    help = "Deletes the API's stored Idempotency-Key answers past their 24 hours (run daily)."

    def handle(self, *args, **options):
        self.stdout.write(f"{idempotency.purge()} expired Idempotency-Key answers deleted")
