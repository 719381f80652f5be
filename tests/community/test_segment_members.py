"""Who is in a segment, counted live from orders, addresses, stations, tiers and tags."""

import itertools
from datetime import timedelta

import pytest
from django.utils import timezone

from weishang.community.models import CustomerTag, Segment, Station, StationMembership, Tag
from weishang.community.selectors import customers_in, segment_size
from weishang.loyalty.models import MemberStatus, MemberTier
from weishang.orders.models import Order, OrderStatus

pytestmark = pytest.mark.django_db
NOW = timezone.now()
_numbers = itertools.count(1)


def order(customer, *, days_ago, status=OrderStatus.COMPLETED):
    at = NOW - timedelta(days=days_ago)
    return Order.objects.create(
        number=f"SEG{next(_numbers):08d}",
        customer=customer,
        status=status,
        recipient="张三",
        phone="13800000000",
        address="某路1号",
        city="郑州",
        total_fen=1000,
        placed_at=at,
        expires_at=at + timedelta(minutes=30),
        paid_at=None if status == OrderStatus.PENDING_PAYMENT else at,
    )


def segment(**conditions) -> Segment:
    return Segment.objects.create(
        name=f"seg{len(conditions)}{sorted(conditions)}"[:40],
        created_at=NOW,
        updated_at=NOW,
        **conditions,
    )


def test_orders_count_when_paid_and_not_cancelled_or_refunded_in_full(make_customer):
    loyal, lapsed, refunded = make_customer(), make_customer(), make_customer()
    for days in (1, 20, 40):
        order(loyal, days_ago=days)
    order(lapsed, days_ago=90)
    order(lapsed, days_ago=100, status=OrderStatus.PARTIALLY_REFUNDED)
    order(lapsed, days_ago=120)
    order(refunded, days_ago=2, status=OrderStatus.REFUNDED)
    order(refunded, days_ago=3, status=OrderStatus.CANCELLED)
    order(refunded, days_ago=4, status=OrderStatus.PENDING_PAYMENT)

    three_orders = segment(min_orders=3)
    assert set(customers_in(three_orders, now=NOW)) == {loyal, lapsed}
    quiet = segment(min_orders=1, no_order_days=60)
    assert list(customers_in(quiet, now=NOW)) == [lapsed]
    recent = segment(ordered_within_days=30)
    assert list(customers_in(recent, now=NOW)) == [loyal]
    assert segment_size(segment(no_order_days=60), now=NOW) >= 2  # never-buyers included


def test_city_station_tier_and_tag_conditions_combine(make_customer):
    zhengzhou = make_customer()  # conftest customers live where their default address says
    other = make_customer()
    zhengzhou.addresses.update(city="郑州")
    other.addresses.update(city="乌鲁木齐")
    station = Station.objects.create(name="郑州站", province="河南省", city="郑州", created_at=NOW)
    StationMembership.objects.create(
        customer=zhengzhou, station=station, source="chosen", joined_at=NOW
    )
    MemberTier.objects.create(name="普通", threshold_fen=0)
    gold = MemberTier.objects.create(name="金卡", threshold_fen=100_000)
    MemberStatus.objects.create(customer=zhengzhou, tier=gold, spend_fen=120_000, reviewed_at=NOW)
    mums = Tag.objects.create(name="宝妈", created_at=NOW)
    CustomerTag.objects.create(tag=mums, customer=zhengzhou, tagged_at=NOW)
    CustomerTag.objects.create(tag=mums, customer=other, tagged_at=NOW)

    assert list(customers_in(segment(city="郑州"), now=NOW)) == [zhengzhou]
    assert list(customers_in(segment(station=station), now=NOW)) == [zhengzhou]
    assert list(customers_in(segment(min_tier=gold), now=NOW)) == [zhengzhou]
    assert set(customers_in(segment(tag=mums), now=NOW)) == {zhengzhou, other}
    both = segment(tag=mums, city="乌鲁木齐")
    assert list(customers_in(both, now=NOW)) == [other]
