"""The one money module: fen written as text and yuan read back, exactly, for every amount."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.money import MAX_FEN, AmountError, format_fen, format_yuan, parse_yuan

amounts = st.integers(min_value=-MAX_FEN, max_value=MAX_FEN)


@given(amounts)
def test_what_is_written_reads_back_as_the_same_fen(amount):
    assert parse_yuan(format_yuan(amount)) == amount
    assert parse_yuan(format_fen(amount)) == amount


@given(amounts)
def test_both_forms_agree_on_sign_and_digits(amount):
    shown, plain = format_fen(amount), format_yuan(amount)
    assert shown.startswith("-¥" if amount < 0 else "¥")
    assert shown.replace("¥", "").replace(",", "") == plain
    assert plain.split(".")[1] == f"{abs(amount) % 100:02d}"


@pytest.mark.parametrize(
    ("amount", "shown", "plain"),
    [
        (0, "¥0.00", "0.00"),
        (1, "¥0.01", "0.01"),
        (-105, "-¥1.05", "-1.05"),  # divmod on a negative gave ¥-2.95
        (-1, "-¥0.01", "-0.01"),
        (123456789, "¥1,234,567.89", "1234567.89"),
        (2**53 + 1, "¥90,071,992,547,409.93", "90071992547409.93"),  # a float would round this
    ],
)
def test_known_amounts(amount, shown, plain):
    assert (format_fen(amount), format_yuan(amount)) == (shown, plain)


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("29", 2900),
        ("0.01", 1),
        ("1,299.5", 129950),
        ("19.90", 1990),
        ("¥39.90", 3990),
        (" 12.340 ", 1234),
        ("-1.05", -105),
        ("007", 700),
        (str(MAX_FEN // 100), MAX_FEN),
    ],
)
def test_typed_amounts(text, fen):
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "invalid"),
        (None, "invalid"),
        ("abc", "invalid"),
        ("NaN", "invalid"),
        ("Infinity", "invalid"),
        ("1e3", "invalid"),
        ("1.", "invalid"),
        (".5", "invalid"),
        ("1,23.00", "invalid"),
        ("+5", "invalid"),
        ("１２", "invalid"),  # full-width digits
        ("١٢", "invalid"),  # Arabic-Indic digits
        ("1²", "invalid"),
        ("12\x00", "invalid"),
        ("1.234", "too_many_decimals"),
        ("0.001", "too_many_decimals"),
        (str(MAX_FEN // 100) + ".01", "too_large"),
        ("-" + str(MAX_FEN), "too_large"),
        ("9" * 5000, "too_large"),
    ],
)
def test_what_is_not_an_amount_is_refused_with_its_reason(text, code):
    with pytest.raises(AmountError) as refused:
        parse_yuan(text)
    assert refused.value.code == code and str(refused.value.message)


@given(st.text(alphabet="0123456789.,-¥ ", max_size=20))
def test_any_text_is_an_amount_or_an_amount_error(text):
    try:
        fen = parse_yuan(text)
    except AmountError:
        return
    assert isinstance(fen, int) and -MAX_FEN <= fen <= MAX_FEN


@pytest.mark.parametrize("amount", [1.5, "12", True, None])
def test_only_integer_fen_is_written(amount):
    with pytest.raises(TypeError):
        format_fen(amount)
