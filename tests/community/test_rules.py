"""The pure segment rule and the station suggestion, with an injected clock; and, for generated
customers and orders, the rule and ``customers_in`` (one query) pick the same customers."""

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weishang.community.models import CustomerTag, Segment, Station, StationMembership, Tag
from weishang.community.rules import (
    Conditions,
    CustomerFacts,
    in_segment,
    normalise_city,
    public_name,
    suggest_station,
)
from weishang.community.selectors import conditions_of, customers_in
from weishang.loyalty.models import MemberStatus, MemberTier
from weishang.orders.models import Order, OrderStatus

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def days_ago(n: int) -> datetime:
    return NOW - timedelta(days=n)


def test_orders_and_their_dates_decide_the_order_conditions():
    loyal = CustomerFacts(order_paid_at=(days_ago(1), days_ago(20), days_ago(40)))
    lapsed = CustomerFacts(order_paid_at=(days_ago(61), days_ago(90)))
    never = CustomerFacts()
    three = Conditions(min_orders=3)
    assert [in_segment(three, c, NOW) for c in (loyal, lapsed, never)] == [True, False, False]
    quiet = Conditions(no_order_days=60)
    assert [in_segment(quiet, c, NOW) for c in (loyal, lapsed, never)] == [False, True, True]
    recent = Conditions(ordered_within_days=30)
    assert [in_segment(recent, c, NOW) for c in (loyal, lapsed, never)] == [True, False, False]
    # The clock decides: sixty days later the loyal customer has gone quiet too.
    assert in_segment(quiet, loyal, NOW + timedelta(days=61))


def test_an_order_exactly_at_the_boundary_counts_as_within():
    facts = CustomerFacts(order_paid_at=(days_ago(30),))
    assert in_segment(Conditions(ordered_within_days=30), facts, NOW)
    assert not in_segment(Conditions(no_order_days=30), facts, NOW)
    assert in_segment(Conditions(no_order_days=29), facts, NOW)


def test_city_station_tier_and_tag():
    zhengzhou = CustomerFacts(city="郑州市", station_id=7, tier_threshold_fen=100_000, tag_ids={3})
    assert in_segment(Conditions(city="郑州"), zhengzhou, NOW)
    assert not in_segment(Conditions(city="上海"), zhengzhou, NOW)
    assert not in_segment(Conditions(city="郑州"), CustomerFacts(), NOW)  # no default address
    assert in_segment(Conditions(station_id=7), zhengzhou, NOW)
    assert not in_segment(Conditions(station_id=8), zhengzhou, NOW)
    assert in_segment(Conditions(min_tier_threshold_fen=100_000), zhengzhou, NOW)
    assert not in_segment(Conditions(min_tier_threshold_fen=200_000), zhengzhou, NOW)
    assert not in_segment(Conditions(min_tier_threshold_fen=1), CustomerFacts(), NOW)
    assert in_segment(Conditions(tag_id=3, city="郑州", station_id=7), zhengzhou, NOW)
    assert not in_segment(Conditions(tag_id=4), zhengzhou, NOW)


def test_no_condition_is_every_active_customer():
    assert in_segment(Conditions(), CustomerFacts(), NOW)
    assert not in_segment(Conditions(), CustomerFacts(active=False), NOW)


@dataclass
class FakeStation:
    name: str
    city: str
    is_open: bool = True


def test_the_open_station_of_the_delivery_city_is_suggested():
    closed = FakeStation("郑州老站", "郑州", is_open=False)
    zhengzhou = FakeStation("郑州站", "郑州")
    shanghai = FakeStation("上海站", "上海")
    stations = [closed, zhengzhou, shanghai]
    assert suggest_station("郑州市", stations) is zhengzhou
    assert suggest_station("郑州", stations) is zhengzhou
    assert suggest_station("上海市", stations) is shanghai
    assert suggest_station("乌鲁木齐市", stations) is None
    assert suggest_station(None, stations) is None
    assert suggest_station("郑州市", [closed]) is None


def test_cities_are_kept_without_the_city_suffix():
    assert normalise_city(" 郑州市 ") == "郑州"
    assert normalise_city("郑州") == "郑州"
    assert normalise_city("市") == "市"


def test_a_leader_is_shown_by_nickname_else_by_masked_mobile():
    assert public_name("枣姐", "138****0001") == "枣姐"
    assert public_name(" ", "138****0001") == "138****0001"


# The rule and the query agree ---------------------------------------------------------------------

