"""An Idempotency-Key's replay is the first answer, byte for byte, whatever it holds."""

from datetime import UTC, datetime

import pytest
from django.test import RequestFactory

from weishang.api import idempotency

pytestmark = pytest.mark.django_db


def test_a_time_within_its_first_millisecond_comes_back_the_same():
    """A time at 29.000412 s was answered "29.000Z" at first and "29Z" on the replay (a run of
    the whole suite met it once in a thousand)."""
    at = datetime(2026, 12, 3, 15, 47, 29, 412, tzinfo=UTC)
    request = RequestFactory().post("/api/v1/x", b'{"a": 1}', content_type="application/json")
    ran = []

    def act():
        ran.append(1)
        return 200, {"decided_at": at, "amount_fen": 3990}

    first = idempotency.run(request, principal="c:1", key="k-1", act=act)
    again = idempotency.run(request, principal="c:1", key="k-1", act=act)
    assert len(ran) == 1
    assert (again.status_code, again.value) == (first.status_code, first.value)
    assert first.value == {"decided_at": "2026-12-03T15:47:29.000Z", "amount_fen": 3990}
