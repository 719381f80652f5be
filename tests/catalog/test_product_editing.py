"""Creating and editing products, SKUs, images and categories: bad input changes nothing."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.helpers import published_food
from weishang.catalog import services
from weishang.catalog.errors import CatalogError
from weishang.catalog.models import Category, Product, ProductImage, ReturnClass, Sku
from weishang.catalog.services import (
    add_product_image,
    add_sku,
    create_category,
    create_product,
    publish_product,
    remove_product_image,
    update_product,
    update_sku,
)
from weishang.inventory.models import Stock


def image_bytes(image_format="PNG", size=(8, 6), color=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=image_format)
    return buffer.getvalue()


def upload(content: bytes, name="photo.png", content_type="image/png"):
    return SimpleUploadedFile(name, content, content_type=content_type)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def category(db):
    return create_category(actor=None, name="红枣", slug="jujube")


@pytest.fixture
def product(category):
    return create_product(actor=None, name="若羌灰枣", slug="ruoqiang", category=category)


def stored_files(root) -> list:
    return [path for path in root.rglob("*") if path.is_file()]


def snapshot():
    """Everything these services can write, to show that a refusal changed nothing."""
    return (
        list(Product.objects.order_by("pk").values()),
        list(Sku.objects.order_by("pk").values()),
        list(Stock.objects.order_by("pk").values("sku_id", "on_hand")),
        list(ProductImage.objects.order_by("pk").values()),
        list(Category.objects.order_by("pk").values()),
    )


# Products ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_product_is_a_draft(category):
    product = create_product(
        actor=None,
        name=" 若羌灰枣 ",
        slug="ruoqiang",
        category=category,
        description="一级灰枣",
        is_food=True,
        food_licence_no="SC11265010200123",
        return_class=ReturnClass.EXCLUDABLE,
        exclusion_reason="拆封后不影响二次销售的除外",
    )
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    assert product.name == "若羌灰枣"
    assert product.return_class == ReturnClass.EXCLUDABLE


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slug": "ruoqiang"}, "already uses the slug"),
        ({"slug": "若羌 灰枣"}, "only letters"),
        ({"slug": "2026"}, "needs a letter"),
        ({"name": "  "}, "Enter the name"),
        ({"name": "枣" * 121}, "at most 120 characters"),
        ({"return_class": ReturnClass.EXCLUDABLE}, "Say why no-reason returns"),
        ({"return_class": ReturnClass.EXCLUDABLE, "exclusion_reason": "   "}, "Say why"),
        ({"return_class": "sometimes"}, "return classes"),
    ],
)
def test_bad_product_is_refused(product, fields, message):
    before = snapshot()
    data = {"name": "骏枣", "slug": "junzao", "category": product.category} | fields
    with pytest.raises(CatalogError, match=message):
        create_product(actor=None, **data)
    assert snapshot() == before


@pytest.mark.django_db
def test_update_product_changes_the_details(product, category):
    other = create_category(actor=None, name="礼盒", slug="gift")
    update_product(
        actor=None, product=product, name="骏枣", slug="junzao", category=other, description="大枣"
    )
    product.refresh_from_db()
    assert (product.name, product.slug, product.category, product.description) == (
        "骏枣",
        "junzao",
        other,
        "大枣",
    )
    # Keeping its own slug is not a duplicate.
    update_product(actor=None, product=product, slug="junzao")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"slug": "taken"}, "already uses the slug"),
        ({"return_class": ReturnClass.EXCLUDABLE, "exclusion_reason": ""}, "Say why"),
        ({"name": ""}, "Enter the name"),
    ],
)
def test_bad_update_changes_nothing(product, category, fields, message):
    create_product(actor=None, name="别的", slug="taken", category=category)
    before = snapshot()
    with pytest.raises(CatalogError, match=message):
        update_product(actor=None, product=product, **fields)
    assert snapshot() == before


@pytest.mark.django_db
def test_update_product_refuses_unknown_fields(product):
    with pytest.raises(TypeError):
        update_product(actor=None, product=product, status=Product.Status.PUBLISHED)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "fields",
    [{"food_licence_no": ""}, {"food_licence_no": "   "}],
)
def test_published_food_cannot_lose_its_licence(category, fields):
    product = published_food(category)
    before = snapshot()
    with pytest.raises(CatalogError, match="Food Safety Law Art. 35") as refused:
        update_product(actor=None, product=product, **fields)
    assert "unpublish" in refused.value.message
    assert snapshot() == before


@pytest.mark.django_db
def test_published_product_cannot_become_food_without_licence(category):
    product = create_product(actor=None, name="枣夹核桃", slug="walnut", category=category)
    add_sku(actor=None, product=product, code="W-1", name="250g", list_price_fen=2990)
    publish_product(actor=None, product=product)
    with pytest.raises(CatalogError, match="Food Safety Law Art. 35"):
        update_product(actor=None, product=product, is_food=True)
    product.refresh_from_db()
    assert product.is_food is False


@pytest.mark.django_db
def test_draft_food_may_lack_a_licence_until_published(category):
    product = create_product(
        actor=None, name="灰枣", slug="huizao", category=category, is_food=True
    )
    update_product(actor=None, product=product, description="待补许可证")
    product.refresh_from_db()
    assert product.description == "待补许可证"


# SKUs --------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_new_sku_has_stock_at_zero(product):
    sku = add_sku(actor=None, product=product, code="RQ-500", name="500g", list_price_fen=3990)
    second = add_sku(actor=None, product=product, code="RQ-1000", name="1kg", list_price_fen=6990)
    assert (sku.list_price_fen, sku.is_active) == (3990, True)
    assert Stock.objects.get(sku=sku).on_hand == 0
    assert list(product.skus.order_by("position")) == [sku, second]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"code": "RQ-500"}, "already in use"),
        ({"list_price_fen": 0}, "positive whole number of fen"),
        ({"list_price_fen": -100}, "positive whole number of fen"),
        ({"list_price_fen": 39.9}, "positive whole number of fen"),
        ({"list_price_fen": "3990"}, "positive whole number of fen"),
        ({"list_price_fen": True}, "positive whole number of fen"),
        ({"list_price_fen": services.MAX_PRICE_FEN + 1}, "too high"),
        ({"code": " "}, "Enter the SKU code"),
        ({"name": ""}, "Enter the specification"),
        ({"code": "X" * 41}, "at most 40 characters"),
    ],
)
def test_bad_sku_is_refused(product, fields, message):
    add_sku(actor=None, product=product, code="RQ-500", name="500g", list_price_fen=3990)
    before = snapshot()
    data = {"code": "RQ-1000", "name": "1kg", "list_price_fen": 6990} | fields
    with pytest.raises(CatalogError, match=message):
        add_sku(actor=None, product=product, **data)
    assert snapshot() == before


@pytest.mark.django_db
def test_update_sku(product):
    sku = add_sku(actor=None, product=product, code="RQ-500", name="500g", list_price_fen=3990)
    update_sku(actor=None, sku=sku, name="500克", list_price_fen=3590, is_active=False)
    sku.refresh_from_db()
    assert (sku.name, sku.list_price_fen, sku.is_active) == ("500克", 3590, False)
    update_sku(actor=None, sku=sku, is_active=True)
    sku.refresh_from_db()
    assert (sku.name, sku.list_price_fen, sku.is_active) == ("500克", 3590, True)


@pytest.mark.django_db
@pytest.mark.parametrize("price", [0, -1, 12.5, "1200"])
def test_bad_sku_price_changes_nothing(product, price):
    sku = add_sku(actor=None, product=product, code="RQ-500", name="500g", list_price_fen=3990)
    before = snapshot()
    with pytest.raises(CatalogError):
        update_sku(actor=None, sku=sku, name="改名", list_price_fen=price)
    assert snapshot() == before


@pytest.mark.django_db
def test_the_last_active_sku_of_a_product_on_sale_stays_active(product):
    sku = add_sku(actor=None, product=product, code="RQ-500", name="500g", list_price_fen=3990)
    publish_product(actor=None, product=product)
    with pytest.raises(CatalogError, match="unpublish the product"):
        update_sku(actor=None, sku=sku, is_active=False)
    sku.refresh_from_db()
    assert sku.is_active
    other = add_sku(actor=None, product=product, code="RQ-1000", name="1kg", list_price_fen=6990)
    update_sku(actor=None, sku=sku, is_active=False)
    with pytest.raises(CatalogError):
        update_sku(actor=None, sku=other, is_active=False)


# Images ------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("image_format", "extension"), [("PNG", "png"), ("JPEG", "jpg"), ("WEBP", "webp")]
)
def test_add_an_image(product, media, image_format, extension):
    content = image_bytes(image_format)
    image = add_product_image(actor=None, product=product, image_file=upload(content, name="x.bin"))
    assert image.image.name.startswith("products/")
    assert image.image.name.endswith(f".{extension}")  # from the real format, not the upload name
    assert (media / image.image.name).read_bytes() == content


@pytest.mark.django_db
def test_images_keep_their_order(product, media):
    first = add_product_image(actor=None, product=product, image_file=upload(image_bytes()))
    second = add_product_image(actor=None, product=product, image_file=upload(image_bytes("JPEG")))
    assert list(product.images.all()) == [first, second]
    assert product.main_image == first


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "JPEG, PNG or WebP"),
        (b"", "JPEG, PNG or WebP"),
        (image_bytes()[:40], "JPEG, PNG or WebP"),  # truncated: the header alone
        (image_bytes("GIF"), "JPEG, PNG or WebP"),
        (image_bytes("BMP"), "JPEG, PNG or WebP"),
    ],
)
def test_a_file_that_is_no_allowed_image_is_refused(product, media, content, message):
    before = snapshot()
    with pytest.raises(CatalogError, match=message):
        add_product_image(actor=None, product=product, image_file=upload(content))
    assert snapshot() == before
    assert stored_files(media) == []


@pytest.mark.django_db
def test_a_png_with_a_corrupt_body_is_refused(product, media):
    content = bytearray(image_bytes(size=(64, 64)))
    content[60:70] = b"\x00" * 10  # inside the IHDR/IDAT chunks: the CRC no longer matches
    with pytest.raises(CatalogError):
        add_product_image(actor=None, product=product, image_file=upload(bytes(content)))
    assert ProductImage.objects.count() == 0
    assert stored_files(media) == []


@pytest.mark.django_db
def test_an_image_over_5_mb_is_refused(product, media):
    content = image_bytes() + b"\x00" * (services.MAX_IMAGE_BYTES)
    with pytest.raises(CatalogError, match="at most 5 MB"):
        add_product_image(actor=None, product=product, image_file=upload(content))
    assert ProductImage.objects.count() == 0
    assert stored_files(media) == []


@pytest.mark.django_db
def test_an_image_declaring_too_many_pixels_is_refused(product, media, monkeypatch):
    monkeypatch.setattr(services, "MAX_IMAGE_PIXELS", 100)
    with pytest.raises(CatalogError, match="too many pixels"):
        add_product_image(
            actor=None, product=product, image_file=upload(image_bytes(size=(20, 20)))
        )
    assert ProductImage.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_removing_an_image_deletes_its_file_after_commit(media):
    category = create_category(actor=None, name="红枣", slug="jujube")
    product = create_product(actor=None, name="灰枣", slug="huizao", category=category)
    image = add_product_image(actor=None, product=product, image_file=upload(image_bytes()))
    path = media / image.image.name
    assert path.exists()
    remove_product_image(actor=None, image=image)
    assert not ProductImage.objects.exists()
    assert not path.exists()


# Categories --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_categories(category):
    gift = create_category(actor=None, name=" 礼盒 ", slug="gift")
    assert list(Category.objects.all()) == [category, gift]
    assert gift.name == "礼盒"
    before = snapshot()
    for name, slug, message in [
        ("又一个", "gift", "already uses the slug"),
        ("", "empty", "Enter the name"),
        ("空格", "has space", "English letters"),
    ]:
        with pytest.raises(CatalogError, match=message):
            create_category(actor=None, name=name, slug=slug)
    assert snapshot() == before
