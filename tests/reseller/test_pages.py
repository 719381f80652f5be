"""The reseller pages: the distributor's reseller page, the brand's pricing editor, resellers list
and report, and the store showing the reseller's price where the buyer is charged it."""

import pytest
from django.conf import settings
from django.contrib.auth.models import Group

from tests.helpers import deliver
from weishang.commissions import services as commissions
from weishang.commissions.models import Commission
from weishang.distribution.tokens import PARAM
from weishang.orders.models import Order
from weishang.reseller import services
from weishang.reseller.models import Listing, Reseller, ResellerPricing

from ..commissions.conftest import after_window, pay, place

pytestmark = pytest.mark.django_db


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def texts(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


@pytest.fixture
def dclient(client, brand, reseller):
    english(client).force_login(reseller.customer.user)
    return client


@pytest.fixture
def console(client, staff, brand):
    english(client).force_login(staff)
    return client


def test_the_distributor_sets_his_price_in_the_band_and_sees_it(dclient, reseller, sku, band):
    band(sku, 3000, 6000)
    page = dclient.get("/d/reseller/").content.decode()
    assert "¥30.00" in page and "¥60.00" in page and sku.code in page
    response = dclient.post("/d/reseller/", {"action": "price", "sku": sku.pk, "price": "45"})
    assert response.status_code == 302
    assert Listing.objects.get(distributor=reseller, sku=sku).price_fen == 4500
    page = dclient.get("/d/reseller/").content.decode()
    assert 'value="45.00"' in page and "¥15.00" in page  # his markup a unit


@pytest.mark.parametrize("price", ["29.99", "60.01", "abc", "-5", "0"])
def test_a_price_outside_the_band_or_not_a_price_is_refused_and_nothing_changes(
    dclient, reseller, sku, band, price
):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    response = dclient.post(
        "/d/reseller/", {"action": "price", "sku": sku.pk, "price": price}, follow=True
    )
    assert response.status_code == 200
    assert texts(response) and Listing.objects.get().price_fen == 4000


def test_the_refusal_shows_the_numbers(dclient, sku, band):
    band(sku, 3000, 6000)
    response = dclient.post(
        "/d/reseller/", {"action": "price", "sku": sku.pk, "price": "65"}, follow=True
    )
    [message] = texts(response)
    assert "¥65.00" in message and "¥30.00" in message and "¥60.00" in message


def test_a_distributor_who_is_not_a_reseller_applies_for_free(client, brand, seller, sku, band):
    band(sku)
    english(client).force_login(seller.customer.user)
    page = client.get("/d/reseller/").content.decode()
    assert "Apply to be a reseller" in page and sku.code not in page
    client.post("/d/reseller/", {"action": "apply"})
    assert Reseller.objects.get(distributor=seller).status == Reseller.Status.APPLIED
    response = client.post("/d/reseller/", {"action": "price", "sku": sku.pk, "price": "40"})
    assert response.status_code == 302 and not Listing.objects.exists()


def test_the_reseller_page_query_count_does_not_grow(
    dclient, reseller, make_product, band, django_assert_max_num_queries
):
    for _ in range(2):
        sku = make_product()
        band(sku)
        services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    with django_assert_max_num_queries(12) as first:
        assert dclient.get("/d/reseller/").status_code == 200
    for _ in range(5):
        sku = make_product()
        band(sku)
        services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    with django_assert_max_num_queries(len(first.captured_queries)):
        dclient.get("/d/reseller/")


def test_the_brand_saves_a_band_and_the_suspended_prices_are_counted(console, reseller, sku, band):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=5500)
    url = f"/console/products/{sku.product_id}/reseller-pricing/"
    assert sku.code in console.get(url).content.decode()
    response = console.post(
        url, {"sku": sku.pk, "supply": "30", "ceiling": "50", "is_open": "on"}, follow=True
    )
    assert ResellerPricing.objects.get().ceiling_fen == 5000
    assert any("1 reseller prices" in m for m in texts(response))
    assert Listing.objects.get().status == Listing.Status.SUSPENDED


@pytest.mark.parametrize(
    ("supply", "ceiling"), [("50", "30"), ("", "30"), ("abc", "30"), ("0", "10")]
)
def test_a_bad_band_is_refused_and_nothing_changes(console, sku, band, supply, ceiling):
    band(sku, 3000, 6000)
    url = f"/console/products/{sku.product_id}/reseller-pricing/"
    response = console.post(url, {"sku": sku.pk, "supply": supply, "ceiling": ceiling})
    assert response.status_code == 200 and texts(response)
    assert ResellerPricing.objects.get().ceiling_fen == 6000


@pytest.mark.parametrize(("role", "may_write"), [("operator", True), ("finance", False)])
def test_only_owner_and_operator_edit_bands_and_approve(
    client, brand, seller, sku, role, may_write
):
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username=f"s-{role}", is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    english(client).force_login(user)
    url = f"/console/products/{sku.product_id}/reseller-pricing/"
    assert client.get(url).status_code == 200
    response = client.post(url, {"sku": sku.pk, "supply": "30", "ceiling": "50", "is_open": "on"})
    assert ResellerPricing.objects.exists() == may_write
    if not may_write:
        assert response.status_code == 403
    client.post("/console/resellers/approve/", {"store": seller.slug})
    assert Reseller.objects.filter(status="approved").exists() == may_write


