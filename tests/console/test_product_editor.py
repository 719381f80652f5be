"""Creating and editing products in the console: details, SKUs in yuan, uploaded images served."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from tests.helpers import published_food
from weishang.catalog.models import Category, Product, ProductImage, ReturnClass, Sku
from weishang.catalog.services import (
    add_product_image,
    add_sku,
    create_category,
    create_product,
    publish_product,
)
from weishang.inventory.models import Stock

from .conftest import english, messages_of
from .test_access import assert_kept_out


def png_bytes(size=(12, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (180, 20, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    """Uploads go to tmp_path and /media/ serves them from there."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def category(db):
    return create_category(actor=None, name="红枣", slug="jujube")


@pytest.fixture
def product(category):
    product = create_product(actor=None, name="若羌灰枣", slug="ruoqiang", category=category)
    add_sku(actor=None, product=product, code="RQ-500", name="500g", list_price_fen=3990)
    return product


def product_data(category, **fields):
    return {
        "name": "骏枣",
        "slug": "junzao",
        "category": category.pk if category else "",
        "description": "新疆和田骏枣",
        "return_class": ReturnClass.NORMAL,
        "exclusion_reason": "",
        "food_licence_no": "",
    } | fields


def edit_url(product):
    return reverse("console:product_edit", args=[product.pk])


@pytest.mark.django_db
def test_anonymous_and_customers_are_kept_out(client, brand, customer, product, media):
    sku = product.skus.get()
    image = add_product_image(
        actor=None, product=product, image_file=SimpleUploadedFile("a.png", png_bytes())
    )
    urls = {
        "get": [reverse("console:product_new"), edit_url(product)],
        "post": [
            reverse("console:product_new"),
            edit_url(product),
            reverse("console:sku_add", args=[product.pk]),
            reverse("console:sku_edit", args=[sku.pk]),
            reverse("console:sku_activate", args=[sku.pk]),
            reverse("console:sku_deactivate", args=[sku.pk]),
            reverse("console:image_add", args=[product.pk]),
            reverse("console:image_remove", args=[product.pk, image.pk]),
            reverse("console:category_add"),
        ],
    }
    before = (
        list(Product.objects.values()),
        list(Sku.objects.values()),
        list(ProductImage.objects.values()),
        list(Category.objects.values()),
    )
    assert_kept_out(client, urls)
    client.force_login(customer.user)
    assert_kept_out(client, urls)
    assert before == (
        list(Product.objects.values()),
        list(Sku.objects.values()),
        list(ProductImage.objects.values()),
        list(Category.objects.values()),
    )


@pytest.mark.django_db
def test_products_list_links_to_new_and_edit(console, product):
    html = console.get(reverse("console:product_list")).content.decode()
    assert f'href="{reverse("console:product_new")}"' in html
    assert f'href="{edit_url(product)}"' in html


@pytest.mark.django_db
def test_create_a_product_add_a_sku_and_an_image_then_sell_it(console, client, media):
    # A category first: a product needs one.
    response = console.post(
        reverse("console:category_add"),
        {"name": "红枣", "slug": "jujube", "next": reverse("console:product_new")},
        follow=True,
    )
    assert "Category 红枣 is added." in messages_of(response)
    category = Category.objects.get(slug="jujube")
    assert f'<option value="{category.pk}">红枣</option>' in response.content.decode()

    response = console.post(
        reverse("console:product_new"),
        product_data(category, is_food="on", food_licence_no="SC11265010200123"),
        follow=True,
    )
    product = Product.objects.get(slug="junzao")
    assert response.redirect_chain[-1][0] == edit_url(product)
    assert any("created as a draft" in m for m in messages_of(response))
    assert (product.status, product.is_food, product.category) == ("draft", True, category)

    response = console.post(
        reverse("console:sku_add", args=[product.pk]),
        {"code": "JZ-1000", "name": "1kg", "price": "69.90"},
        follow=True,
    )
    assert "SKU JZ-1000 is added with no stock yet." in messages_of(response)
    sku = Sku.objects.get(code="JZ-1000")
    assert (sku.product, sku.name, sku.list_price_fen) == (product, "1kg", 6990)
    assert Stock.objects.get(sku=sku).on_hand == 0
    assert 'value="69.90"' in response.content.decode()

    content = png_bytes()
    response = console.post(
        reverse("console:image_add", args=[product.pk]),
        {"image": SimpleUploadedFile("枣.png", content, content_type="image/png")},
        follow=True,
    )
    assert "Image uploaded." in messages_of(response)
    image = product.images.get()
    assert f'src="{image.image.url}"' in response.content.decode()

    console.post(reverse("console:stock_set", args=[sku.pk]), {"on_hand": "20"})
    response = console.post(reverse("console:product_publish", args=[product.pk]), follow=True)
    assert "骏枣 is published." in messages_of(response)

    store = english(type(client)())
    page = store.get(reverse("storefront:product_detail", args=["junzao"]))
    assert page.status_code == 200
    assert image.image.url.startswith("/media/products/")
    assert f'src="{image.image.url}"' in page.content.decode()
    served = store.get(image.image.url)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert b"".join(served.streaming_content) == content


