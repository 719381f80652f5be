"""Quality claims after the 7-day window (Consumer Protection Law Art. 24): return and refund,
exchange or repair within the brand's claim period, decided by staff with a reason; a complaint's
resolution may order a refund through the same path."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.helpers import deliver, pay, png_upload
from weishang.commissions import ledger
from weishang.commissions.models import Commission, CommissionPlan
from weishang.commissions.services import settle_commissions
from weishang.compliance import complaints
from weishang.compliance.models import AuditEntry
from weishang.distribution.models import Binding, ProgrammeSettings
from weishang.inventory.models import Stock, StockMovement
from weishang.inventory.services import OutOfStock
from weishang.orders import claims
from weishang.orders import services as orders
from weishang.orders.errors import OrderError
from weishang.orders.models import AfterSalesSettings, Order, OrderStatus, QualityClaim
from weishang.payments.models import Refund
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db

AFTER_WINDOW = timedelta(days=30)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def delivered_order(customer, sku, quantity=4):
    order = sales.place_order(
        customer=customer, items={sku.pk: quantity}, address=customer.addresses.get()
    )
    return deliver(pay(order))


def file(order, remedy, *, quantity=1, now=None, **fields):
    fields.setdefault("photos", [png_upload()])
    fields.setdefault("description", "打开发现发霉")
    return claims.file_claim(
        order=order,
        customer=order.customer,
        order_line_id=order.lines.get().pk,
        quantity=quantity,
        remedy=remedy,
        now=now or timezone.now() + AFTER_WINDOW,
        **fields,
    )


def test_a_claim_after_the_window_is_filed_with_its_photo_and_the_7_day_return_is_refused(
    customer, sku
):
    order = delivered_order(customer, sku)
    later = timezone.now() + AFTER_WINDOW
    with pytest.raises(OrderError) as refused:
        orders.request_return(
            order=order, customer=customer, quantities={order.lines.get().pk: 1}, now=later
        )
    assert refused.value.code == "return_window_closed"

    claim = file(order, "refund", quantity=2, now=later)

    assert (claim.status, claim.quantity, claim.refund_fen) == ("requested", 2, 2 * 3990)
    stored = claim.photos.get()
    assert stored.image.name.endswith(".png") and "broken" not in stored.image.name
    assert stored.image.storage.exists(stored.image.name)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"photos": []}, "Attach at least one photo"),
        ({"description": "  "}, "Describe the quality problem"),
        ({"quantity": 5}, "You can claim from 1 to 4"),
        ({"remedy": "cash"}, "Choose a return and refund"),
    ],
)
def test_a_claim_without_photo_text_or_within_the_goods_is_refused(customer, sku, fields, message):
    order = delivered_order(customer, sku)
    fields = {"remedy": "refund"} | fields
    with pytest.raises(OrderError, match=message):
        file(order, **fields)
    assert not QualityClaim.objects.exists()


def test_the_claim_period_is_the_brands_setting_counted_from_sign_for(customer, sku):
    order = delivered_order(customer, sku)
    assert AfterSalesSettings.current().claim_days == 730  # Civil Code Art. 621, by default
    AfterSalesSettings.objects.create(pk=1, claim_days=90)
    end = claims.claim_period_end(order)
    assert end == claims.claim_period_end(order)
    assert timedelta(days=90) < end - order.delivered_at <= timedelta(days=91)

    assert file(order, "repair", now=end - timedelta(minutes=1)).status == "requested"
    with pytest.raises(OrderError) as refused:
        file(order, "repair", now=end)
    assert refused.value.code == "claim_period_over"


def test_an_exchange_ships_a_replacement_from_stock(customer, sku, staff):
    order = delivered_order(customer, sku)
    on_hand = Stock.objects.get(sku=sku).on_hand
    claim = file(order, "exchange")

    claim = claims.approve_claim(claim=claim, actor=staff, remedy="exchange", reason="换新")
    stock = Stock.objects.get(sku=sku)
    assert (claim.status, claim.decided_remedy) == ("approved", "exchange")
    assert (stock.on_hand, stock.reserved) == (on_hand, 1)

    claim = claims.ship_claim(claim=claim, actor=staff, carrier="sf", tracking_no="SF1402837465920")
    stock = Stock.objects.get(sku=sku)
    assert (claim.status, claim.tracking_no) == ("shipped", "SF1402837465920")
    assert (stock.on_hand, stock.reserved) == (on_hand - 1, 0)
    moves = StockMovement.objects.filter(reference=claim.number)
    assert sorted(moves.values_list("kind", "quantity")) == [("reserved", 1), ("shipped", 1)]
    entries = AuditEntry.objects.filter(object_type="orders.qualityclaim", object_id=str(claim.pk))
    assert [e.action for e in entries.order_by("pk")] == [
        "claim.approve",
        "claim.ship",
    ]
    order.refresh_from_db()
    assert order.refunded_fen == 0


def test_an_exchange_is_refused_while_the_replacement_is_out_of_stock(
    customer, make_product, staff
):
    sku = make_product(stock=1)
    order = delivered_order(customer, sku, quantity=1)
    claim = file(order, "exchange")
    with pytest.raises(OutOfStock, match="sold out"):
        claims.approve_claim(claim=claim, actor=staff, remedy="exchange")
    claim.refresh_from_db()
    assert claim.status == "requested" and not AuditEntry.objects.filter(action="claim.approve")


def test_a_repair_ships_the_goods_back_without_touching_stock(customer, make_customer, sku, staff):
    order = delivered_order(customer, sku)
    claim = file(order, "repair")

    def send(who):
        return claims.send_claim_goods(
            claim=claim, customer=who, carrier="zto", tracking_no="78310029455612"
        )

    with pytest.raises(OrderError, match="once the brand has approved"):
        send(customer)
    claims.approve_claim(claim=claim, actor=staff, remedy="repair")
    with pytest.raises(OrderError, match="not yours"):
        send(make_customer())
    sent = send(customer)
    assert (sent.return_carrier, sent.return_tracking_no) == ("zto", "78310029455612")
    assert sent.returned_sent_at is not None
    claim = claims.ship_claim(claim=claim, actor=staff, carrier="zto", tracking_no="783100294556")
    assert (claim.status, claim.decided_remedy) == ("shipped", "repair")
    assert not StockMovement.objects.filter(reference=claim.number).exists()


def test_a_rejection_needs_a_reason_the_customer_sees(customer, sku, staff):
    order = delivered_order(customer, sku)
    claim = file(order, "refund")
    with pytest.raises(OrderError, match="Say why"):
        claims.reject_claim(claim=claim, actor=staff, reason=" ")
    claim = claims.reject_claim(claim=claim, actor=staff, reason="照片显示为人为损坏")
    assert (claim.status, claim.decision_reason) == ("rejected", "照片显示为人为损坏")
    entry = AuditEntry.objects.get(action="claim.reject")
    assert entry.actor_id == staff.pk and entry.reason == "照片显示为人为损坏"
    with pytest.raises(OrderError, match="cannot be decided"):
        sales.refund_claim(claim=claim, actor=staff)
    assert not Refund.objects.exists()


@pytest.fixture
def seller(make_distributor, customer):
    CommissionPlan.objects.create(
        version=1, default_rate_bp=500, created_at=timezone.now() - timedelta(days=1)
    )
    ProgrammeSettings.objects.create(withdrawal_min_fen=100)
    distributor = make_distributor()
    distributor.customer.addresses.update(detail=f"人民路{distributor.pk}号")
    Binding.objects.create(
        customer=customer, distributor=distributor, source="qr", bound_at=timezone.now()
    )
    return distributor


def available(distributor) -> int:
    return ledger.balances_for([distributor.pk])[distributor.pk]["available"]


@pytest.mark.django_db(transaction=True)
def test_a_refund_after_settlement_goes_to_the_provider_and_nets_the_distributors_commission(
    customer, sku, staff, seller, bank
):
    order = delivered_order(customer, sku, quantity=10)  # 399.00 at 5 % = 19.95
    later = timezone.now() + AFTER_WINDOW
    assert len(orders.complete_orders(now=later)) == 1
    assert settle_commissions(now=later) == 1
    assert available(seller) == 1995
    claim = file(order, "refund", quantity=3, now=later)

    claim = sales.refund_claim(claim=claim, actor=staff, reason="确认发霉，退款")

    order.refresh_from_db()
    assert (claim.status, claim.refund_fen) == ("refunded", 3 * 3990)
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 3 * 3990)
    assert order.lines.get().returned_quantity == 3
    refund = Refund.objects.get(return_number=claim.number)
    assert (refund.status, refund.amount_fen) == (Refund.Status.SUCCEEDED, 3 * 3990)
    assert bank.calls == [refund.idempotency_key] and bank.in_transaction == [False]
    commission = Commission.objects.get(order=order)
    assert commission.reversed_fen == 598  # 3 of 10 of 1995, floored
    assert available(seller) == 1995 - 598  # netted as a 7-day return's would be
    assert sum(ledger.all_balances().values()) == 0
    assert AuditEntry.objects.get(action="claim.refund").actor_id == staff.pk
    completed_at = Order.objects.get(pk=order.pk).completed_at
    # Completed again, as before.
    assert len(orders.complete_orders(now=later + timedelta(days=1))) == 1
    order.refresh_from_db()
    assert (order.status, order.completed_at) == (OrderStatus.COMPLETED, completed_at)
    with pytest.raises(OrderError, match="cannot be decided"):
        sales.refund_claim(claim=claim, actor=staff)
    assert Refund.objects.count() == 1


def test_a_complaint_resolution_orders_a_refund_through_the_same_path(
    client, customer, sku, staff, seller, bank, django_capture_on_commit_callbacks
):
    order = delivered_order(customer, sku, quantity=2)
    later = timezone.now() + AFTER_WINDOW
    orders.complete_orders(now=later)
    complaint = complaints.file_complaint(
        customer=customer, order=order, category="quality", text="枣子有虫"
    )
    complaints.answer_complaint(complaint=complaint, staff=staff, text="请稍候")
    with pytest.raises(OrderError, match="At most ¥79.80"):
        sales.resolve_complaint_with_refund(
            complaint=complaint, staff=staff, outcome="全额退款", amount_fen=8000
        )

    with django_capture_on_commit_callbacks(execute=True):
        claim = sales.resolve_complaint_with_refund(
            complaint=complaint, staff=staff, outcome="补偿一半货款", amount_fen=3990
        )

    complaint.refresh_from_db()
    order.refresh_from_db()
    assert (complaint.status, complaint.outcome) == ("resolved", "补偿一半货款")
    assert (claim.complaint, claim.status, claim.order_line) == (complaint, "refunded", None)
    assert (order.status, order.refunded_fen) == (OrderStatus.PARTIALLY_REFUNDED, 3990)
    refund = Refund.objects.get(return_number=claim.number)
    assert refund.status == Refund.Status.SUCCEEDED and bank.total_fen == 3990
    assert Commission.objects.get(order=order).reversed_fen == 199
    client.force_login(customer.user)
    page = client.get(f"/orders/{order.number}/", headers={"Accept-Language": "zh-hans"})
    assert f"投诉 {complaint.number} 处理决定的退款" in page.content.decode()
    entries = AuditEntry.objects.filter(action__startswith="complaint.resolve")
    assert [e.after["refund_fen"] for e in entries] == [3990]
    assert entries.get().after["claim"] == claim.number


def test_an_unanswered_complaint_orders_no_refund(customer, sku, staff, seller):
    order = delivered_order(customer, sku, quantity=2)
    complaint = complaints.file_complaint(
        customer=customer, order=order, category="quality", text="枣子有虫"
    )
    with pytest.raises(complaints.ComplaintError):
        sales.resolve_complaint_with_refund(
            complaint=complaint, staff=staff, outcome="退款", amount_fen=100
        )
    order.refresh_from_db()
    assert order.refunded_fen == 0 and not Refund.objects.exists()
    assert not QualityClaim.objects.exists()
