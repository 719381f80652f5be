"""Row locks for points lots, always in primary-key order so deadlocks cannot form. The
customer's ledger account is locked first (``commissions.locks.lock_customer_account``)."""

from .models import PointsLot, PointsUse


def lock_spendable_lots(*, customer_id: int):
    return (
        PointsLot.objects.filter(customer_id=customer_id, remaining__gt=0)
        .order_by("pk")
        .select_for_update()
    )


def lock_lots(lot_ids):
    return PointsLot.objects.filter(pk__in=list(lot_ids)).order_by("pk").select_for_update()


def lock_uses(*, key: str):
    return PointsUse.objects.filter(key=key).order_by("pk").select_for_update()
