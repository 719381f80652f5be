from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum
from django.utils import timezone

from weishang.catalog.models import Brand
from weishang.customers.models import Address, Customer
from weishang.inventory.models import Stock
from weishang.orders.carriers import CARRIERS, waybill_problem
from weishang.orders.models import Order, OrderLine, OrderStatus
from weishang.orders.services import complete_orders
from weishang.payments.models import Payment, Refund
from weishang.sales.services import expire_unpaid_orders

PAID = [
    OrderStatus.PAID,
    OrderStatus.SHIPPED,
    OrderStatus.DELIVERED,
    OrderStatus.COMPLETED,
    OrderStatus.REFUNDED,
]


@pytest.fixture
def generated(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    out = StringIO()
    call_command("generate", customers=40, orders=300, seed=7, verbosity=0, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_counts_match_and_the_catalogue_is_loaded_first(generated):
    assert "loading the demo catalogue first" in generated
    assert "rows/s" in generated
    assert Brand.objects.count() == 1
    assert Customer.objects.count() == 40 + 2  # plus the demo customer and the demo distributor
    assert Order.objects.filter(number__startswith="G").count() == 300
    assert (
        not Customer.objects.annotate(n=Count("addresses", filter=F("addresses__is_default")))
        .exclude(n=1)
        .exists()
    )
    assert Address.objects.count() >= 41


@pytest.mark.django_db
def test_orders_are_consistent(generated):
    orders = Order.objects.filter(number__startswith="G")
    assert set(orders.values_list("status", flat=True)) >= {
        OrderStatus.PENDING_PAYMENT,
        OrderStatus.CANCELLED,
        OrderStatus.COMPLETED,
        OrderStatus.DELIVERED,
    }
    sums = orders.annotate(lines_total=Sum("lines__line_total_fen"))
    assert not sums.exclude(total_fen=F("lines_total")).exists()
    assert not OrderLine.objects.exclude(
        line_total_fen=F("unit_price_fen") * F("quantity")
    ).exists()

    paid = orders.filter(status__in=PAID)
    succeeded = Payment.objects.filter(order__in=paid, status=Payment.Status.SUCCEEDED)
    assert succeeded.count() == paid.count()
    assert not succeeded.exclude(amount_fen=F("order__total_fen")).exists()
    assert succeeded.values("provider_txn_id").distinct().count() == succeeded.count()
    assert not Payment.objects.filter(
        order__status__in=[OrderStatus.PENDING_PAYMENT, OrderStatus.CANCELLED],
        status=Payment.Status.SUCCEEDED,
    ).exists()
    refunded = orders.filter(status=OrderStatus.REFUNDED)
    assert not refunded.exclude(refunded_fen=F("total_fen")).exists()
    assert Refund.objects.filter(payment__order__in=refunded).count() == refunded.count()

    # timestamps follow the status
    now = timezone.now()
    assert not orders.filter(placed_at__gt=now).exists()
    assert not paid.filter(paid_at__lt=F("placed_at")).exists()
    assert not orders.filter(shipped_at__lt=F("paid_at")).exists()
    assert not orders.filter(delivered_at__lt=F("shipped_at")).exists()
    assert not orders.filter(completed_at__gt=now).exists()
    assert not orders.filter(placed_at__lt=F("customer__created_at")).exists()
    assert not Stock.objects.filter(on_hand__lt=0).exists()


@pytest.mark.django_db
def test_generated_shipments_name_a_carrier_and_a_waybill_of_its_shape(generated):
    shipped = Order.objects.filter(number__startswith="G", shipped_at__isnull=False)
    pairs = list(shipped.values_list("carrier", "tracking_no"))
    assert pairs and {carrier for carrier, _number in pairs} <= set(CARRIERS)
    assert [(c, n) for c, n in pairs if waybill_problem(c, n)] == []


@pytest.mark.django_db
def test_housekeeping_finds_nothing_due_in_generated_data(generated):
    assert expire_unpaid_orders() == 0
    assert complete_orders() == []


@pytest.mark.django_db
def test_generated_open_orders_hold_stock_that_expiry_releases(generated):
    from django.db.models import Sum
    from django.utils import timezone

    from weishang.inventory.models import Stock
    from weishang.orders.models import Order, OrderLine

    open_units = OrderLine.objects.filter(order__status__in=["pending_payment", "paid"]).aggregate(
        n=Sum("quantity")
    )["n"]
    assert Stock.objects.aggregate(n=Sum("reserved"))["n"] == open_units
    pending = Order.objects.filter(status="pending_payment").count()
    assert expire_unpaid_orders(now=timezone.now() + timezone.timedelta(minutes=31)) == pending
    paid_units = OrderLine.objects.filter(order__status="paid").aggregate(n=Sum("quantity"))["n"]
    assert Stock.objects.aggregate(n=Sum("reserved"))["n"] == (paid_units or 0)


@pytest.mark.django_db
def test_same_seed_generates_again_without_clashes(generated):
    call_command("generate", customers=5, orders=20, seed=7, verbosity=0, stdout=StringIO())
    assert Order.objects.filter(number__startswith="G").count() == 320