STATUSES = list(OrderStatus)
COUNTED = set(OrderStatus) - {
    OrderStatus.PENDING_PAYMENT,
    OrderStatus.CANCELLED,
    OrderStatus.REFUNDED,
}
CITIES = ["郑州市", "郑州", "上海市", None]  # None: no default address
TIERS = [0, 50_000, 100_000]
_numbers = itertools.count(1)

customer_specs = st.lists(
    st.fixed_dictionaries(
        {
            "active": st.booleans(),
            "orders": st.lists(
                st.tuples(st.integers(0, 150), st.sampled_from(STATUSES)), max_size=5
            ),
            "city": st.sampled_from(CITIES),
            "station": st.sampled_from([None, 0, 1]),
            "tier": st.sampled_from([None, 0, 1, 2]),
            "tags": st.sets(st.sampled_from([0, 1])),
        }
    ),
    min_size=1,
    max_size=5,
)
segment_specs = st.lists(
    st.fixed_dictionaries(
        {
            "min_orders": st.sampled_from([None, 1, 2, 3]),
            "ordered_within_days": st.sampled_from([None, 1, 30, 60, 120]),
            "no_order_days": st.sampled_from([None, 1, 30, 60, 120]),
            "city": st.sampled_from(["", "郑州", "上海"]),
            "station": st.sampled_from([None, 0, 1]),
            "min_tier": st.sampled_from([None, 0, 1, 2]),
            "tag": st.sampled_from([None, 0, 1]),
        }
    ),
    min_size=1,
    max_size=4,
)


def _order(customer, days, status):
    at = days_ago(days)
    Order.objects.create(
        number=f"RULE{next(_numbers):08d}",
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


def _build(make_customer, customers, segments):
    stations = [
        Station.objects.create(name=f"站{i}", province="河南省", city="郑州", created_at=NOW)
        for i in range(2)
    ]
    tiers = [
        MemberTier.objects.create(name=f"档{i}", threshold_fen=fen) for i, fen in enumerate(TIERS)
    ]
    tags = [Tag.objects.create(name=f"标签{i}", created_at=NOW) for i in range(2)]
    built = []
    for spec in customers:
        customer = make_customer()
        customer.user.is_active = spec["active"]
        customer.user.save(update_fields=["is_active"])
        if spec["city"] is None:
            customer.addresses.all().delete()
        else:
            customer.addresses.update(city=spec["city"])
        for days, status in spec["orders"]:
            _order(customer, days, status)
        if spec["station"] is not None:
            StationMembership.objects.create(
                customer=customer, station=stations[spec["station"]], source="chosen", joined_at=NOW
            )
        if spec["tier"] is not None:
            MemberStatus.objects.create(
                customer=customer, tier=tiers[spec["tier"]], spend_fen=0, reviewed_at=NOW
            )
        for tag in spec["tags"]:
            CustomerTag.objects.create(tag=tags[tag], customer=customer, tagged_at=NOW)
        facts = CustomerFacts(
            active=spec["active"],
            order_paid_at=tuple(days_ago(d) for d, status in spec["orders"] if status in COUNTED),
            city=spec["city"],
            station_id=stations[spec["station"]].pk if spec["station"] is not None else None,
            tier_threshold_fen=TIERS[spec["tier"]] if spec["tier"] is not None else None,
            tag_ids=frozenset(tags[t].pk for t in spec["tags"]),
        )
        built.append((customer, facts))
    saved = [
        Segment.objects.create(
            name=f"人群{n}",
            min_orders=spec["min_orders"],
            ordered_within_days=spec["ordered_within_days"],
            no_order_days=spec["no_order_days"],
            city=spec["city"],
            station=stations[spec["station"]] if spec["station"] is not None else None,
            min_tier=tiers[spec["min_tier"]] if spec["min_tier"] is not None else None,
            tag=tags[spec["tag"]] if spec["tag"] is not None else None,
            created_at=NOW,
            updated_at=NOW,
        )
        for n, spec in enumerate(segments)
    ]
    return built, saved


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(customers=customer_specs, segments=segment_specs)
def test_the_rule_and_the_query_pick_the_same_customers(customers, segments, make_customer):
    example = transaction.savepoint_create()
    try:
        built, saved = _build(make_customer, customers, segments)
        for segment in saved:
            by_rule = {c.pk for c, facts in built if in_segment(conditions_of(segment), facts, NOW)}
            by_query = set(customers_in(segment, now=NOW).values_list("pk", flat=True))
            assert by_rule == by_query, segment.__dict__
    finally:
        transaction.savepoint_rollback(example)
