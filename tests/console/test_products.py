"""Products and stock in the console: publish rules, warehouse counts, lifecycle price periods."""

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from weishang.catalog.models import Category, PricePeriod, Product, Sku
from weishang.inventory.models import Stock, StockMovement
from weishang.inventory.services import set_stock_on_hand

from .conftest import messages_of


def draft_product(*, is_food=False, food_licence_no="", price_fen=3990):
    category, _ = Category.objects.get_or_create(slug="jujube", defaults={"name": "红枣"})
    n = Product.objects.count() + 1
    product = Product.objects.create(
        name=f"骏枣 {n}",
        slug=f"draft-{n}",
        category=category,
        is_food=is_food,
        food_licence_no=food_licence_no,
    )
    sku = Sku.objects.create(product=product, code=f"D-{n}", name="1kg", list_price_fen=price_fen)
    set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=10)
    return product


def local(text: str) -> datetime:
    return timezone.make_aware(datetime.strptime(text, "%Y-%m-%dT%H:%M"))


@pytest.mark.django_db
def test_products_page_shows_skus_price_and_stock(console, sku, place):
    place(quantity=3)
    PricePeriod.objects.create(
        sku=sku,
        starts_at=timezone.now() - timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1),
        price_fen=2990,
    )
    html = console.get(reverse("console:product_list")).content.decode()
    row = html[html.index(f'id="sku-{sku.pk}"') :]
    row = row[: row.index("</tr>")]
    assert sku.code in row
    assert "¥29.90" in row and "¥39.90" in row  # current price and list price
    assert '<td class="num">100</td>' in row  # on hand
    assert '<td class="num">3</td>' in row  # reserved
    assert '<td class="num">97</td>' in row  # available


@pytest.mark.django_db
def test_set_stock_on_hand(console, sku):
    response = console.post(
        reverse("console:stock_set", args=[sku.pk]),
        {"on_hand": "250", "next": reverse("console:product_list") + "?page=1"},
        follow=True,
    )
    assert response.request["QUERY_STRING"] == "page=1"
    assert any("250" in m for m in messages_of(response))
    assert Stock.objects.get(sku=sku).on_hand == 250
    movement = StockMovement.objects.filter(sku=sku, kind="adjusted").latest("pk")
    assert movement.quantity == 150


@pytest.mark.django_db
def test_stock_cannot_go_below_reserved(console, sku, place):
    place(quantity=5)
    response = console.post(
        reverse("console:stock_set", args=[sku.pk]), {"on_hand": "4"}, follow=True
    )
    (message,) = messages_of(response)
    assert "5 units are reserved" in message
    stock = Stock.objects.get(sku=sku)
    assert (stock.on_hand, stock.reserved) == (100, 5)


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["-1", "", "abc", "1.5", "1e3", "99999999999999"])
def test_bad_stock_input_changes_nothing(console, sku, value):
    movements = StockMovement.objects.count()
    response = console.post(
        reverse("console:stock_set", args=[sku.pk]), {"on_hand": value}, follow=True
    )
    assert messages_of(response)
    assert Stock.objects.get(sku=sku).on_hand == 100
    assert StockMovement.objects.count() == movements


@pytest.mark.django_db
def test_stock_for_a_sku_never_stocked(console, brand):
    product = draft_product()
    sku = Sku.objects.create(product=product, code="NEW-1", name="2kg", list_price_fen=7000)
    html = console.get(reverse("console:product_list")).content.decode()
    assert "NEW-1" in html
    console.post(reverse("console:stock_set", args=[sku.pk]), {"on_hand": "7"})
    assert Stock.objects.get(sku=sku).on_hand == 7


@pytest.mark.django_db
def test_publish_and_unpublish(console, brand):
    product = draft_product()
    response = console.post(reverse("console:product_publish", args=[product.pk]), follow=True)
    assert "is published" in " ".join(messages_of(response))
    product.refresh_from_db()
    assert product.status == Product.Status.PUBLISHED
    console.post(reverse("console:product_unpublish", args=[product.pk]))
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT


@pytest.mark.django_db
def test_food_without_licence_cannot_be_published(console, brand):
    product = draft_product(is_food=True)
    response = console.post(reverse("console:product_publish", args=[product.pk]), follow=True)
    (message,) = messages_of(response)
    assert "Food Safety Law Art. 35" in message
    product.refresh_from_db()
    assert product.status == Product.Status.DRAFT
    assert "no licence no." in response.content.decode()

    licensed = draft_product(is_food=True, food_licence_no="SC11265010200123")
    console.post(reverse("console:product_publish", args=[licensed.pk]))
    licensed.refresh_from_db()
    assert licensed.status == Product.Status.PUBLISHED


