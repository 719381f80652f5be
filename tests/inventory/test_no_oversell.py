import pytest
from django.db import transaction

from tests.concurrency import run_in_parallel
from weishang.inventory.models import Stock
from weishang.inventory.services import OutOfStock, StockError, reserve_stock, set_stock_on_hand
from weishang.orders.models import Order
from weishang.sales.services import place_order


@pytest.mark.postgres
def test_fifty_parallel_buyers_for_the_last_ten_units_make_exactly_ten_orders(
    postgres_only, make_product, make_customer
):
    sku = make_product(stock=10)
    other = make_product(stock=1000)
    buyers = [make_customer() for _ in range(50)]

    def buy(i):
        customer = buyers[i]
        # Half the buyers also take another SKU, so locks are taken on several rows at once.
        items = {sku.pk: 1, other.pk: 1} if i % 2 else {sku.pk: 1}
        return place_order(customer=customer, items=items, address=customer.addresses.get())

    results = run_in_parallel(buy, 50)

    placed = [r for r in results if isinstance(r, Order)]
    refused = [r for r in results if isinstance(r, OutOfStock)]
    assert len(placed) == 10
    assert len(refused) == 40, [r for r in results if not isinstance(r, (Order, OutOfStock))]
    stock = Stock.objects.get(sku=sku)
    assert stock.reserved == 10 and stock.available == 0
    assert Order.objects.count() == 10
    assert Stock.objects.get(sku=other).reserved == sum(1 for o in placed if o.lines.count() == 2)


@pytest.mark.django_db
def test_a_reservation_beyond_the_available_units_changes_nothing(sku):
    # reserve_stock takes no savepoint of its own: a caller going on after a refusal takes one.
    with pytest.raises(OutOfStock), transaction.atomic():
        reserve_stock(quantities={sku.pk: 101}, reference="x")
    stock = Stock.objects.get(sku=sku)
    assert (stock.on_hand, stock.reserved) == (100, 0)


@pytest.mark.django_db
def test_stock_cannot_be_counted_below_what_open_orders_reserved(sku):
    reserve_stock(quantities={sku.pk: 5}, reference="x")
    with pytest.raises(StockError):
        set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=4)
    with pytest.raises(StockError):
        set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=-1)
    assert Stock.objects.get(sku=sku).on_hand == 100
    assert set_stock_on_hand(actor=None, sku_id=sku.pk, on_hand=5).available == 0
