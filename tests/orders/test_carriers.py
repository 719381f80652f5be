"""Each carrier's waybill shape: typos are caught, real-looking numbers pass, examples are valid."""

import pytest
from django.utils import translation

from weishang.orders.carriers import (
    CARRIERS,
    carrier_choices,
    carrier_code,
    carrier_name,
    normalise_waybill,
    waybill_problem,
)


@pytest.mark.parametrize("code", list(CARRIERS))
def test_each_carriers_own_example_is_accepted(code):
    assert waybill_problem(code, CARRIERS[code].example) is None


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("sf", "sf 1402 8374 6592 0"),
        ("sf", "140283746592"),
        ("zto", "783100294556"),
        ("yto", "YT7300194826351"),
        ("yunda", "431882640193712"),
        ("jt", "JT0004821937465"),
        ("ems", "EE123456785CN"),
        ("jd", "JD0012345678901"),
    ],
)
def test_real_looking_numbers_are_accepted_however_spaced(code, number):
    assert waybill_problem(code, number) is None


@pytest.mark.parametrize(
    ("code", "number"),
    [
        ("sf", "SF14028374659"),
        ("sf", "YT7300194826351"),
        ("zto", "7831002945561"),
        ("jt", "JT000482193746"),
        ("ems", "EE123456784CN"),
        ("zto", "７８３１００２９４５５６"),
        ("jd", "JD00123456789"),
    ],
)
def test_numbers_of_the_wrong_shape_are_refused_with_the_carriers_example(code, number):
    with translation.override("en"):
        problem = waybill_problem(code, number)
    assert problem is not None
    assert CARRIERS[code].example in problem or "check digit" in problem


def test_an_unknown_carrier_or_a_blank_number_is_refused():
    with translation.override("en"):
        assert waybill_problem("dhl", "123456789012") == "Choose a carrier from the list."
        assert waybill_problem("sf", "  ") == "Enter the tracking number."


def test_carriers_are_named_in_chinese_and_never_by_code():
    with translation.override("zh-hans"):
        names = dict(carrier_choices())
        assert names["sf"] == "顺丰速运"
        assert carrier_name("jt") == "极兔速递"
    assert carrier_name("unknown") == "unknown"
    assert normalise_waybill(" sf-1402 837465920 ") == "SF1402837465920"


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("sf", "sf"),
        (" SF ", "sf"),
        ("顺丰速运", "sf"),
        ("顺丰", "sf"),
        ("SF Express", "sf"),
        ("sf express", "sf"),
        ("中通快递", "zto"),
        ("中通", "zto"),
        ("圆通速递", "yto"),
        ("韵达", "yunda"),
        ("申通快递", "sto"),
        ("极兔速递", "jt"),
        ("J&T Express", "jt"),
        ("EMS", "ems"),
        ("京东物流", "jd"),
        ("京东", "jd"),
        ("JD Logistics", "jd"),
        ("DHL", None),
        ("", None),
        ("   ", None),
    ],
)
def test_a_carrier_typed_in_a_file_is_found_by_code_or_by_name_in_either_language(text, code):
    assert carrier_code(text) == code
