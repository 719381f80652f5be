"""Row locks for points lots, always in primary-key order so deadlocks cannot form. The
customer's ledger account is locked first (``commissions.locks.lock_customer_account``)."""

from .models import Coupon, CouponTemplate, MemberStatus, PointsLot, PointsUse


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


def lock_template(*, template_id: int) -> CouponTemplate:
    """The coupon template, locked while coupons are issued from it: issuing counts the coupons
    already issued under this lock, so concurrent claims cannot pass the quota or the limit."""
    return CouponTemplate.objects.select_for_update().get(pk=template_id)


def lock_coupons(coupon_ids):
    return Coupon.objects.filter(pk__in=list(coupon_ids)).order_by("pk").select_for_update()


def lock_coupons_of_order(*, order_number: str):
    return Coupon.objects.filter(order_number=order_number).order_by("pk").select_for_update()


def lock_member_status(*, customer_id: int):
    """The customer's member status row, locked, or None before his first review."""
    return MemberStatus.objects.filter(customer_id=customer_id).select_for_update().first()


def lock_expired_lots(*, customer_id: int, now):
    return (
        PointsLot.objects.filter(customer_id=customer_id, remaining__gt=0, expires_at__lte=now)
        .order_by("pk")
        .select_for_update()
    )