@pytest.mark.django_db
def test_new_product_page_without_categories_asks_for_one(console):
    html = console.get(reverse("console:product_new")).content.decode()
    assert "There is no category yet" in html
    assert 'action="/console/categories/"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slug": "ruoqiang"}, "already uses the slug “ruoqiang”"),
        ({"slug": "红 枣"}, "only letters"),
        ({"slug": "2026"}, "needs a letter"),
        ({"name": ""}, "Name: "),
        ({"return_class": ReturnClass.EXCLUDABLE}, "Say why no-reason returns"),
        ({"category": "999999"}, "Category: Choose a category."),
        ({"category": ""}, "Category: Choose a category."),
    ],
)
def test_bad_new_product_changes_nothing(console, product, fields, message):
    count = Product.objects.count()
    response = console.post(
        reverse("console:product_new"), {**product_data(product.category), **fields}
    )
    assert response.status_code == 200
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert Product.objects.count() == count
    # The form keeps what was typed.
    assert 'value="骏枣"' in response.content.decode() or fields.get("name") == ""


@pytest.mark.django_db
def test_edit_product_details(console, product, category):
    gift = create_category(actor=None, name="礼盒", slug="gift")
    response = console.post(
        edit_url(product),
        product_data(
            gift,
            name="若羌灰枣 特级",
            slug="ruoqiang-top",
            return_class=ReturnClass.EXCLUDABLE,
            exclusion_reason="拆封后不退",
        ),
        follow=True,
    )
    assert "若羌灰枣 特级 is saved." in messages_of(response)
    product.refresh_from_db()
    assert (product.name, product.slug, product.category, product.exclusion_reason) == (
        "若羌灰枣 特级",
        "ruoqiang-top",
        gift,
        "拆封后不退",
    )
    assert 'value="ruoqiang-top"' in response.content.decode()


@pytest.mark.django_db
def test_published_food_cannot_lose_its_licence_in_the_console(console, category):
    product = published_food(category)
    response = console.post(
        edit_url(product),
        product_data(category, name="灰枣", slug="huizao", is_food="on", food_licence_no=""),
    )
    assert response.status_code == 200
    (message,) = messages_of(response)
    assert "Food Safety Law Art. 35" in message
    product.refresh_from_db()
    assert (product.food_licence_no, product.status) == ("SC1", "published")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("0", "greater than zero"),
        ("-1", "greater than zero"),
        ("1.234", "at most two decimals"),
        ("abc", "in yuan"),
        ("", "List price (yuan): "),
    ],
)
def test_bad_sku_price_changes_nothing(console, product, price, message):
    sku = product.skus.get()
    response = console.post(
        reverse("console:sku_add", args=[product.pk]),
        {"code": "RQ-1000", "name": "1kg", "price": price},
        follow=True,
    )
    assert any(message in m for m in messages_of(response)), messages_of(response)
    assert product.skus.count() == 1
    response = console.post(
        reverse("console:sku_edit", args=[sku.pk]), {"name": "改名", "price": price}, follow=True
    )
    assert any(message in m for m in messages_of(response))
    sku.refresh_from_db()
    assert (sku.name, sku.list_price_fen) == ("500g", 3990)


@pytest.mark.django_db
def test_duplicate_sku_code_is_refused(console, product):
    response = console.post(
        reverse("console:sku_add", args=[product.pk]),
        {"code": "RQ-500", "name": "1kg", "price": "69.90"},
        follow=True,
    )
    (message,) = messages_of(response)
    assert "RQ-500" in message and "already in use" in message
    assert product.skus.count() == 1


