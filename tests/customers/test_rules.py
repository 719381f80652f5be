"""A mobile number is typed in the digits 0-9: any other Unicode digit is refused, not read as
another number (a full-width one normalised to another account; an Arabic-Indic one made one)."""

from hypothesis import given
from hypothesis import strategies as st

from weishang.customers.rules import normalise_mobile

NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())


@given(st.integers(min_value=0, max_value=10), NON_ASCII_DIGITS)
def test_a_mobile_with_any_non_ascii_digit_is_refused(position, digit):
    valid = "13812345678"
    assert normalise_mobile(valid) == valid
    assert normalise_mobile(valid[:position] + digit + valid[position + 1 :]) is None


def test_full_width_and_arabic_indic_mobiles_are_refused():
    assert normalise_mobile("138１２３４５６７８") is None
    assert normalise_mobile("13٨١٢٣٤٥٦٧٨") is None
