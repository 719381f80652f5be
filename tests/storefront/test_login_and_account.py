import pytest
from django.urls import reverse

from weishang.customers.models import Customer
from weishang.customers.sms import MemorySmsSender

pytestmark = pytest.mark.django_db

LOGIN = "/login/"


def test_login_by_code_shown_on_the_demo_page_signs_up_and_returns_to_next(client, brand, settings):
    settings.OTP_SHOW_ON_PAGE = True
    response = client.post(
        LOGIN, {"action": "send_code", "mobile": "13900001111", "next": "/cart/"}
    )
    page = response.content.decode()
    code = response.context["demo_code"]
    assert f"Demo: your code is {code}" in page
    response = client.post(
        LOGIN, {"action": "code", "mobile": "13900001111", "code": code, "next": "/cart/"}
    )
    assert response.status_code == 302 and response["Location"] == "/cart/"
    assert Customer.objects.get(mobile="13900001111")
    assert client.get("/account/").context["customer"].mobile == "13900001111"


def test_login_by_code_from_the_sms(client, brand, settings, django_capture_on_commit_callbacks):
    settings.OTP_SHOW_ON_PAGE = False
    settings.SMS_SENDER = "weishang.customers.sms.MemorySmsSender"
    MemorySmsSender.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(LOGIN, {"action": "send_code", "mobile": "139 0000 2222"})
    assert "your code is" not in response.content.decode()
    mobile, code = MemorySmsSender.outbox[-1]
    assert mobile == "13900002222"
    response = client.post(LOGIN, {"action": "code", "mobile": "13900002222", "code": code})
    assert response.status_code == 302 and response["Location"] == "/"


def test_wrong_code_and_bad_mobile_are_explained(client, brand, settings):
    settings.OTP_SHOW_ON_PAGE = True
    response = client.post(LOGIN, {"action": "send_code", "mobile": "12345"})
    assert "11-digit mainland mobile number" in response.content.decode()
    code = client.post(LOGIN, {"action": "send_code", "mobile": "13900003333"}).context["demo_code"]
    wrong = "000000" if code != "000000" else "111111"
    response = client.post(LOGIN, {"action": "code", "mobile": "13900003333", "code": wrong})
    assert response.status_code == 200
    assert "The code is not correct." in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_next_cannot_send_the_customer_off_site(client, brand, settings):
    settings.OTP_SHOW_ON_PAGE = True
    code = client.post(LOGIN, {"action": "send_code", "mobile": "13900004444"}).context["demo_code"]
    response = client.post(
        LOGIN,
        {"action": "code", "mobile": "13900004444", "code": code, "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_set_password_then_log_in_with_it(shopper, customer, client):
    response = shopper.post(
        "/account/",
        {"action": "password", "password": "zaozhidao-2026", "password2": "zaozhidao-2026"},
    )
    assert response.status_code == 302
    assert shopper.get("/account/").status_code == 200  # still signed in after the change
    shopper.post("/logout/")
    assert shopper.get("/account/").status_code == 302
    response = client.post(
        LOGIN, {"action": "password", "mobile": customer.mobile, "password": "zaozhidao-2026"}
    )
    assert response.status_code == 302
    response = client.post(
        LOGIN, {"action": "password", "mobile": customer.mobile, "password": "nope"}
    )
    assert "Mobile number or password is not correct." in response.content.decode()


def test_passwords_must_match_and_be_valid(shopper):
    response = shopper.post(
        "/account/", {"action": "password", "password": "abc", "password2": "abd"}
    )
    assert "The two passwords are not the same." in response.content.decode()
    response = shopper.post(
        "/account/", {"action": "password", "password": "abc", "password2": "abc"}
    )
    assert "too short" in response.content.decode()


def test_add_address(shopper, customer):
    response = shopper.post(
        "/account/",
        {
            "action": "address",
            "recipient": "李四",
            "phone": "13700001234",
            "province": "65",
            "city": "6501",
            "district_code": "650102",
            "detail": "解放北路1号",
            "next": "/checkout/",
        },
    )
    assert response["Location"] == "/checkout/"
    assert customer.addresses.count() == 2
    assert customer.addresses.get(is_default=False).recipient == "李四"  # box not ticked
    page = shopper.get("/account/").content.decode()
    assert "新疆维吾尔自治区乌鲁木齐市天山区解放北路1号" in page


def test_incomplete_address_is_refused_and_the_form_kept(shopper, customer):
    response = shopper.post(
        "/account/", {"action": "address", "recipient": "李四", "phone": "13700001234"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Please fill in the recipient" in page
    assert 'value="李四"' in page
    assert customer.addresses.count() == 1


def test_pages_for_customers_redirect_to_login(client, brand):
    for name in ("account", "checkout", "order_list"):
        response = client.get(reverse(f"storefront:{name}"))
        assert response.status_code == 302
        assert response["Location"].startswith("/login/?next=")


def test_every_store_page_shows_the_licence_footer(shopper, brand, sku):
    for url in ("/", f"/p/{sku.product.slug}/", "/login/", "/account/", "/cart/", "/orders/"):
        assert brand.business_licence_no in shopper.get(url).content.decode(), url
