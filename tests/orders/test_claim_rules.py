"""Spreading a refund a complaint orders over the order's lines: pure arithmetic."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.orders.rules import split_refund


def test_a_refund_spreads_pro_rata_with_the_odd_fen_to_the_largest_remainder():
    assert split_refund(100, [(1, 300), (2, 300), (3, 300)]) == {1: 34, 2: 33, 3: 33}
    assert split_refund(50, [(1, 100), (2, 0)]) == {1: 50}


@given(
    amount=st.integers(min_value=1, max_value=10**7),
    lines=st.lists(st.integers(min_value=0, max_value=10**7), min_size=1, max_size=6),
)
def test_an_ordered_refund_spreads_within_each_line_and_adds_up(amount, lines):
    refundable = list(enumerate(lines, start=1))
    if not 0 < amount <= sum(lines):
        with pytest.raises(ValueError):
            split_refund(amount, refundable)
        return
    pieces = split_refund(amount, refundable)
    assert sum(pieces.values()) == amount
    assert all(0 < pieces[line] <= fen for line, fen in refundable if line in pieces)
