"""Reads about payments and refunds that pages and reconciliation share."""

from datetime import datetime

from django.db.models import QuerySet

from .models import Refund


def refunds_in_progress(order) -> list[Refund]:
    """The order's refunds the provider has not confirmed yet: the customer sees them as in
    progress, not as refunded."""
    return list(
        Refund.objects.filter(payment__order=order)
        .exclude(status=Refund.Status.SUCCEEDED)
        .only("number", "return_number", "amount_fen", "status")
    )


def unconfirmed_refunds(*, requested_before: datetime) -> QuerySet[Refund]:
    """Refunds requested before this instant that are still not confirmed by the provider."""
    return (
        Refund.objects.exclude(status=Refund.Status.SUCCEEDED)
        .filter(created_at__lt=requested_before)
        .select_related("payment__order")
        .order_by("created_at", "pk")
    )
