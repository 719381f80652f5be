"""Every console form with a date refuses days outside 2000-01-01 .. 2099-12-31 with a message
and stores nothing: a price period dated 0001-01-01 was stored by PostgreSQL as a BC timestamp
psycopg could not read back, and every store page answered 500 until a manual DELETE."""

import pytest
from django.urls import reverse

from tests.helpers import pay
from weishang.catalog.models import Licence, PricePeriod
from weishang.orders import services as orders
from weishang.orders.models import OrderStatus

from .conftest import messages_of

REFUSED_DAYS = ["0001-01-01", "9999-12-31", "1969-12-31", "1999-12-31", "2100-01-01"]
REFUSED_MOMENTS = [
    "0001-01-01T00:00",
    "9999-12-31T23:59",
    "1969-12-31T23:59",
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "２０３０-01-01T10:00",
]
RANGE_MESSAGE = "Enter a date between 2000-01-01 and 2099-12-31."


def said(response, text) -> bool:
    return any(text in message for message in messages_of(response))


def refused(response) -> bool:
    return said(response, RANGE_MESSAGE) or said(response, "Use the digits 0 to 9 only.")


@pytest.mark.parametrize("moment", REFUSED_MOMENTS)
def test_a_price_period_outside_the_range_is_refused_and_the_store_still_opens(
    console, sku, moment
):
    url = reverse("console:price_periods", args=[sku.product_id])
    for starts_at, ends_at in ((moment, "2030-01-01T10:00"), ("2030-01-01T10:00", moment)):
        response = console.post(
            url,
            {"sku": sku.pk, "starts_at": starts_at, "ends_at": ends_at, "price": "9.90"},
            follow=True,
        )
        assert response.status_code == 200
        assert refused(response)
    assert not PricePeriod.objects.exists()
    assert console.get(reverse("storefront:product_list")).status_code == 200


def test_time_zone_edges_inside_the_range_are_kept(console, sku):
    url = reverse("console:price_periods", args=[sku.product_id])
    response = console.post(
        url,
        {
            "sku": sku.pk,
            "starts_at": "2000-01-01T00:00+14:00",
            "ends_at": "2099-12-31T23:59-12:00",
            "price": "9.90",
        },
        follow=True,
    )
    assert said(response, "Price period added.")
    period = PricePeriod.objects.get()
    assert period.starts_at.year == 1999 and period.ends_at.year == 2100  # as UTC
    assert console.get(reverse("storefront:product_list")).status_code == 200


@pytest.mark.parametrize("moment", REFUSED_MOMENTS)
def test_a_sign_for_time_outside_the_range_is_refused(console, place, moment):
    order = pay(place())
    orders.ship_order(actor=None, order=order, carrier="sf", tracking_no="SF1402837465920")
    response = console.post(
        reverse("console:order_deliver", args=[order.number]), {"signed_at": moment}, follow=True
    )
    assert response.status_code == 200 and refused(response)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED


@pytest.mark.parametrize("day", REFUSED_DAYS)
def test_licence_dates_outside_the_range_are_refused(console, day):
    form = {"kind": "other", "number": "X1", "holder": "h", "issued_on": "2024-01-01"}
    response = console.post(
        reverse("console:licence_list"), {**form, "expires_on": day}, follow=True
    )
    assert response.status_code == 200 and said(response, RANGE_MESSAGE)
    assert not Licence.objects.exists()


def test_a_licence_may_be_issued_before_2000_but_not_before_the_republic(console):
    form = {"kind": "other", "number": "X1", "holder": "h", "expires_on": ""}
    response = console.post(
        reverse("console:licence_list"), {**form, "issued_on": "0001-01-01"}, follow=True
    )
    assert said(response, "Enter a date between 1949-10-01 and 2099-12-31.")
    console.post(reverse("console:licence_list"), {**form, "issued_on": "1998-05-04"})
    assert Licence.objects.get().issued_on.year == 1998


@pytest.mark.parametrize("day", REFUSED_DAYS)
@pytest.mark.parametrize("field", ["start", "end"])
def test_audit_and_export_filters_refuse_days_outside_the_range(console, day, field):
    other = "start" if field == "end" else "end"
    query = {field: day, other: "2030-01-01"}
    response = console.get(reverse("console:audit_log"), query)
    assert response.status_code == 200 and said(response, RANGE_MESSAGE)
    response = console.get(reverse("console:export"), {**query, "format": "csv"})
    assert response.status_code == 200 and said(response, RANGE_MESSAGE)
    response = console.get(
        reverse("console:export_download"), {**query, "format": "csv"}, follow=True
    )
    assert response.status_code == 200 and said(response, RANGE_MESSAGE)
