from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from weishang.catalog.models import Category, Product
from weishang.catalog.services import schedule_price_period
from weishang.inventory.services import set_stock_on_hand

pytestmark = pytest.mark.django_db


def test_product_list_shows_cards_with_current_price_and_licence_footer(
    client, brand, make_product
):
    cheap = make_product(name="若羌灰枣", price_fen=3990)
    now = timezone.now()
    schedule_price_period(
        actor=None,
        sku=cheap,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=2),
        price_fen=2990,
    )
    response = client.get("/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "若羌灰枣" in page
    assert "¥29.90" in page  # the limited-time price is the current one
    assert brand.business_licence_no in page


def test_draft_products_are_not_listed(client, brand, make_product):
    sku = make_product(name="下架商品")
    Product.objects.filter(pk=sku.product_id).update(status=Product.Status.DRAFT)
    assert "下架商品" not in client.get("/").content.decode()
    assert (
        client.get(reverse("storefront:product_detail", args=[sku.product.slug])).status_code == 404
    )


def test_category_filter(client, brand, make_product):
    make_product(name="灰枣")
    nuts = Category.objects.create(name="坚果", slug="nuts")
    walnut = make_product(name="核桃")
    Product.objects.filter(pk=walnut.product_id).update(category=nuts)
    page = client.get("/?c=nuts").content.decode()
    assert "核桃" in page and "灰枣" not in page


def test_product_list_query_count_does_not_grow_with_products(
    client, brand, make_product, django_assert_num_queries
):
    make_product()
    # brand footer, categories, products, images, SKUs (+stock), price periods
    with django_assert_num_queries(6):
        client.get("/")
    for _ in range(5):
        make_product()
    with django_assert_num_queries(6):
        response = client.get("/")
    assert response.content.decode().count('data-testid="product-card"') == 6


def test_product_detail_explains_price_period_return_class_and_food_licence(
    client, brand, make_product
):
    sku = make_product(
        name="枣夹核桃",
        price_fen=5000,
        return_class="excludable",
        exclusion_reason="拆封后影响二次销售",
        is_food=True,
        food_licence_no="SC10000000000001",
    )
    now = timezone.now()
    ends = now + timedelta(days=3)
    schedule_price_period(
        actor=None, sku=sku, starts_at=now - timedelta(hours=1), ends_at=ends, price_fen=3900
    )
    page = client.get(
        reverse("storefront:product_detail", args=[sku.product.slug])
    ).content.decode()
    assert "¥39.00" in page
    assert "<s" in page and "¥50.00" in page  # the list price struck through
    assert f"Limited-time price until {timezone.localtime(ends):%Y-%m-%d %H:%M}" in page
    assert "拆封后影响二次销售" in page
    assert "confirm at checkout" in page
    assert "SC10000000000001" in page
    assert "100 available" in page


@pytest.mark.parametrize(
    ("return_class", "text"),
    [("normal", "within 7 days"), ("perishable", "not covered by the 7-day no-reason return")],
)
def test_product_detail_return_classes(client, brand, make_product, return_class, text):
    sku = make_product(return_class=return_class)
    assert (
        text
        in client.get(
            reverse("storefront:product_detail", args=[sku.product.slug])
        ).content.decode()
    )


def test_sold_out_sku(client, brand, make_product):
    sku = make_product(stock=0)
    page = client.get(
        reverse("storefront:product_detail", args=[sku.product.slug])
    ).content.decode()
    assert "Sold out" in page
    assert "available" not in page


def test_adding_to_cart(shopper, customer, sku):
    url = reverse("storefront:product_detail", args=[sku.product.slug])
    response = shopper.post(url, {"sku": sku.pk, "quantity": "2"}, follow=True)
    assert "Added to your cart." in response.content.decode()
    assert customer.cart_items.get().quantity == 2


def test_adding_a_bad_quantity_or_a_sold_out_sku_is_refused(shopper, customer, sku):
    url = reverse("storefront:product_detail", args=[sku.product.slug])
    response = shopper.post(url, {"sku": sku.pk, "quantity": "abc"})
    assert response.status_code == 200
    assert "Quantity must be a whole number" in response.content.decode()
    response = shopper.post(url, {"sku": 999999, "quantity": "1"})
    assert "Choose one of the specifications shown." in response.content.decode()
    assert not customer.cart_items.exists()


def test_product_with_restocked_sku_becomes_buyable(client, brand, make_product):
    sku = make_product(stock=0)
    set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=3)
    page = client.get(
        reverse("storefront:product_detail", args=[sku.product.slug])
    ).content.decode()
    assert "3 available" in page
