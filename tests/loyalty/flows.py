"""Orders taken through the real services to the point a loyalty test needs."""

from datetime import timedelta

from django.utils import timezone

from tests.helpers import pay
from weishang.loyalty.models import MemberTier
from weishang.orders import services as orders
from weishang.sales import services as sales


def delivered(customer, sku, quantity=1, signed_at=None):
    """A paid order of ``quantity`` of the SKU, signed for at ``signed_at`` (now by default)."""
    signed_at = signed_at or timezone.now()
    order = pay(
        sales.place_order(
            customer=customer, items={sku.pk: quantity}, address=customer.addresses.get()
        )
    )
    orders.ship_order(
        actor=None,
        order=order,
        carrier="sf",
        tracking_no=f"SF{order.pk:013d}",
        now=signed_at - timedelta(days=1),
    )
    return orders.mark_delivered(actor=None, order=order, signed_at=signed_at)


def make_tiers():
    """普通 from ¥0; 银卡 from ¥100 with 5 % off and ×1.5 points; 金卡 from ¥500, 10 % and ×2."""
    return [
        MemberTier.objects.create(name="普通", threshold_fen=0),
        MemberTier.objects.create(
            name="银卡", threshold_fen=10_000, discount_bp=500, multiplier_bp=15_000
        ),
        MemberTier.objects.create(
            name="金卡", threshold_fen=50_000, discount_bp=1000, multiplier_bp=20_000
        ),
    ]
