"""An order placed by a visitor a post's link brought counts on the post (and so on its theme)
when the order's distributor is the post's: the binding decides whose customer he is, the post
only says which of the distributor's posts brought him."""

from datetime import datetime

from weishang.orders.models import Order
from weishang.transactions import step

from .models import Post, PostOrder


@step
def credit_order(*, order: Order, post_id: int, now: datetime) -> PostOrder | None:
    if order.distributor_id is None:
        return None
    if not Post.objects.filter(pk=post_id, distributor_id=order.distributor_id).exists():
        return None
    return PostOrder.objects.create(post_id=post_id, order=order, created_at=now)
