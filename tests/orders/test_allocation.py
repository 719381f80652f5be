"""Spreading an amount over the order's lines (a refund a complaint orders, points, the wallet):
pure arithmetic."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.orders.pricing import allocate


@given(
    amount=st.integers(min_value=1, max_value=10**7),
    lines=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=6),
)
def test_an_ordered_refund_spreads_within_each_line_and_adds_up(amount, lines):
    refundable = list(enumerate(lines, start=1))
    if amount > sum(lines):
        with pytest.raises(ValueError):
            allocate(amount, refundable)
        return
    pieces = allocate(amount, refundable)
    assert sum(pieces.values()) == amount
    assert all(0 < pieces[line] <= fen for line, fen in refundable if line in pieces)
