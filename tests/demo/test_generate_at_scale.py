"""``weishang generate`` tells the distribution programme's story: most orders come through a
distributor's links, each attributed line earns commission in the state its order's state implies,
the ledger holds exactly the transfers the services would have posted, and the rollups built from
it add up to the orders. The same checks on SQLite and (COPY, second connection) on PostgreSQL."""

from collections import defaultdict
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Sum

from weishang.analytics import recompute
from weishang.analytics.models import BuyerDay
from weishang.commissions import ledger
from weishang.commissions.models import Commission
from weishang.commissions.services import settle_commissions
from weishang.customers.models import Customer
from weishang.distribution.models import Binding, Distributor, ShareVisit
from weishang.orders.models import Order, OrderStatus, ReturnRequest, ReturnStatus
from weishang.orders.services import complete_orders
from weishang.payments.models import Refund
from weishang.sales.services import expire_unpaid_orders

CUSTOMERS, DISTRIBUTORS, ORDERS = 400, 40, 3000

# The commission states the services leave for an order's state (and whether the line came back).
EXPECTED = {
    (OrderStatus.PENDING_PAYMENT, False): Commission.Status.AWAITING_PAYMENT,
    (OrderStatus.CANCELLED, False): Commission.Status.VOID,
    (OrderStatus.PAID, False): Commission.Status.PENDING,
    (OrderStatus.SHIPPED, False): Commission.Status.PENDING,
    (OrderStatus.DELIVERED, False): Commission.Status.PENDING,
    (OrderStatus.PARTIALLY_REFUNDED, False): Commission.Status.PENDING,
    (OrderStatus.PARTIALLY_REFUNDED, True): Commission.Status.REVERSED,
    (OrderStatus.COMPLETED, False): Commission.Status.AVAILABLE,
    (OrderStatus.COMPLETED, True): Commission.Status.REVERSED,
    (OrderStatus.REFUNDED, False): Commission.Status.REVERSED,
    (OrderStatus.REFUNDED, True): Commission.Status.REVERSED,
}


def _generate(settings, tmp_path) -> str:
    settings.MEDIA_ROOT = tmp_path / "media"
    out = StringIO()
    call_command(
        "generate",
        customers=CUSTOMERS,
        distributors=DISTRIBUTORS,
        orders=ORDERS,
        days=90,
        seed=11,
        verbosity=0,
        stdout=out,
    )
    return out.getvalue()


def _check_story(output: str) -> None:
    generated = Order.objects.filter(number__startswith="G")
    assert "orders/s" in output and "analytics rollups rebuilt" in output
    assert generated.count() == ORDERS
    # plus the demo customer and the demo distributor, who is a customer too
    assert Customer.objects.count() == CUSTOMERS + 2
    assert Distributor.objects.count() == DISTRIBUTORS + 1

    # Most orders came through a distributor, whose customer the buyer is.
    attributed = generated.filter(distributor__isnull=False)
    assert 0.7 <= attributed.count() / ORDERS <= 0.9
    assert not attributed.exclude(customer__binding__distributor=F("distributor")).exists()
    assert Binding.objects.count() >= attributed.values("customer").distinct().count()
    # Some distributors brought far more than most (Zipf-like), and some invited others.
    per_distributor = sorted(
        attributed.values("distributor").annotate(n=Count("pk")).values_list("n", flat=True)
    )
    assert per_distributor[-1] >= 5 * per_distributor[len(per_distributor) // 2]
    assert Distributor.objects.filter(invited_by__invited_by__isnull=False).exists()
    assert not Distributor.objects.filter(invited_by__invited_by__invited_by__isnull=False).exists()

    # Every state is there, refunds included; every refund has its money and its return.
    statuses = set(generated.values_list("status", flat=True))
    assert statuses == set(OrderStatus.values)
    refunded = generated.filter(refunded_fen__gt=0)
    assert 0.02 <= refunded.count() / ORDERS <= 0.09
    assert (
        not refunded.annotate(back=Sum("payments__refunds__amount_fen"))
        .exclude(back=F("refunded_fen"))
        .exists()
    )
    returns = ReturnRequest.objects.filter(order__in=generated)
    assert returns.exists()
    assert set(returns.values_list("status", flat=True)) == {ReturnStatus.REFUNDED}
    assert not returns.exclude(refund_fen=F("order__refunded_fen")).exists()
    assert Refund.objects.filter(return_number__in=returns.values("number")).count() == (
        returns.count()
    )

    # Each attributed line earns commission in the state its order's state implies.
    commissions = Commission.objects.filter(order__in=generated)
    lines_attributed = attributed.aggregate(n=Count("lines"))["n"]
    assert commissions.count() == lines_attributed
    wrong = [
        row
        for row in commissions.values_list(
            "status", "order__status", "order_line__returned_quantity"
        )
        if EXPECTED[(row[1], row[2] > 0)] != row[0]
    ]
    assert wrong == []
    assert not commissions.filter(status="reversed").exclude(reversed_fen=F("amount_fen")).exists()

    # The ledger: balanced, and each distributor's balances are what his commissions say.
    assert set(ledger.asset_totals().values()) == {0}
    expected = defaultdict(lambda: {"pending": 0, "available": 0})
    for distributor_id, status, net in commissions.filter(
        status__in=["pending", "available"]
    ).values_list("distributor_id", "status", F("amount_fen") - F("reversed_fen")):
        expected[distributor_id][status] += net
    balances = ledger.balances_for(expected)
    assert {d: {k: balances[d][k] for k in ("pending", "available")} for d in expected} == expected
    assert all(b["held"] == 0 == b["withdrawing"] for b in balances.values())

    # About two link openings per attributed order, each with its person.
    visits = ShareVisit.objects.filter(distributor__in=attributed.values("distributor"))
    assert 1.8 <= visits.count() / attributed.count() <= 2.0
    assert not visits.filter(person__isnull=True).exists()
    assert not visits.filter(created_at__lt=F("distributor__approved_at")).exists()

    # The housekeeping finds nothing left to do: everything due has been done.
    assert expire_unpaid_orders() == 0
    assert complete_orders() == []
    assert settle_commissions() == 0

    # The rollups add up to the orders: paid totals less refunds, per customer and day.
    paid = generated.filter(paid_at__isnull=False)
    recompute.rebuild()
    days = BuyerDay.objects.filter(customer__in=paid.values("customer"))
    assert (
        days.aggregate(g=Sum("gmv_fen"))["g"]
        == paid.aggregate(g=Sum(F("total_fen") - F("refunded_fen")))["g"]
    )
    assert days.aggregate(n=Sum("orders"))["n"] == paid.exclude(status="refunded").count()
    through = BuyerDay.objects.filter(distributor__in=attributed.values("distributor")).aggregate(
        g=Sum("gmv_fen")
    )["g"]
    assert (
        through
        == attributed.filter(paid_at__isnull=False).aggregate(
            g=Sum(F("total_fen") - F("refunded_fen"))
        )["g"]
    )


@pytest.mark.django_db
def test_generated_story_holds_together_on_sqlite(settings, tmp_path):
    _check_story(_generate(settings, tmp_path))


@pytest.mark.django_db(transaction=True)
def test_generated_story_holds_together_on_postgresql(postgres_only, settings, tmp_path):
    _check_story(_generate(settings, tmp_path))
