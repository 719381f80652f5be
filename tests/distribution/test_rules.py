"""Real-name checks exactly as COMPLIANCE.md §7, and masking (§5)."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from weishang.distribution import rules

TODAY = date(2025, 6, 1)


def test_compliance_examples_are_valid():
    assert rules.id_number_problem("11010519491231002X", today=TODAY) is None
    assert rules.id_number_problem("11010519491231002x", today=TODAY) is None  # lowercase x
    assert rules.credit_code_problem("91350100M000100Y43") is None


def test_each_problem_has_its_own_message():
    assert "18 characters" in rules.id_number_problem("1101051949123100", today=TODAY)
    assert "other characters" in rules.id_number_problem("11010519491231A02X", today=TODAY)
    # 1949-02-30 does not exist (check digit recomputed so only the date is wrong)
    bad_date = "11010519490230002"
    bad_date += rules.id_check_char(bad_date)
    assert "birth date" in rules.id_number_problem(bad_date, today=TODAY)
    assert "check digit" in rules.id_number_problem("110105194912310021", today=TODAY)
    assert "Enter" in rules.id_number_problem("  ", today=TODAY)

    assert "18 characters" in rules.credit_code_problem("91350100M000100Y4")
    assert "other characters" in rules.credit_code_problem("91350100M000100Y4I")
    assert "check character" in rules.credit_code_problem("91350100M000100Y44")


def test_birth_date_must_be_in_the_past():
    tomorrow = TODAY + timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}002"
    number = first17 + rules.id_check_char(first17)
    assert "birth date" in rules.id_number_problem(number, today=TODAY)
    assert rules.id_number_problem(number, today=tomorrow + timedelta(days=1)) is None


def test_masking():
    assert rules.mask_id_number("11010519491231002X") == "110***********002X"
    assert rules.mask_id_number("11010519491231002x") == "110***********002X"
    assert rules.mask_name("张三") == "张*"


id_numbers = st.builds(
    lambda region, birth, seq: (lambda f: f + rules.id_check_char(f))(
        f"{region:06d}{birth:%Y%m%d}{seq:03d}"
    ),
    st.integers(110000, 659999),
    st.dates(date(1900, 1, 1), TODAY - timedelta(days=1)),
    st.integers(0, 999),
)

credit_codes = st.text(alphabet=rules.USCC_ALPHABET, min_size=17, max_size=17).map(
    lambda f: f + rules.credit_code_check_char(f)
)
ID_CHARS = "0123456789X"


@settings(deadline=None)
@given(id_numbers)
def test_every_valid_id_number_passes(number):
    assert rules.id_number_problem(number, today=TODAY) is None


@settings(deadline=None)
@given(id_numbers, st.integers(0, 17), st.sampled_from(ID_CHARS + "AZ*"))
def test_every_single_character_change_of_an_id_number_fails(number, position, char):
    changed = number[:position] + char + number[position + 1 :]
    if changed == number:
        return
    assert rules.id_number_problem(changed, today=TODAY) is not None


@settings(deadline=None)
@given(credit_codes)
def test_every_valid_credit_code_passes(code):
    assert rules.credit_code_problem(code) is None


@settings(deadline=None)
@given(credit_codes, st.integers(0, 17), st.sampled_from(rules.USCC_ALPHABET + "IOZSV-"))
def test_every_single_character_change_of_a_credit_code_fails(code, position, char):
    changed = code[:position] + char + code[position + 1 :]
    if changed == code:
        return
    assert rules.credit_code_problem(changed) is not None


NON_ASCII_DIGITS = st.characters(categories=["Nd"]).filter(lambda c: not c.isascii())


@given(st.integers(min_value=0, max_value=16), NON_ASCII_DIGITS)
def test_an_id_number_with_any_non_ascii_digit_is_refused(position, digit):
    """Arabic-Indic or full-width digits pass `\\d` and int(): the number would be stored."""
    valid = "11010519491231002X"
    number = valid[:position] + digit + valid[position + 1 :]
    assert "other characters" in rules.id_number_problem(number, today=TODAY)


@given(st.integers(min_value=0, max_value=17), NON_ASCII_DIGITS)
def test_a_credit_code_with_any_non_ascii_digit_is_refused(position, digit):
    valid = "91350100M000100Y43"
    code = valid[:position] + digit + valid[position + 1 :]
    assert rules.credit_code_problem(code) is not None