@pytest.mark.django_db
def test_edit_price_and_deactivate_a_sku(console, product):
    sku = product.skus.get()
    response = console.post(
        reverse("console:sku_edit", args=[sku.pk]),
        {"name": "500克", "price": "1,299.5"},
        follow=True,
    )
    assert "SKU RQ-500 is saved." in messages_of(response)
    sku.refresh_from_db()
    assert (sku.name, sku.list_price_fen) == ("500克", 129950)
    console.post(reverse("console:sku_deactivate", args=[sku.pk]))
    sku.refresh_from_db()
    assert not sku.is_active
    response = console.post(reverse("console:sku_activate", args=[sku.pk]), follow=True)
    assert "SKU RQ-500 is active." in messages_of(response)
    sku.refresh_from_db()
    assert sku.is_active


@pytest.mark.django_db
def test_the_last_active_sku_of_a_product_on_sale_cannot_be_deactivated(console, product):
    publish_product(actor=None, product=product)
    sku = product.skus.get()
    response = console.post(reverse("console:sku_deactivate", args=[sku.pk]), follow=True)
    (message,) = messages_of(response)
    assert "unpublish the product" in message
    sku.refresh_from_db()
    assert sku.is_active


@pytest.mark.django_db
@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("fake.png", b"<script>alert(1)</script>", content_type="image/png"),
        SimpleUploadedFile("big.png", png_bytes() + b"\0" * (5 * 1024 * 1024), "image/png"),
    ],
    ids=["not-an-image", "over-5-mb"],
)
def test_bad_upload_changes_nothing(console, product, media, upload):
    upload.seek(0)
    response = console.post(
        reverse("console:image_add", args=[product.pk]), {"image": upload}, follow=True
    )
    (message,) = messages_of(response)
    assert "JPEG, PNG or WebP" in message or "at most 5 MB" in message
    assert not product.images.exists()
    assert [p for p in media.rglob("*") if p.is_file()] == []


@pytest.mark.django_db
def test_upload_without_a_file(console, product):
    response = console.post(reverse("console:image_add", args=[product.pk]), {}, follow=True)
    assert messages_of(response) == ["Choose an image file to upload."]


@pytest.mark.django_db(transaction=True)
def test_remove_an_image(client, staff, brand, media):
    english(client).force_login(staff)
    category = create_category(actor=None, name="红枣", slug="jujube")
    product = create_product(actor=None, name="灰枣", slug="huizao", category=category)
    image = add_product_image(
        actor=None, product=product, image_file=SimpleUploadedFile("a.png", png_bytes())
    )
    response = client.post(
        reverse("console:image_remove", args=[product.pk, image.pk]), follow=True
    )
    assert "Image removed." in messages_of(response)
    assert not ProductImage.objects.exists()
    assert not (media / image.image.name).exists()


@pytest.mark.django_db
def test_image_of_another_product_is_not_removed(console, product, category, media):
    other = create_product(actor=None, name="骏枣", slug="junzao", category=category)
    image = add_product_image(
        actor=None, product=other, image_file=SimpleUploadedFile("a.png", png_bytes())
    )
    response = console.post(reverse("console:image_remove", args=[product.pk, image.pk]))
    assert response.status_code == 404
    assert ProductImage.objects.filter(pk=image.pk).exists()


@pytest.mark.django_db
def test_duplicate_category_slug_is_refused(console, category):
    response = console.post(
        reverse("console:category_add"), {"name": "又是红枣", "slug": "jujube"}, follow=True
    )
    (message,) = messages_of(response)
    assert "already uses the slug “jujube”" in message
    assert Category.objects.count() == 1


@pytest.mark.django_db
def test_edit_page_of_a_missing_product_is_404(console):
    assert console.get(reverse("console:product_edit", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_edit_page_queries_do_not_grow_with_skus_and_images(
    console, product, media, django_assert_max_num_queries
):
    for n in range(10):
        add_sku(actor=None, product=product, code=f"RQ-{n}", name=f"{n}kg", list_price_fen=1000 + n)
        add_product_image(
            actor=None, product=product, image_file=SimpleUploadedFile("a.png", png_bytes())
        )
    create_category(actor=None, name="礼盒", slug="gift")
    with django_assert_max_num_queries(9):  # 9th: the user's console role (ConsoleRoleMiddleware)
        response = console.get(edit_url(product))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<tr id="sku-') == 11
    assert html.count("/media/products/") == 20  # each thumbnail links to its image
    assert "礼盒" in html
