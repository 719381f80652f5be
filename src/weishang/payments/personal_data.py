"""The payments domain's part of a customer's personal data: the payments and refunds of his
orders, for the copy. Payments are kept with their orders when the account is closed."""

from collections.abc import Iterable

from .models import Payment


def payments_by_order(order_ids: Iterable[int]) -> dict[int, list[dict]]:
    """Each order's payments with their refunds, in two queries."""
    found: dict[int, list[dict]] = {}
    payments = Payment.objects.filter(order_id__in=list(order_ids)).order_by("pk")
    for p in payments.prefetch_related("refunds"):
        found.setdefault(p.order_id, []).append(
            {
                "number": p.number,
                "provider": p.provider,
                "amount_fen": p.amount_fen,
                "status": p.status,
                "created_at": p.created_at,
                "paid_at": p.paid_at,
                "refunds": [
                    {
                        "number": r.number,
                        "amount_fen": r.amount_fen,
                        "reason": r.reason,
                        "created_at": r.created_at,
                    }
                    for r in p.refunds.all()
                ],
            }
        )
    return found
