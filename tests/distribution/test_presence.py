"""The count of different people over any run of days, kept as people are seen and unseen in any
order of days, equals the count a person would make from the set of (day, person) pairs; and
built again from scratch it is the same."""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import F
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from weishang.distribution import presence
from weishang.distribution.models import FirstSeen, Presence

START = date(2026, 11, 1)
DAYS = 6
steps = st.lists(
    st.tuples(st.booleans(), st.integers(0, DAYS - 1), st.sampled_from([1, 2, 3, -7, -(2**50)])),
    min_size=1,
    max_size=30,
)


def counted(kind):
    return sorted(
        row
        for row in FirstSeen.objects.filter(kind=kind).values_list(
            "day", "since", "shard", "people"
        )
        if row[-1]
    )


def pairs(kind):
    return sorted(Presence.objects.filter(kind=kind).values_list("day", "person", "since"))


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=steps)
def test_people_over_any_run_of_days_are_counted_exactly(steps):
    example = transaction.savepoint_create()
    try:
        present: set[tuple[date, int]] = set()
        for is_seen, offset, person in steps:
            day = START + timedelta(days=offset)
            if is_seen:
                presence.seen(presence.VISITOR, day, person)
                present.add((day, person))
            else:
                presence.unseen(presence.VISITOR, day, person)
                present.discard((day, person))
        for first in range(DAYS):
            for last in range(first, DAYS):
                a, b = START + timedelta(days=first), START + timedelta(days=last)
                expected = len({p for d, p in present if a <= d <= b})
                assert presence.people(presence.VISITOR, a, b) == expected
        # Built from scratch (as another count, from this one's pairs) it is the same.
        rows = Presence.objects.filter(kind=presence.VISITOR).order_by()
        rows = rows.annotate(d=F("day"), p=F("person")).values("d", "p").distinct()
        presence.rebuild(presence.BUYER, rows)
        assert counted(presence.BUYER) == counted(presence.VISITOR)
        assert pairs(presence.BUYER) == pairs(presence.VISITOR)
    finally:
        transaction.savepoint_rollback(example)
