"""A product's address: a Latin or Chinese slug, or none, when the address carries its id."""

import pytest
from django.urls import reverse

from tests.console.conftest import messages_of
from weishang.catalog.models import Product
from weishang.catalog.selectors import published_product
from weishang.catalog.services import add_sku, create_category, create_product, publish_product
from weishang.distribution.models import ShareSource
from weishang.distribution.sharing import share_path
from weishang.inventory.services import set_stock_on_hand

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(db):
    return create_category(actor=None, name="红枣", slug="jujube")


def on_sale(category, *, name, slug=""):
    product = create_product(actor=None, name=name, slug=slug, category=category)
    sku = add_sku(actor=None, product=product, code=f"SKU-{name}", name="500g", list_price_fen=3990)
    set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=10)
    return publish_product(actor=None, product=product)


def test_a_chinese_slug_is_the_products_address(client, brand, category):
    product = on_sale(category, name="若羌灰枣", slug="若羌灰枣")
    url = reverse("storefront:product_detail", args=[product.url_key])
    assert url == "/p/%E8%8B%A5%E7%BE%8C%E7%81%B0%E6%9E%A3/"
    page = client.get(url)
    assert page.status_code == 200 and "若羌灰枣" in page.content.decode()
    listing = client.get("/").content.decode()
    assert f'href="{url}"' in listing


def test_without_a_slug_the_address_carries_the_id(client, brand, category, make_distributor):
    first = on_sale(category, name="骏枣")
    second = on_sale(category, name="灰枣")
    assert (first.slug, second.slug) == ("", "")
    assert first.url_key == str(first.pk)
    page = client.get(f"/p/{second.pk}/")
    assert page.status_code == 200 and "灰枣" in page.content.decode()
    assert published_product(str(first.pk)) == first
    link = share_path(make_distributor(), source=ShareSource.QR, product=first)
    assert link.startswith(f"/p/{first.pk}/?")


def test_a_product_with_a_slug_is_not_found_by_its_id(client, brand, category):
    product = on_sale(category, name="骏枣", slug="junzao")
    assert client.get(f"/p/{product.pk}/").status_code == 404
    assert client.get("/p/99999999999999999999999/").status_code == 404
    with pytest.raises(Product.DoesNotExist):
        published_product("0")


def test_the_console_creates_products_with_chinese_or_no_slugs(console, category):
    for slug in ("骏枣", ""):
        response = console.post(
            reverse("console:product_new"),
            {
                "name": f"骏枣{slug}",
                "slug": slug,
                "category": category.pk,
                "description": "",
                "return_class": "normal",
                "exclusion_reason": "",
                "food_licence_no": "",
            },
        )
        assert response.status_code == 302, messages_of(response)
    assert sorted(Product.objects.values_list("slug", flat=True)) == ["", "骏枣"]


@pytest.fixture
def console(client, staff, brand):
    client.force_login(staff)
    return client
