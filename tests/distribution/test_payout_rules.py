"""Bank cards, WeChat and Alipay accounts (distribution/payout_rules.py): the Luhn check digit,
the bank from the BIN table, the masks."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from weishang.distribution import payout_rules


def with_check_digit(body: str) -> str:
    """``body`` completed with the Luhn digit that makes it valid."""
    for digit in "0123456789":
        if payout_rules.luhn_valid(body + digit):
            return body + digit
    raise AssertionError("one of ten digits always fits")


ICBC_CARD = with_check_digit("622202" + "0" * 11 + "7")  # 19 digits
CMB_CARD = with_check_digit("622588" + "123456789")  # 16 digits


def test_known_valid_numbers_pass_the_luhn_check():
    assert payout_rules.luhn_valid("4111111111111111")
    assert payout_rules.luhn_valid("79927398713")
    assert not payout_rules.luhn_valid("79927398710")
    assert not payout_rules.luhn_valid("")
    assert not payout_rules.luhn_valid("٧٩٩٢٧٣٩٨٧١٣")  # Arabic-Indic digits are not card digits


@given(st.text(alphabet="0123456789", min_size=14, max_size=18), st.integers(0, 17))
def test_changing_one_digit_breaks_the_check(body, position):
    number = with_check_digit(body)
    index = position % len(number)
    changed = str((int(number[index]) + 1) % 10)
    assert not payout_rules.luhn_valid(number[:index] + changed + number[index + 1 :])


def test_the_bank_comes_from_the_bin():
    with translation.override("zh-hans"):
        (number, bank), problem = payout_rules.card_problem(f"{ICBC_CARD[:4]} {ICBC_CARD[4:]}")
        assert problem is None and number == ICBC_CARD
        assert (bank.code, bank.name) == ("ICBC", "中国工商银行")
    with translation.override("en"):
        (_number, bank), _problem = payout_rules.card_problem(CMB_CARD)
        assert bank.name == "China Merchants Bank"


def test_the_table_covers_the_fifteen_banks():
    assert set(payout_rules.banks()) == {
        "ICBC", "ABC", "BOC", "CCB", "COMM", "CMB", "PSBC", "CITIC",
        "CIB", "SPDB", "CMBC", "CEB", "SPABANK", "HXBANK", "GDB",
    }  # fmt: skip
    bins = payout_rules._bins()
    assert {code for code, _length in bins.values()} == set(payout_rules.banks())
    assert all(len(b) >= 6 and b.isascii() for b in bins)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Enter the bank card number"),
        ("6222 02", "15 to 19 digits"),
        ("62220２000000000007", "15 to 19 digits"),
        (ICBC_CARD[:-1] + str((int(ICBC_CARD[-1]) + 1) % 10), "check digit"),
        (with_check_digit("999999" + "1" * 12), "do not recognise the bank"),
        (with_check_digit("622202" + "1" * 9), "has 19 digits"),
    ],
)
def test_bad_cards_say_what_is_wrong(raw, message):
    with translation.override("en"):
        found, problem = payout_rules.card_problem(raw)
    assert found is None and message in problem


def test_an_unknown_bank_is_refused_naming_the_banks_and_the_alternatives():
    with translation.override("zh-hans"):
        _found, problem = payout_rules.card_problem(with_check_digit("999999" + "1" * 12))
    assert "中国工商银行" in problem and "广发银行" in problem


@pytest.mark.parametrize(
    ("kind", "raw", "ok"),
    [
        ("alipay", "13900001111", True),
        ("alipay", "li.si@example.com", True),
        ("alipay", "lisi", False),
        ("wechat", "lisi_2024", True),
        ("wechat", "13900001111", True),
        ("wechat", "1abcdef", False),
        ("wechat", "ab", False),
    ],
)
def test_wallet_accounts(kind, raw, ok):
    account, problem = payout_rules.wallet_problem(kind, raw)
    assert (account == raw and problem is None) if ok else (account is None and problem)


@pytest.mark.parametrize(
    ("kind", "account", "masked"),
    [
        ("bank_card", "6222020000000000071", "**** 0071"),
        ("alipay", "13900001111", "139****1111"),
        ("alipay", "li.si@example.com", "l***@example.com"),
        ("wechat", "lisi_2024", "li***24"),
    ],
)
def test_masks_keep_only_what_recognises_the_account(kind, account, masked):
    assert payout_rules.mask_account(kind, account) == masked
