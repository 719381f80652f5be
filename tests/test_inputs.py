"""The shared form fields take numbers in the digits 0-9 only and dates in 2000..2099."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from weishang import inputs

NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())


@given(st.integers(min_value=0, max_value=10**6), NON_ASCII_DIGITS)
def test_numbers_with_a_non_ascii_digit_are_refused(number, digit):
    text = f"{number}{digit}"
    assert int(text) >= 0  # what Python alone would accept
    for field in (inputs.IntegerField(), inputs.DecimalField()):
        with pytest.raises(ValidationError):
            field.clean(text)
    assert inputs.parse_int(text) is None


@pytest.mark.parametrize("text", ["²", "1.0", "1e3", " ", "99999999999999999999", "-1"])
def test_parse_int_refuses_what_is_not_a_bounded_whole_number(text):
    assert inputs.parse_int(text, min_value=0) is None


def test_ascii_numbers_are_read():
    assert inputs.parse_int(" 42 ") == 42
    assert inputs.IntegerField().clean("-7") == -7
    assert str(inputs.DecimalField().clean("12.34")) == "12.34"


@pytest.mark.parametrize(
    "text", ["0001-01-01", "9999-12-31", "1969-12-31", "2100-01-01", "２０３０-01-01"]
)
def test_days_outside_the_range_are_refused(text):
    with pytest.raises(ValidationError):
        inputs.DateField().clean(text)


def test_days_inside_the_range_are_read():
    assert inputs.DateField().clean("2000-01-01") == date(2000, 1, 1)
    assert inputs.DateField().clean("2099-12-31") == date(2099, 12, 31)
    assert inputs.DateField(earliest=date(1949, 10, 1)).clean("1969-12-31") == date(1969, 12, 31)


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00", "9999-12-31T23:59:59-12:00", "0001-01-01T00:00+14:00"]
)
def test_moments_outside_the_range_are_refused_before_any_utc_overflow(text):
    with pytest.raises(ValidationError):
        inputs.DateTimeField().clean(text)
