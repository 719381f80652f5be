"""Only the brand's staff get into the console; everyone else lands on its sign-in page."""

import pytest
from django.urls import reverse

from .conftest import english, messages_of


def console_urls(order, product, period, return_number="R0"):
    return {
        "get": [
            reverse("console:dashboard"),
            reverse("console:order_list"),
            reverse("console:order_detail", args=[order.number]),
            reverse("console:return_list"),
            reverse("console:product_list"),
            reverse("console:price_periods", args=[product.pk]),
        ],
        "post": [
            reverse("console:order_ship", args=[order.number]),
            reverse("console:order_deliver", args=[order.number]),
            reverse("console:order_cancel", args=[order.number]),
            reverse("console:return_approve", args=[return_number]),
            reverse("console:return_reject", args=[return_number]),
            reverse("console:return_receive", args=[return_number]),
            reverse("console:return_refund", args=[return_number]),
            reverse("console:product_publish", args=[product.pk]),
            reverse("console:product_unpublish", args=[product.pk]),
            reverse("console:stock_set", args=[product.skus.get().pk]),
            reverse("console:price_period_delete", args=[product.pk, period.pk]),
        ],
    }


@pytest.fixture
def urls(place, sku):
    from datetime import timedelta

    from django.utils import timezone

    from weishang.catalog.services import schedule_price_period

    now = timezone.now()
    period = schedule_price_period(
        actor=None, sku=sku, starts_at=now, ends_at=now + timedelta(days=3), price_fen=2990
    )
    return console_urls(place(), sku.product, period)


def assert_kept_out(client, urls):
    login = reverse("console:login")
    for url in urls["get"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url
    for url in urls["post"]:
        response = client.post(url, {"carrier": "x", "tracking_no": "y", "on_hand": "0"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(login), url


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_console_login(client, brand, urls):
    assert_kept_out(client, urls)


@pytest.mark.django_db
def test_a_customer_signed_in_on_the_store_is_kept_out(client, brand, customer, urls, sku):
    client.force_login(customer.user)
    assert_kept_out(client, urls)
    # Nothing was changed by the refused posts.
    sku.product.refresh_from_db()
    assert sku.product.status == "published"
    assert sku.stock.on_hand == 100


@pytest.mark.django_db
def test_non_staff_cannot_sign_in(client, brand, django_user_model):
    django_user_model.objects.create_user(username="fan", password="pw-fan-12345")
    english(client)
    response = client.post(
        reverse("console:login"), {"username": "fan", "password": "pw-fan-12345"}
    )
    assert response.status_code == 200
    assert "not brand staff" in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_staff_signs_in_and_out(client, brand, staff):
    english(client)
    assert client.get(reverse("console:login")).status_code == 200
    response = client.post(
        reverse("console:login"), {"username": "operator", "password": "pw-operator-1"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("console:dashboard")
    response = client.get(reverse("console:dashboard"))
    assert response.status_code == 200
    assert "Overview" in response.content.decode()
    response = client.post(reverse("console:logout"))
    assert response["Location"] == reverse("console:login")
    assert client.get(reverse("console:dashboard")).status_code == 302


@pytest.mark.django_db
def test_login_follows_next(client, brand, staff):
    response = client.post(
        reverse("console:login") + "?next=/console/orders/",
        {"username": "operator", "password": "pw-operator-1", "next": "/console/orders/"},
    )
    assert response["Location"] == "/console/orders/"


@pytest.mark.django_db
def test_wrong_password_is_refused(client, brand, staff):
    english(client)
    response = client.post(reverse("console:login"), {"username": "operator", "password": "nope"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert messages_of(response) == []
