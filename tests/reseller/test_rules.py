"""The band's rules: supply ≤ price ≤ ceiling, refusals that say the numbers, the markup."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.reseller import rules

fen = st.integers(1, rules.MAX_PRICE_FEN)


@given(fen, fen, fen)
def test_a_price_is_accepted_exactly_inside_the_band(a, b, price):
    supply, ceiling = min(a, b), max(a, b)
    band = rules.check_band(supply, ceiling)
    if supply <= price <= ceiling:
        assert rules.check_price(price, band) == price
    else:
        with pytest.raises(rules.BandRefused) as refused:
            rules.check_price(price, band)
        assert refused.value.code == ("below_supply" if price < supply else "above_ceiling")


@given(fen, fen)
def test_a_ceiling_below_the_supply_price_is_refused(a, b):
    if a == b:
        return
    supply, ceiling = max(a, b), min(a, b)
    with pytest.raises(rules.BandRefused) as refused:
        rules.check_band(supply, ceiling)
    assert refused.value.code == "ceiling_below_supply"


@pytest.mark.parametrize("bad", [0, -1, 1.5, "30", None, True, rules.MAX_PRICE_FEN + 1])
def test_amounts_that_are_not_whole_positive_fen_are_refused(bad):
    with pytest.raises(rules.BandRefused):
        rules.check_band(bad, 5000)
    with pytest.raises(rules.BandRefused):
        rules.check_price(bad, rules.Band(3000, 5000))


def test_a_refusal_names_the_price_and_the_band():
    band = rules.Band(3000, 6000)
    with pytest.raises(rules.BandRefused) as refused:
        rules.check_price(6500, band)
    assert "¥65.00" in refused.value.message
    assert "¥30.00" in refused.value.message and "¥60.00" in refused.value.message
    with pytest.raises(rules.BandRefused) as refused:
        rules.check_price(2500, band)
    assert "¥25.00" in refused.value.message and "supply" in refused.value.message


@given(fen, fen, st.integers(0, 99))
def test_the_markup_is_the_price_over_supply_per_unit_never_negative(price, supply, quantity):
    markup = rules.markup_fen(price_fen=price, supply_fen=supply, quantity=quantity)
    assert markup == max(price - supply, 0) * quantity
    assert markup >= 0


@given(st.dictionaries(st.integers(1, 50), fen, max_size=10), fen, fen)
def test_moving_the_band_finds_exactly_the_prices_now_outside(prices, a, b):
    band = rules.Band(min(a, b), max(a, b))
    out = rules.outside(prices, band)
    assert out == sorted(out)
    for key, price in prices.items():
        assert (key in out) == (not band.supply_fen <= price <= band.ceiling_fen)