@pytest.mark.django_db
def test_products_list_queries_do_not_grow_with_rows(
    console, make_product, django_assert_max_num_queries
):
    for _ in range(30):
        sku = make_product()
        Sku.objects.create(
            product=sku.product, code=f"{sku.code}-B", name="1kg", list_price_fen=7000
        )
        PricePeriod.objects.create(
            sku=sku,
            starts_at=timezone.now(),
            ends_at=timezone.now() + timedelta(days=1),
            price_fen=1990,
        )
    with django_assert_max_num_queries(9):
        response = console.get(reverse("console:product_list"))
    assert len(response.context["rows"]) == 30


def add_period(console, product, **data):
    payload = {
        "sku": product.skus.get().pk,
        "starts_at": "2030-01-01T00:00",
        "ends_at": "2030-02-01T00:00",
        "price": "29.90",
        "label": "新品尝鲜",
    } | data
    return console.post(reverse("console:price_periods", args=[product.pk]), payload, follow=True)


@pytest.mark.django_db
def test_add_a_price_period_in_yuan(console, sku):
    response = add_period(console, sku.product)
    assert "Price period added." in messages_of(response)
    period = PricePeriod.objects.get(sku=sku)
    assert period.price_fen == 2990
    assert period.starts_at == local("2030-01-01T00:00")
    assert period.ends_at == local("2030-02-01T00:00")
    assert period.label == "新品尝鲜"
    html = response.content.decode()
    assert "¥29.90" in html and "2030-01-01 00:00" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("price", "fen"), [("29", 2900), ("0.01", 1), ("1,299.5", 129950), ("19.90", 1990)]
)
def test_prices_convert_exactly_to_fen(console, sku, price, fen):
    add_period(console, sku.product, price=price)
    assert PricePeriod.objects.get(sku=sku).price_fen == fen


@pytest.mark.django_db
def test_overlapping_period_is_refused(console, sku):
    add_period(console, sku.product)
    response = add_period(
        console, sku.product, starts_at="2030-01-31T00:00", ends_at="2030-03-01T00:00"
    )
    (message,) = messages_of(response)
    assert "overlaps the period from 2030-01-01 00:00 to 2030-02-01 00:00" in message
    assert PricePeriod.objects.filter(sku=sku).count() == 1
    # The form keeps what was typed, so the operator can correct it.
    assert 'value="2030-01-31T00:00"' in response.content.decode()
    # Back to back is not an overlap: a period excludes its end.
    add_period(console, sku.product, starts_at="2030-02-01T00:00", ends_at="2030-03-01T00:00")
    assert PricePeriod.objects.filter(sku=sku).count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"price": "1.234"}, "at most two decimals"),
        ({"price": "0"}, "greater than zero"),
        ({"price": "-5"}, "greater than zero"),
        ({"price": "abc"}, "in yuan"),
        ({"price": "NaN"}, "in yuan"),
        ({"price": ""}, "required"),
        ({"ends_at": "2029-12-01T00:00"}, "end after it starts"),
        ({"starts_at": "not a date"}, "valid date/time"),
    ],
)
def test_bad_price_period_input_changes_nothing(console, sku, data, expected):
    response = add_period(console, sku.product, **data)
    assert expected in " ".join(messages_of(response))
    assert not PricePeriod.objects.exists()


@pytest.mark.django_db
def test_another_products_sku_is_refused(console, sku, make_product):
    other = make_product()
    add_period(console, sku.product, sku=other.pk)
    assert not PricePeriod.objects.exists()


@pytest.mark.django_db
def test_delete_a_price_period(console, sku, make_product):
    add_period(console, sku.product)
    period = PricePeriod.objects.get()
    other = make_product()
    wrong = reverse("console:price_period_delete", args=[other.product.pk, period.pk])
    assert console.post(wrong).status_code == 404
    response = console.post(
        reverse("console:price_period_delete", args=[sku.product.pk, period.pk]), follow=True
    )
    assert "Price period deleted." in messages_of(response)
    assert not PricePeriod.objects.exists()


@pytest.mark.django_db
def test_unknown_product_is_404(console):
    assert console.get(reverse("console:price_periods", args=[999999])).status_code == 404
