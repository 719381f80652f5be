"""Who is in a segment, read from the database; ``rules.in_segment`` says the same of one customer's
facts without it (the tests hold the two to each other)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from weishang.customers.models import Address, Customer
from weishang.customers.rules import mask_mobile
from weishang.loyalty.models import MemberStatus
from weishang.orders.models import Order, OrderStatus

from .models import CustomerTag, OpinionLeader, Segment, Station, StationMembership, Tag
from .rules import Conditions, city_names, public_name, suggest_station

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
            customer=OuterRef("pk"), is_default=True, city__in=city_names(segment.city)
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


def conditions_of(segment: Segment) -> Conditions:
    return Conditions(
        min_orders=segment.min_orders,
        ordered_within_days=segment.ordered_within_days,
        no_order_days=segment.no_order_days,
        city=segment.city,
        station_id=segment.station_id,
        min_tier_threshold_fen=segment.min_tier.threshold_fen if segment.min_tier_id else None,
        tag_id=segment.tag_id,
    )


# Stations, leaders, tags and segments for the pages -----------------------------------------------


def _leaders() -> Prefetch:
    return Prefetch("leaders", queryset=OpinionLeader.objects.select_related("customer"))


def stations_for_console() -> QuerySet[Station]:
    """Every station with its member count and leaders (two queries)."""
    return (
        Station.objects.annotate(members=Count("memberships"))
        .prefetch_related(_leaders())
        .order_by("province", "city", "name")
    )


def station_with_leaders(station_id: int) -> Station:
    return (
        Station.objects.annotate(members=Count("memberships"))
        .prefetch_related(_leaders())
        .get(pk=station_id)
    )


def open_stations() -> QuerySet[Station]:
    return Station.objects.filter(is_open=True)


def membership_of(customer_id: int) -> StationMembership | None:
    return (
        StationMembership.objects.filter(customer_id=customer_id)
        .select_related("station")
        .prefetch_related(Prefetch("station__leaders", queryset=_leaders().queryset))
        .first()
    )


def tags_for_console() -> QuerySet[Tag]:
    return Tag.objects.annotate(customers=Count("assignments")).order_by("name")


def tags_marked_for(customer_id: int) -> QuerySet[Tag]:
    """Every tag, each with ``held``: whether the customer has it (one query)."""
    return Tag.objects.annotate(
        held=Exists(CustomerTag.objects.filter(tag=OuterRef("pk"), customer_id=customer_id))
    )


def stations_marked_for(customer_id: int) -> QuerySet[Station]:
    """Every station, each with ``mine``: whether the customer belongs to it (one query)."""
    return Station.objects.annotate(
        mine=Exists(
            StationMembership.objects.filter(station=OuterRef("pk"), customer_id=customer_id)
        )
    )


def segments_for_console() -> QuerySet[Segment]:
    return Segment.objects.select_related("station", "min_tier", "tag", "updated_by")


@dataclass(frozen=True)
class StationChoice:
    """A customer's station as he sees it: its leaders by public name and title, the open
    stations he may choose, the one his default address's city suggests and the one to
    preselect (his own while it is open, else the suggestion)."""

    station: Station | None
    leaders: list[tuple[str, str]]
    open_stations: list[Station]
    suggested: Station | None
    preselected_id: int | None


def station_choice(customer: Customer) -> StationChoice:
    """Four queries: his membership, its leaders, the open stations, his default address."""
    membership = membership_of(customer.pk)
    station = membership.station if membership else None
    stations = list(open_stations())
    address = customer.addresses.filter(is_default=True).only("city").first()
    suggested = suggest_station(address.city if address else None, stations)
    leaders = [
        (public_name(leader.customer.nickname, mask_mobile(leader.customer.mobile)), leader.title)
        for leader in (station.leaders.all() if station else ())
    ]
    if station is not None and station.is_open:
        preselected = station.pk
    else:
        preselected = suggested.pk if suggested else None
    return StationChoice(station, leaders, stations, suggested, preselected)
