"""The customer's personal-data rights over the API, as on the store's privacy page: his copy
of his data and his alone, correcting his nickname and addresses, moving to a new number with
its code, and closing the account (refused while an order is unfinished, then done at once)."""

import pytest

from weishang.customers.models import Customer
from weishang.sales.services import place_order

from .conftest import new_key

pytestmark = pytest.mark.django_db


@pytest.fixture
def codes_shown(settings):
    settings.OTP_SHOW_ON_PAGE = True


def test_his_copy_of_his_data_is_his_alone(api, customer, sku, make_customer):
    mine = place_order(customer=customer, items={sku.pk: 2}, address=customer.addresses.get())
    theirs = place_order(
        customer=(other := make_customer()), items={sku.pk: 1}, address=other.addresses.get()
    )
    data = api.get("/account/privacy/export")
    assert data.status_code == 200
    assert data.json()["profile"]["mobile"] == customer.mobile
    assert [o["number"] for o in data.json()["orders"]] == [mine.number]
    assert theirs.number not in data.content.decode()


def delete(api, path):
    return api.client.delete(f"/api/v1{path}", **api._headers({}))


def test_he_corrects_his_nickname_and_address_and_deletes_one(api, customer, make_customer):
    renamed = api.put("/account/nickname", {"nickname": "小枣"})
    assert renamed.status_code == 200 and renamed.json()["nickname"] == "小枣"
    customer.refresh_from_db()
    assert customer.nickname == "小枣"
    address = customer.addresses.get()
    fields = {
        "recipient": "韩梅梅",
        "phone": "13800138000",
        "province": "北京市",
        "city": "北京市",
        "district": "朝阳区",
        "detail": "2号",
    }
    corrected = api.put(f"/addresses/{address.pk}", fields)
    assert corrected.status_code == 200, corrected.json()
    assert (corrected.json()["recipient"], corrected.json()["detail"]) == ("韩梅梅", "2号")
    empty = api.put(f"/addresses/{address.pk}", {**fields, "detail": ""})
    assert empty.status_code == 400
    theirs = make_customer().addresses.get()
    assert api.put(f"/addresses/{theirs.pk}", fields).json()["code"] == "no_address"
    assert delete(api, f"/addresses/{theirs.pk}").json()["code"] == "no_address"
    assert delete(api, f"/addresses/{address.pk}").status_code == 204
    assert not customer.addresses.exists()
    assert theirs.__class__.objects.filter(pk=theirs.pk).exists()


def test_he_moves_his_account_to_a_new_number_with_its_code(api, customer, codes_shown):
    sent = api.post("/account/mobile/change/code", {"mobile": "13900008888"})
    assert sent.status_code == 200, sent.json()
    code = sent.json()["demo_code"]
    wrong = "111111" if code != "111111" else "222222"
    refused = api.post("/account/mobile/change", {"mobile": "13900008888", "code": wrong})
    assert refused.status_code == 400 and refused.json()["code"] == "otp_wrong"
    changed = api.post("/account/mobile/change", {"mobile": "13900008888", "code": code})
    assert changed.status_code == 200 and changed.json()["mobile"] == "13900008888"
    same = api.post("/account/mobile/change/code", {"mobile": "13900008888"})
    assert same.status_code == 400 and same.json()["code"] == "same_mobile"


def test_closing_is_refused_while_an_order_is_unfinished_then_done(api, customer, sku):
    order = place_order(customer=customer, items={sku.pk: 1}, address=customer.addresses.get())
    shown = api.get("/account/privacy").json()
    assert order.number in " ".join(shown["closure_blockers"])
    assert shown["confirmation_word"] == "CLOSE"
    refused = api.post("/account/close", {"confirmation": "CLOSE"})
    assert refused.status_code == 400
    unconfirmed = api.post("/account/close", {"confirmation": "no"})
    assert unconfirmed.json()["code"] == "closure_unconfirmed"
    api.post(f"/orders/{order.number}/cancel", {}, key=new_key())
    closed = api.post("/account/close", {"confirmation": "CLOSE"})
    assert closed.status_code == 200, closed.json()
    assert closed.json()["orders_kept"] == 1
    assert not Customer.objects.get(pk=customer.pk).user.is_active
    assert api.get("/account/privacy").status_code == 401
