"""Who is in a segment, read from the database; ``rules.in_segment`` says the same of one customer's
facts without it (the tests hold the two to each other)."""

from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from weishang.customers.models import Address, Customer
from weishang.loyalty.models import MemberStatus
from weishang.orders.models import Order, OrderStatus

from .models import CustomerTag, Segment, StationMembership

# An order counts once it is paid, unless it was cancelled or refunded in full.
NOT_COUNTED = (OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED, OrderStatus.REFUNDED)


def counted_orders() -> QuerySet[Order]:
    return Order.objects.filter(paid_at__isnull=False).exclude(status__in=NOT_COUNTED)


def customers_in(segment: Segment, *, now: datetime) -> QuerySet[Customer]:
    """The active customers meeting every condition the segment sets, as one query."""
    customers = Customer.objects.filter(user__is_active=True)
    orders = counted_orders().filter(customer=OuterRef("pk"))
    if segment.min_orders:
        customers = customers.annotate(
            counted=Count(
                "orders",
                filter=Q(orders__paid_at__isnull=False) & ~Q(orders__status__in=NOT_COUNTED),
            )
        ).filter(counted__gte=segment.min_orders)
    if segment.ordered_within_days:
        since = now - timedelta(days=segment.ordered_within_days)
        customers = customers.filter(Exists(orders.filter(paid_at__gte=since)))
    if segment.no_order_days:
        since = now - timedelta(days=segment.no_order_days)
        customers = customers.filter(~Exists(orders.filter(paid_at__gte=since)))
    if segment.city:
        default_address = Address.objects.filter(
            customer=OuterRef("pk"), is_default=True, city=segment.city
        )
        customers = customers.filter(Exists(default_address))
    if segment.station_id:
        customers = customers.filter(
            Exists(
                StationMembership.objects.filter(
                    customer=OuterRef("pk"), station_id=segment.station_id
                )
            )
        )
    if segment.min_tier_id and segment.min_tier.threshold_fen > 0:
        customers = customers.filter(
            Exists(
                MemberStatus.objects.filter(
                    customer=OuterRef("pk"),
                    tier__threshold_fen__gte=segment.min_tier.threshold_fen,
                )
            )
        )
    if segment.tag_id:
        customers = customers.filter(
            Exists(CustomerTag.objects.filter(customer=OuterRef("pk"), tag_id=segment.tag_id))
        )
    return customers


def segment_size(segment: Segment, *, now: datetime) -> int:
    return customers_in(segment, now=now).count()


def in_segment(segment: Segment, customer_id: int, *, now: datetime) -> bool:
    return customers_in(segment, now=now).filter(pk=customer_id).exists()
