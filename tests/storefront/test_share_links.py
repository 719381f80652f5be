"""Opening a share link in the store: device cookie, visits, binding now or at login, and silence
for links that must not bind."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from weishang.customers.models import Device
from weishang.distribution.binding import REF_COOKIE
from weishang.distribution.middleware import DEVICE_COOKIE
from weishang.distribution.models import Binding, ShareSource, ShareVisit
from weishang.distribution.tokens import make_token
from weishang.orders.models import Order

pytestmark = pytest.mark.django_db

MIDDLEWARE = "weishang.distribution.middleware.ShareLinkMiddleware"


def link(distributor, path="/", source=ShareSource.STORE_LINK, product_id=None):
    token = make_token(distributor_id=distributor.pk, source=source, product_id=product_id)
    return f"{path}?ref={token}"


def password_login(client, customer, password="pw-中文-login-1"):
    customer.user.set_password(password)
    customer.user.save()
    return client.post(
        "/login/",
        {"action": "password", "mobile": customer.mobile, "password": password, "next": "/"},
    )


def test_every_visitor_gets_a_lasting_device_cookie(client, brand):
    response = client.get("/")
    cookie = response.cookies[DEVICE_COOKIE]
    assert len(cookie.value) >= 20
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600
    # The browser sends it back and keeps it: no new cookie on the next page.
    assert DEVICE_COOKIE not in client.get("/").cookies


def test_signed_in_customer_is_bound_at_once_and_the_visit_counted(
    client, brand, customer, make_distributor, make_product
):
    alice = make_distributor()
    sku = make_product()
    client.force_login(customer.user)
    url = link(alice, f"/p/{sku.product.slug}/", ShareSource.POSTER, sku.product_id)
    response = client.get(url)
    assert response.status_code == 200
    binding = Binding.objects.get(customer=customer)
    assert (binding.distributor, binding.source) == (alice, "poster")
    visit = ShareVisit.objects.get()
    assert (visit.distributor, visit.source, visit.product_id) == (alice, "poster", sku.product_id)
    assert REF_COOKIE not in response.cookies


def test_anonymous_visitor_is_bound_at_login_and_his_order_attributed(
    client, brand, customer, make_distributor, make_product
):
    alice = make_distributor()
    sku = make_product(price_fen=3990)
    response = client.get(link(alice, source=ShareSource.QR))
    assert response.status_code == 200
    assert REF_COOKIE in response.cookies and response.cookies[REF_COOKIE]["httponly"]
    assert ShareVisit.objects.filter(distributor=alice, source="qr").count() == 1
    assert not Binding.objects.exists()  # nobody to bind yet
    device_id = client.cookies[DEVICE_COOKIE].value

    response = password_login(client, customer)
    assert response.status_code == 302
    assert response.cookies[REF_COOKIE].value == ""  # the cookie has done its work
    binding = Binding.objects.get(customer=customer)
    assert (binding.distributor, binding.source) == (alice, "qr")
    assert Device.objects.get(customer=customer).device_id == device_id

    data = {"address": customer.addresses.get().pk, "expected_total_fen": 3990, f"qty_{sku.pk}": 1}
    assert client.post("/checkout/place/", data).status_code == 302
    order = Order.objects.get(customer=customer)
    assert (order.distributor, order.device_id) == (alice, device_id)


def test_login_by_code_also_claims_the_link(client, brand, settings, make_distributor):
    settings.OTP_SHOW_ON_PAGE = True
    alice = make_distributor()
    client.get(link(alice))
    code = client.post("/login/", {"action": "send_code", "mobile": "13900005555"}).context[
        "demo_code"
    ]
    client.post("/login/", {"action": "code", "mobile": "13900005555", "code": code})
    assert Binding.objects.get(customer__mobile="13900005555").distributor == alice
    assert Device.objects.filter(customer__mobile="13900005555").count() == 1


def test_a_cookie_still_held_when_signed_in_binds_on_the_next_page(
    client, brand, customer, make_distributor
):
    """Signed in some other way than the login page (the cookie outlived the login)."""
    alice = make_distributor()
    client.get(link(alice))
    client.force_login(customer.user)
    response = client.get("/")
    assert response.status_code == 200
    assert Binding.objects.get(customer=customer).distributor == alice
    assert response.cookies[REF_COOKIE].value == ""


@pytest.mark.parametrize(
    "ref",
    [
        "forged",
        "W1siMSJd:1uAbCd:notasignature",
        "",
    ],
)
def test_a_forged_ref_shows_the_normal_page_and_binds_nobody(client, brand, customer, ref):
    client.force_login(customer.user)
    response = client.get(f"/?ref={ref}")
    assert response.status_code == 200
    assert not Binding.objects.exists() and not ShareVisit.objects.exists()


def test_a_forged_ref_sets_no_cookie_for_an_anonymous_visitor(client, brand, customer):
    response = client.get("/?ref=forged")
    assert response.status_code == 200
    assert REF_COOKIE not in response.cookies
    password_login(client, customer)
    assert not Binding.objects.exists()


def test_a_tampered_ref_cookie_binds_nobody(client, brand, customer, make_distributor):
    alice = make_distributor()
    client.cookies[REF_COOKIE] = make_token(distributor_id=alice.pk, source="qr")  # unsigned
    assert password_login(client, customer).status_code == 302
    assert not Binding.objects.exists()


@pytest.mark.parametrize("status", ["frozen", "blacklisted"])
def test_a_closed_stores_link_is_ignored_silently(
    client, brand, customer, make_distributor, status
):
    closed = make_distributor(status=status)
    response = client.get(link(closed))
    assert response.status_code == 200
    assert REF_COOKIE not in response.cookies
    client.force_login(customer.user)
    assert client.get(link(closed)).status_code == 200
    assert not Binding.objects.exists() and not ShareVisit.objects.exists()


def test_a_link_of_a_store_closed_before_login_binds_nobody(
    client, brand, customer, make_distributor
):
    alice = make_distributor()
    client.get(link(alice))
    type(alice).objects.filter(pk=alice.pk).update(status="frozen")
    password_login(client, customer)
    assert not Binding.objects.exists()


def test_a_distributor_opening_his_own_link_is_no_visit(client, brand, make_distributor):
    me = make_distributor()
    client.force_login(me.customer.user)
    assert client.get(link(me)).status_code == 200
    assert not ShareVisit.objects.exists() and not Binding.objects.exists()


def test_ref_on_a_console_page_is_ignored(client, brand, make_distributor):
    alice = make_distributor()
    client.get(link(alice, "/console/"))
    assert not ShareVisit.objects.exists()


@pytest.mark.parametrize("signed_in", [False, True])
def test_no_extra_queries_on_a_page_without_ref(
    client, brand, customer, make_product, settings, signed_in
):
    make_product()
    if signed_in:
        client.force_login(customer.user)
    client.get("/")

    def count():
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    with_middleware = count()
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if m != MIDDLEWARE]
    assert with_middleware == count()
