"""A payment queues its order; a fold counts queued orders in the rollups, many at a time, exactly
as the rollups built from scratch count them — whatever happened to the orders in between."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from tests.concurrency import run_in_parallel
from tests.helpers import bought, bought_on, deliver, returned
from weishang.analytics import fold, recompute
from weishang.analytics.models import BuyerDay, SalesDay, UnfoldedOrder
from weishang.distribution import binding
from weishang.distribution.models import ShareSource
from weishang.sales import services as sales

from .test_rollups import snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def sku(make_product):
    return make_product(price_fen=990, stock=1_000)


def counted_as_from_scratch():
    kept = snapshot()
    recompute.rebuild()
    assert snapshot() == kept


def test_a_payment_only_queues_its_order_and_one_fold_counts_it_once(make_customer, sku):
    order = bought(make_customer(), sku, 2)
    assert list(UnfoldedOrder.objects.values_list("order", flat=True)) == [order.pk]
    assert not BuyerDay.objects.exists() and not SalesDay.objects.exists()
    assert fold.fold() == 1
    assert fold.fold() == 0
    day = BuyerDay.objects.get()
    assert (day.orders, day.gmv_fen) == (1, order.total_fen)
    assert not UnfoldedOrder.objects.exists()


def test_one_fold_of_many_orders_over_months_counts_what_recompute_counts(
    make_customer, make_distributor, sku, monkeypatch
):
    monkeypatch.setattr(fold, "BATCH", 7)  # several batches in one fold
    seller = make_distributor()
    buyers = [make_customer() for _ in range(4)]
    for buyer in buyers[:2]:
        binding.bind_customer(customer=buyer, distributor=seller, source=ShareSource.STORE_LINK)
    start = timezone.now() - timedelta(days=80)
    for n in range(24):
        bought_on(buyers[n % 4], sku, start + timedelta(days=3 * n, hours=n % 3))
    assert fold.fold() == 24
    counted_as_from_scratch()


def test_orders_paid_for_a_day_before_one_already_counted_move_its_first_sighting(
    make_customer, sku
):
    buyer = make_customer()
    now = timezone.now()
    bought_on(buyer, sku, now - timedelta(days=2))
    fold.fold()
    # Paid (and queued) later, for earlier days: one before his first, one in between.
    bought_on(buyer, sku, now - timedelta(days=40))
    bought_on(buyer, sku, now - timedelta(days=5))
    bought_on(buyer, sku, now)
    assert fold.fold() == 3
    counted_as_from_scratch()


def test_a_refund_of_an_order_still_queued_counts_its_payment_first(make_customer, sku):
    buyer, other = make_customer(), make_customer()
    kept = bought(buyer, sku, 1)
    cancelled = bought(other, sku, 2)
    back = deliver(bought(buyer, sku, 3))
    sales.cancel_order(order=cancelled, by_brand=False)
    returned(back, 1)
    # Only the two orders refunded were counted; the first waits for the fold.
    assert list(UnfoldedOrder.objects.values_list("order", flat=True)) == [kept.pk]
    fold.fold()
    counted_as_from_scratch()


def test_the_pages_that_read_the_rollups_fold_first(client, staff, make_customer, sku):
    order = bought(make_customer(), sku, 1)
    client.force_login(staff)
    assert client.get("/console/").status_code == 200
    assert not UnfoldedOrder.objects.exists()
    assert BuyerDay.objects.get().gmv_fen == order.total_fen


def test_the_command_folds_what_is_queued_and_refuses_a_negative_interval(
    make_customer, sku, capsys
):
    bought(make_customer(), sku, 1)
    bought(make_customer(), sku, 1)
    call_command("fold_rollups")
    assert "2 paid orders counted" in capsys.readouterr().out
    assert not UnfoldedOrder.objects.exists()
    with pytest.raises(CommandError, match="--every"):
        call_command("fold_rollups", "--every", "-1")


@pytest.mark.postgres
def test_folds_and_refunds_at_once_count_each_order_once(postgres_only, make_customer, sku):
    buyers = [make_customer() for _ in range(3)]
    orders = [bought(buyers[n % 3], sku, 1 + n % 2) for n in range(12)]

    def act(i):
        if i < 3:
            return fold.fold()
        return sales.cancel_order(order=orders[i], by_brand=False)

    results = run_in_parallel(act, 8)
    assert not any(isinstance(r, Exception) for r in results), results
    # The three folds (each waiting for the one before) and the five refunds counted each
    # order once; what is left is counted by the next fold.
    fold.fold()
    assert not UnfoldedOrder.objects.exists()
    counted_as_from_scratch()