def test_staff_approve_and_revoke_from_the_list(console, seller, staff):
    services.apply_as_reseller(distributor=seller)
    page = console.get("/console/resellers/").content.decode()
    assert seller.store_name in page and "Approve" in page
    console.post("/console/resellers/approve/", {"store": str(seller.pk)})
    assert Reseller.objects.get().status == Reseller.Status.APPROVED
    response = console.post("/console/resellers/revoke/", {"store": seller.slug}, follow=True)
    assert texts(response) and Reseller.objects.get().status == Reseller.Status.APPROVED
    console.post("/console/resellers/revoke/", {"store": seller.slug, "reason": "ended"})
    assert Reseller.objects.get().status == Reseller.Status.REVOKED
    response = console.post("/console/resellers/approve/", {"store": "nobody"}, follow=True)
    assert "No distributor has this store address or number." in texts(response)


def test_the_report_and_the_detail_show_what_he_sold_and_earned(
    console, plan, reseller, buyer, sku, band, make_product, django_assert_max_num_queries
):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=5000)
    other = make_product(name="骏枣")
    order = pay(place(buyer, {sku: 2, other: 1}))
    deliver(order)
    commissions.settle_commissions(now=after_window())
    with django_assert_max_num_queries(12):
        page = console.get("/console/resellers/report/").content.decode()
    assert reseller.store_name in page and "¥40.00" in page  # 2 × (50 − 30)
    with django_assert_max_num_queries(14):
        page = console.get(f"/console/resellers/{reseller.pk}/").content.decode()
    assert "骏枣" in page and sku.product.name in page  # what his customers buy
    assert "¥40.00" in page and "¥50.00" in page


def test_the_list_pages_query_counts_do_not_grow(
    console, make_seller, staff, django_assert_max_num_queries
):
    for _ in range(2):
        services.approve_reseller(actor=staff, distributor=make_seller())
    with django_assert_max_num_queries(12) as first:
        console.get("/console/resellers/")
    with django_assert_max_num_queries(12) as first_report:
        console.get("/console/resellers/report/")
    for _ in range(5):
        services.approve_reseller(actor=staff, distributor=make_seller())
    with django_assert_max_num_queries(len(first.captured_queries)):
        console.get("/console/resellers/")
    with django_assert_max_num_queries(len(first_report.captured_queries)):
        console.get("/console/resellers/report/")


# The store shows the price the buyer is charged (E-commerce Law Art. 49) --------------------------


def test_a_bound_customer_sees_and_pays_his_resellers_price(
    client, brand, reseller, buyer, sku, band
):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4880)
    english(client).force_login(buyer.user)
    assert "¥48.80" in client.get(f"/p/{sku.product.slug}/").content.decode()
    assert "¥48.80" in client.get("/").content.decode()
    page = client.get(f"/checkout/?buy={sku.pk}&qty=2").content.decode()
    assert "¥97.60" in page
    response = client.post(
        "/checkout/place/",
        {
            f"qty_{sku.pk}": "2",
            "address": buyer.addresses.get().pk,
            "buy_now": "1",
            "expected_total_fen": "9760",  # no freight rule: delivery is free
        },
    )
    order = Order.objects.get()
    assert order.lines.get().unit_price_fen == 4880, response
    assert Commission.objects.get(order=order).kind == Commission.Kind.MARKUP


def test_a_visitor_of_his_micro_store_sees_his_price_others_the_brands(
    client, brand, reseller, sku, band
):
    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4880)
    english(client)
    assert "¥48.80" in client.get(f"/s/{reseller.slug}/").content.decode()
    page = client.get(f"/p/{sku.product.slug}/").content.decode()
    assert "¥48.80" not in page and "¥39.90" in page


def test_a_visitor_brought_by_his_share_link_sees_his_price(client, brand, reseller, sku, band):
    from weishang.distribution import sharing
    from weishang.distribution.models import ShareSource

    band(sku, 3000, 6000)
    services.set_price(distributor=reseller, sku=sku, price_fen=4880)
    link = sharing.share_path(reseller, source=ShareSource.STORE_LINK, product=sku.product)
    assert PARAM in link
    english(client)
    assert "¥48.80" in client.get(link).content.decode()
    assert "¥48.80" in client.get(f"/p/{sku.product.slug}/").content.decode()  # the cookie


def test_his_product_poster_draws_his_price(client, brand, reseller, sku, band):
    import hashlib

    from django.utils import timezone

    from weishang.catalog.rules import Price
    from weishang.distribution import sharing
    from weishang.storefront import resale

    band(sku, 3000, 6000)
    url = f"/s/{reseller.slug}/p/{sku.product.slug}/poster.png"
    english(client)
    before = client.get(url)
    assert before.status_code == 200
    services.set_price(distributor=reseller, sku=sku, price_fen=4880)
    after = client.get(url)
    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    # The page was drawn in English, as the fingerprint is read here (english_outside_requests).
    his = sharing.poster_fingerprint(reseller, sku.product, price=Price(4880, 4880, None))
    day = timezone.localdate().isoformat()
    assert after["ETag"] == '"' + hashlib.sha256(f"{his}|{day}".encode()).hexdigest()[:32] + '"'
    assert resale.his_lowest_price(reseller, sku.product).amount_fen == 4880
