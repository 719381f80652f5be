"""Lists refunds and payouts requested but not confirmed, and provider-versus-ledger mismatches;
run it from cron, with --retry to send the unconfirmed ones again (same idempotency keys)."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from weishang.commissions.payouts import send_payout
from weishang.payments.refunds import send_refund
from weishang.sales import reconciliation


class Command(BaseCommand):
    help = (
        "List refunds and payouts requested but not confirmed (older than --minutes), and refunds "
        "or payouts that disagree with the orders or the ledger; --retry sends them again."
    )

    def add_arguments(self, parser):
        parser.add_argument("--minutes", type=int, default=15, help="age before listing (15)")
        parser.add_argument("--retry", action="store_true", help="send them again")

    def handle(self, *args, minutes: int, retry: bool, **options):
        before = timezone.now() - timedelta(minutes=minutes)
        refunds = list(reconciliation.unconfirmed_refunds(requested_before=before))
        payouts = list(reconciliation.unconfirmed_payouts(requested_before=before))
        for refund in refunds:
            refund = send_refund(refund_id=refund.pk) if retry else refund
            self._line(
                f"refund {refund.number} of order {refund.payment.order.number}",
                refund.amount_fen,
                refund.status,
                refund.attempts,
                refund.last_error,
            )
        for withdrawal in payouts:
            withdrawal = send_payout(withdrawal_id=withdrawal.pk) if retry else withdrawal
            self._line(
                f"payout of withdrawal {withdrawal.pk}",
                withdrawal.amount_fen,
                withdrawal.status,
                withdrawal.payout_attempts,
                withdrawal.payout_error,
            )
        found = reconciliation.mismatches()
        for mismatch in found:
            self.stdout.write(f"MISMATCH {mismatch.subject}: {mismatch.problem}")
        self.stdout.write(
            f"{len(refunds)} refund(s) and {len(payouts)} payout(s) unconfirmed"
            f"{' (retried)' if retry else ''}, {len(found)} mismatch(es)."
        )

    def _line(self, subject: str, amount_fen: int, status: str, attempts: int, error: str):
        error = f", last error: {error}" if error else ""
        self.stdout.write(f"{subject}: {amount_fen} fen, {status}, {attempts} attempt(s){error}")
