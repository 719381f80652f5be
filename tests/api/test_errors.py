"""Every refusal has one shape, {code, message, field}, its message in the caller's language, and
bad input never reaches a server error."""

import pytest

from .conftest import ApiClient, new_key

pytestmark = pytest.mark.django_db


def test_a_missing_field_names_the_field_in_english_and_chinese(customer, as_customer):
    for language, message in (("en", "This field is required."), ("zh-hans", "这个字段是必填项。")):
        refused = as_customer(customer, language).post("/addresses", {"recipient": "李雷"})
        assert refused.status_code == 422
        assert refused.json() == {"code": "invalid_input", "message": message, "field": "phone"}


def test_a_number_out_of_range_is_refused(api, customer, sku):
    body = {
        "items": [{"sku_id": sku.pk, "quantity": 100}],
        "address_id": customer.addresses.get().pk,
    }
    refused = api.post("/checkout/review", body)
    assert refused.status_code == 422
    assert refused.json()["field"] == "items.0.quantity"
    assert refused.json()["message"] == "This number is too large."


@pytest.mark.parametrize("text", ["\x00", "a\x1fb", "\x7f"])
def test_control_characters_in_a_body_are_refused(api, text):
    refused = api.post(
        "/addresses",
        {"recipient": text, "phone": "13800138000", "district_code": "110105", "detail": "1号"},
    )
    assert refused.status_code == 422
    assert refused.json()["field"] == "recipient"


def test_control_characters_in_the_address_get_the_api_shape(anonymous, db):
    refused = anonymous.get("/products", {"category": "\x00"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "control_characters"


def test_a_body_that_is_not_json_is_a_clear_error(api):
    response = api.client.post(
        "/api/v1/addresses", "{not json", content_type="application/json", **api._headers({})
    )
    assert 400 <= response.status_code < 500
    assert set(response.json()) == {"code", "message", "field"}


def test_a_domain_error_is_translated(customer, as_customer, sku):
    body = {
        "items": [{"sku_id": sku.pk, "quantity": 1}],
        "address_id": customer.addresses.get().pk,
        "expected_total_fen": 1,
    }
    english = as_customer(customer).post("/orders", body, key=new_key()).json()
    chinese = as_customer(customer, "zh-hans").post("/orders", body, key=new_key()).json()
    assert english["code"] == chinese["code"]
    assert english["message"] != chinese["message"]


def test_unauthenticated_in_chinese(db):
    refused = ApiClient(language="zh-hans").get("/addresses")
    assert refused.status_code == 401
    assert refused.json()["code"] == "unauthenticated"
    assert refused.json()["message"] != "Sign in first, or sign in again: the token is not valid."
