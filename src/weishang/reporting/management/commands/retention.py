"""Records retention (E-commerce Law Art. 31): seal the ledger, then check nothing was altered.

Run ``weishang retention --seal`` every few minutes or nightly, ``weishang retention --check``
nightly; the check exits non-zero when anything is missing or altered.
"""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from weishang.reporting import retention


class Command(BaseCommand):
    help = (
        "Seal the commission ledger's transfers in a hash chain per account (--seal) and report "
        "altered or deleted transfers and orders that no longer add up (--check)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="extend each account's chain")
        parser.add_argument("--check", action="store_true", help="recompute and report")
        parser.add_argument(
            "--lag-seconds",
            type=int,
            default=int(retention.SEAL_LAG.total_seconds()),
            help="leave transfers younger than this for the next seal (default 300)",
        )

    def handle(self, *args, seal=False, check=False, lag_seconds=300, **options):
        if not (seal or check):
            raise CommandError("Say what to do: --seal, --check or both.")
        if seal:
            result = retention.seal_ledger(lag=timedelta(seconds=max(lag_seconds, 0)))
            self.stdout.write(
                f"Sealed {result.transfers} new transfer(s) into {result.accounts} account "
                f"chain(s), up to transfer #{result.up_to_transfer}."
            )
        if check:
            findings = retention.check_records()
            for finding in findings:
                self.stdout.write(str(finding))
            if findings:
                raise CommandError(f"{len(findings)} retention problem(s) found.")
            self.stdout.write("Records intact: every sealed chain matches; orders add up.")
