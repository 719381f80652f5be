"""Malformed store input is a message, never a 500: superscript and other non-ASCII digits in
quantities, return lines and address ids; fields longer than their columns; a `next` that is
not a path; a mobile in full-width digits."""

from datetime import timedelta

from django.utils import timezone

from weishang.customers.models import Address, OneTimeCode
from weishang.orders.models import ReturnRequest

from .conftest import delivered, place


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_a_superscript_quantity_field_is_ignored_at_checkout(shopper, sku):
    response = shopper.post("/checkout/", {f"qty_{sku.pk}": "1", "qty_²": "1"})
    assert response.status_code == 200
    assert [line.sku for line in response.context["lines"]] == [sku]
    response = shopper.post("/checkout/place/", {"qty_²": "1", "expected_total_fen": "²"})
    assert response.status_code == 200
    assert "Please review your order before placing it." in messages_of(response)


def test_a_superscript_quantity_is_refused_at_checkout(shopper, sku):
    response = shopper.post("/checkout/", {f"qty_{sku.pk}": "²"})
    assert response.status_code == 200
    assert "Quantity must be a whole number from 1 to 99." in messages_of(response)


def test_a_superscript_return_line_changes_nothing(shopper, customer, sku):
    order = delivered(place(customer, {sku.pk: 1}), signed_at=timezone.now() - timedelta(days=1))
    response = shopper.post(f"/orders/{order.number}/return/", {"return_²": "1"})
    assert response.status_code == 200
    assert "Choose at least one item to return." in messages_of(response)
    assert not ReturnRequest.objects.exists()


def test_a_superscript_address_id_is_not_an_address(shopper, customer):
    for action in ("address", "delete_address"):
        response = shopper.post(
            "/account/privacy/",
            {
                "action": action,
                "address": "²",
                "recipient": "王五",
                "phone": customer.mobile,
                "province": "上海市",
                "city": "上海市",
                "detail": "路1号",
            },
        )
        assert response.status_code == 200
        assert "This address does not exist or is not yours." in messages_of(response)
    assert customer.addresses.get().recipient == "张三"


ADDRESS = {
    "action": "address",
    "recipient": "王五",
    "phone": "13912345678",
    "province": "31",
    "city": "3101",
    "district_code": "310115",
    "detail": "世纪大道1号",
}
# The privacy page corrects an address by its names.
NAMED_ADDRESS = {**ADDRESS, "province": "上海市", "city": "上海市", "district": "浦东新区"}


def test_an_address_longer_than_its_columns_is_refused_with_the_field_named(shopper, customer):
    for field, length in (("recipient", 41), ("district_code", 7), ("detail", 201)):
        response = shopper.post("/account/", {**ADDRESS, field: "长" * length})
        assert response.status_code == 200
        assert any(
            f"at most {length - 1} characters" in message for message in messages_of(response)
        ), field
    assert Address.objects.filter(customer=customer).count() == 1
    address_id = customer.addresses.get().pk
    response = shopper.post(
        "/account/privacy/", {**NAMED_ADDRESS, "address": address_id, "city": "市" * 21}
    )
    assert any("at most 20 characters" in message for message in messages_of(response))
    assert customer.addresses.get().city == "上海市"


def test_a_next_that_is_not_a_path_goes_to_the_default_page(shopper):
    response = shopper.post("/account/", {**ADDRESS, "next": "9999-12-31 23:59:59"})
    assert response.status_code == 302 and response["Location"] == "/account/"


def test_a_full_width_mobile_gets_no_code(client, brand):
    response = client.post("/login/", {"action": "send_code", "mobile": "138１２３４５６７８"})
    assert response.status_code == 200
    assert not OneTimeCode.objects.exists()


def test_an_unknown_sign_in_action_is_a_message(client, brand):
    response = client.post("/login/", {"action": "reset", "mobile": "13812345678"})
    assert response.status_code == 200
    assert any("valid choice" in text for text in messages_of(response))
    assert "_auth_user_id" not in client.session


def test_a_megabyte_password_is_refused_before_it_is_hashed(shopper, customer):
    password = "Zz9-" * 1025
    response = shopper.post(
        "/account/", {"action": "password", "password": password, "password2": password}
    )
    assert response.status_code == 200
    assert any("at most 4096 characters" in text for text in messages_of(response))
    customer.user.refresh_from_db()
    assert not customer.user.check_password(password)


def test_an_unknown_privacy_action_or_an_over_long_code_is_a_message(shopper, customer):
    mobile = customer.mobile
    response = shopper.post("/account/privacy/", {"action": "export_all", "nickname": "小王"})
    assert response.status_code == 200
    assert any("valid choice" in text for text in messages_of(response))
    response = shopper.post(
        "/account/privacy/",
        {"action": "change_mobile", "mobile": "13912345678", "code": "1" * 100},
    )
    assert any("at most 6 characters" in text for text in messages_of(response))
    customer.refresh_from_db()
    assert (customer.nickname, customer.mobile) == ("", mobile)


def test_an_over_long_cancel_or_return_reason_is_a_message_not_a_cut(shopper, customer, sku):
    order = place(customer, {sku.pk: 1})
    response = shopper.post(f"/orders/{order.number}/cancel/", {"reason": "不" * 201}, follow=True)
    assert any("at most 200 characters" in text for text in messages_of(response))
    order.refresh_from_db()
    assert (order.status, order.cancel_reason) == ("pending_payment", "")
    order = delivered(place(customer, {sku.pk: 1}), signed_at=timezone.now() - timedelta(days=1))
    line = order.lines.get()
    response = shopper.post(
        f"/orders/{order.number}/return/", {f"return_{line.pk}": "1", "reason": "退" * 301}
    )
    assert response.status_code == 200
    assert any("at most 300 characters" in text for text in messages_of(response))
    assert not ReturnRequest.objects.exists()
