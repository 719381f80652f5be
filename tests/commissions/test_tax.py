"""Income tax withheld from payouts (commissions/tax.py): pure rules in integer fen, checked
against the worked figures of the labour-income withholding table (预扣率表二) and by hypothesis."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.commissions import tax

YUAN = 100
gross = st.integers(min_value=0, max_value=10_000_000 * YUAN)
rate = st.integers(min_value=0, max_value=10_000)


@pytest.mark.parametrize(
    ("income_yuan", "withheld_fen"),
    [
        (0, 0),
        (800, 0),  # the 800 yuan deduction leaves nothing taxable
        (3000, 440 * YUAN),  # (3000 − 800) × 20 %
        (4000, 640 * YUAN),  # (4000 − 800) × 20 %
        (5000, 800 * YUAN),  # 5000 × 80 % × 20 %
        (25_000, 4000 * YUAN),  # taxable 20 000: the top of the 20 % band
        (60_000, 12_400 * YUAN),  # taxable 48 000 × 30 % − 2 000 (加成 band)
        (62_500, 13_000 * YUAN),  # taxable 50 000: both bands agree at the boundary
        (100_000, 25_000 * YUAN),  # taxable 80 000 × 40 % − 7 000
    ],
)
def test_labour_withholding_follows_the_table(income_yuan, withheld_fen):
    assert tax.labour_withholding_fen(income_yuan * YUAN) == withheld_fen


def test_just_above_4000_yuan_the_20_percent_deduction_takes_over():
    # 4 000.01 yuan × 80 % = 3 200.008 taxable; × 20 % = 640.0016 yuan, rounded to the fen.
    assert tax.labour_withholding_fen(400_001) == 64_000
    assert tax.labour_taxable_fen(400_001) * 5 == 400_001 * 4


@pytest.mark.parametrize(
    ("gross_fen", "rate_bp", "withheld_fen"),
    [(10_000, 300, 300), (333, 2000, 67), (5, 1000, 1), (4, 1000, 0), (99, 10_000, 99)],
)
def test_flat_rate_rounds_half_up_to_the_fen(gross_fen, rate_bp, withheld_fen):
    assert tax.flat_withholding_fen(gross_fen, rate_bp) == withheld_fen


def test_a_month_of_payouts_counts_as_one_payment():
    first = tax.labour_withholding_increment_fen(
        gross_fen=3000 * YUAN, month_gross_before_fen=0, month_withheld_before_fen=0
    )
    second = tax.labour_withholding_increment_fen(
        gross_fen=3000 * YUAN, month_gross_before_fen=3000 * YUAN, month_withheld_before_fen=first
    )
    assert (first, second) == (440 * YUAN, 520 * YUAN)  # 6 000 × 80 % × 20 % = 960 in all


@pytest.mark.parametrize("bad", [(-1, 0), (100, -1), (100, 10_001)])
def test_impossible_inputs_are_refused(bad):
    with pytest.raises(ValueError):
        tax.flat_withholding_fen(*bad)


@given(gross)
def test_labour_withholding_is_never_negative_nor_above_the_gross(g):
    assert 0 <= tax.labour_withholding_fen(g) <= g


@given(gross, gross)
def test_labour_withholding_is_monotone_in_the_gross(a, b):
    low, high = sorted((a, b))
    assert tax.labour_withholding_fen(low) <= tax.labour_withholding_fen(high)


@given(gross, rate)
def test_flat_withholding_is_never_negative_nor_above_the_gross(g, r):
    assert 0 <= tax.flat_withholding_fen(g, r) <= g


@given(gross, gross, rate)
def test_flat_withholding_is_monotone_in_the_gross(a, b, r):
    low, high = sorted((a, b))
    assert tax.flat_withholding_fen(low, r) <= tax.flat_withholding_fen(high, r)


@given(st.lists(st.integers(min_value=1, max_value=2_000_000 * YUAN), max_size=8))
def test_a_months_payouts_withhold_the_tax_on_their_total(payouts):
    month_gross = month_withheld = 0
    for g in payouts:
        withheld = tax.labour_withholding_increment_fen(
            gross_fen=g,
            month_gross_before_fen=month_gross,
            month_withheld_before_fen=month_withheld,
        )
        assert 0 <= withheld <= g
        month_gross += g
        month_withheld += withheld
    assert month_withheld == tax.labour_withholding_fen(month_gross)
