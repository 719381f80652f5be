"""A pre-sale through the one checkout: its price, its limits, shipping held until its target,
and closing it — released to ship when reached, every order refunded in full when missed."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.helpers import deliver, pay
from weishang.campaigns.errors import CampaignError
from weishang.campaigns.models import Campaign, CampaignOrder, PresaleOutcome
from weishang.commissions.models import Commission, CommissionPlan
from weishang.compliance.models import AuditEntry
from weishang.distribution.models import Binding, ProgrammeSettings
from weishang.inventory.models import Stock
from weishang.notifications.models import Message
from weishang.orders import services as orders
from weishang.orders.errors import OrderError
from weishang.orders.models import OrderStatus
from weishang.payments.models import Refund
from weishang.sales import services as sales


def buy(customer, campaign, sku, quantity=1, now=None):
    return sales.place_order(
        customer=customer,
        items={sku.pk: quantity},
        address=customer.addresses.get(),
        campaign_id=campaign.pk,
        clear_cart=False,
        now=now,
    )


def after_end(campaign):
    return campaign.ends_at + timedelta(minutes=1)


@pytest.fixture
def presale(make_campaign, sku):
    return make_campaign(skus=[sku], price_fen=2990, stock_units=10, target_units=3)


def test_the_order_is_charged_the_campaign_price_and_waits_for_the_target(presale, sku, customer):
    order = buy(customer, presale, sku, 2)
    line = order.lines.get()
    assert (line.unit_price_fen, line.line_total_fen) == (2990, 5980)
    assert order.total_fen == 5980 + order.freight_fen
    assert order.awaiting_presale
    presale.refresh_from_db()
    assert presale.units_taken == 2
    assert Stock.objects.get(sku=sku).reserved == 2
    order = pay(order)
    with pytest.raises(OrderError, match="pre-sale that has not reached its target"):
        orders.ship_order(order=order, actor=None, carrier="sf", tracking_no="SF1234567890123")
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_limits_start_and_end_are_refused_clearly(make_campaign, sku, make_customer):
    campaign = make_campaign(skus=[sku], stock_units=4, per_customer_limit=3)
    first, second = make_customer(), make_customer()
    buy(first, campaign, sku, 3)
    with pytest.raises(CampaignError, match="at most 3 in this campaign; you have 3"):
        buy(first, campaign, sku, 1)
    with pytest.raises(CampaignError, match="Only 1 left in this campaign"):
        buy(second, campaign, sku, 2)
    buy(second, campaign, sku, 1)
    with pytest.raises(CampaignError, match="sold out"):
        buy(make_customer(), campaign, sku, 1)
    with pytest.raises(CampaignError, match="has ended"):
        buy(make_customer(), campaign, sku, 1, now=after_end(campaign))
    later = make_campaign(
        skus=[sku], starts_at=timezone.now() + timedelta(days=1), name="later", publish=False
    )
    with pytest.raises(CampaignError, match="not open"):
        buy(make_customer(), later, sku, 1)
    assert CampaignOrder.objects.count() == 2


def test_a_sku_outside_the_campaign_is_refused(presale, make_product, customer):
    other = make_product()
    with pytest.raises(CampaignError, match="this campaign's offer"):
        buy(customer, presale, other, 1)
    presale.refresh_from_db()
    assert presale.units_taken == 0


def test_unpaid_and_cancelled_orders_give_their_units_back(presale, sku, make_customer):
    unpaid = buy(make_customer(), presale, sku, 2)
    cancelled = buy(make_customer(), presale, sku, 3)
    sales.cancel_order(order=cancelled, by_brand=False)
    presale.refresh_from_db()
    assert presale.units_taken == 2
    sales.expire_unpaid_orders(now=unpaid.expires_at + timedelta(seconds=1))
    presale.refresh_from_db()
    assert presale.units_taken == 0
    assert not CampaignOrder.objects.filter(released=False).exists()
    assert Stock.objects.get(sku=sku).reserved == 0


def test_a_paid_presale_cancelled_by_its_customer_is_refunded_and_gives_units_back(
    presale, sku, customer
):
    order = pay(buy(customer, presale, sku, 2))
    order = sales.cancel_order(order=order, by_brand=False)
    assert order.status == OrderStatus.REFUNDED
    presale.refresh_from_db()
    assert presale.units_taken == 0


def test_target_reached_releases_the_orders_to_ship(presale, sku, make_customer):
    paid = [pay(buy(make_customer(), presale, sku, q)) for q in (1, 2)]
    counts = sales.close_campaigns(now=after_end(presale))
    assert counts == {"closed": 1, "released": 2, "refunded": 0, "cancelled": 0}
    presale.refresh_from_db()
    assert presale.outcome == PresaleOutcome.REACHED
    for order in paid:
        order.refresh_from_db()
        assert not order.awaiting_presale
        shipped = deliver(order)
        assert shipped.status == OrderStatus.DELIVERED
        assert Message.objects.filter(customer=order.customer, event="presale_reached").exists()
    assert not Refund.objects.exists()
    again = sales.close_campaigns(now=after_end(presale) + timedelta(hours=1))
    assert again == {"closed": 0, "released": 0, "refunded": 0, "cancelled": 0}
    assert AuditEntry.objects.filter(action="campaign.close").count() == 1


def test_target_missed_refunds_every_paid_order_in_full_once(
    presale, sku, make_customer, make_distributor
):
    CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=timezone.now())
    ProgrammeSettings.objects.create()
    buyer = make_customer()
    Binding.objects.create(
        customer=buyer, distributor=make_distributor(), source="store_link", bound_at=timezone.now()
    )
    paid = pay(buy(buyer, presale, sku, 2))
    assert Commission.objects.get(order=paid).amount_fen == 598
    unpaid = buy(make_customer(), presale, sku, 1, now=presale.ends_at - timedelta(minutes=1))
    end = after_end(presale)
    # Placed before the end and still within its time to pay: the pre-sale waits for it.
    assert sales.close_campaigns(now=presale.ends_at) == {
        "closed": 0,
        "released": 0,
        "refunded": 0,
        "cancelled": 0,
    }
    at = max(end, unpaid.expires_at + timedelta(seconds=1))
    assert sales.close_campaigns(now=at) == {
        "closed": 1,
        "released": 0,
        "refunded": 1,
        "cancelled": 1,
    }
    paid.refresh_from_db()
    unpaid.refresh_from_db()
    assert (paid.status, paid.refunded_fen) == (OrderStatus.REFUNDED, paid.total_fen)
    assert unpaid.status == OrderStatus.CANCELLED
    assert Commission.objects.get(order=paid).status == Commission.Status.REVERSED
    refund = Refund.objects.get(payment__order=paid)
    assert (refund.amount_fen, refund.reason) == (paid.total_fen, "pre-sale target not reached")
    message = Message.objects.get(customer=paid.customer, event="presale_missed")
    assert message.params["order"] == paid.number
    presale.refresh_from_db()
    assert (presale.outcome, presale.units_taken) == (PresaleOutcome.MISSED, 0)
    assert Stock.objects.get(sku=sku).reserved == 0
    call_command("close_campaigns", "--now", (at + timedelta(hours=1)).isoformat())
    assert Refund.objects.filter(payment__order=paid).count() == 1
    assert Message.objects.filter(event="presale_missed").count() == 1


def test_commission_follows_the_plan_unless_the_campaign_is_excluded(
    make_campaign, make_product, make_customer, make_distributor
):
    CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=timezone.now())
    ProgrammeSettings.objects.create()
    seller = make_distributor()
    earning_sku, excluded_sku = make_product(), make_product()
    earning = make_campaign(skus=[earning_sku], price_fen=5000, name="earning")
    excluded = make_campaign(
        skus=[excluded_sku], price_fen=5000, name="excluded", exclude_from_commission=True
    )
    buyer = make_customer()
    Binding.objects.create(
        customer=buyer, distributor=seller, source="store_link", bound_at=timezone.now()
    )
    first = buy(buyer, earning, earning_sku)
    second = buy(buyer, excluded, excluded_sku)
    commission = Commission.objects.get(order=first)
    assert (commission.base_fen, commission.amount_fen) == (5000, 500)
    assert not Commission.objects.filter(order=second).exists()
    assert second.distributor == seller


def test_a_published_campaigns_terms_cannot_change(presale, staff, sku):
    from weishang.campaigns import services as campaigns

    with pytest.raises(CampaignError, match="cannot change"):
        campaigns.save_campaign(
            actor=staff,
            campaign=presale,
            kind="presale",
            name="x",
            starts_at=presale.starts_at,
            ends_at=presale.ends_at,
            per_customer_limit=1,
            stock_units=1,
            target_units=1,
            items=[campaigns.ItemInput(sku_id=sku.pk, price_fen=1)],
        )
    assert Campaign.objects.get().name == "新疆红枣预售"


def test_a_presale_ended_early_is_decided_on_what_was_paid_by_then(
    presale, staff, sku, make_customer
):
    from weishang.campaigns import services as campaigns

    paid = [pay(buy(make_customer(), presale, sku, 2)) for _ in range(2)]
    ended = campaigns.end_campaign(actor=staff, campaign=presale)
    with pytest.raises(CampaignError, match="has ended"):
        buy(make_customer(), presale, sku, 1)
    counts = sales.close_campaigns(now=ended.ends_at + timedelta(seconds=1))
    assert counts["closed"] == 1 and counts["released"] == 2
    for order in paid:
        order.refresh_from_db()
        assert not order.awaiting_presale


def test_a_gift_box_campaign_closes_without_touching_its_orders(
    make_campaign, make_product, customer
):
    dates = make_product()
    box = make_campaign(kind="gift_box", skus=[dates], box_price_fen=5000, box_quantity=1)
    order = pay(buy(customer, box, dates, 1))
    assert sales.close_campaigns(now=after_end(box)) == {
        "closed": 1,
        "released": 0,
        "refunded": 0,
        "cancelled": 0,
    }
    box.refresh_from_db()
    order.refresh_from_db()
    assert box.outcome == PresaleOutcome.PENDING and box.closed_at is not None
    assert order.status == OrderStatus.PAID and not order.awaiting_presale


def test_a_payment_arriving_after_a_missed_presale_cancelled_its_order_goes_back(
    presale, sku, customer
):
    from weishang.payments.providers import Notification
    from weishang.payments.services import start_payment

    order = buy(customer, presale, sku, 1, now=presale.ends_at - timedelta(minutes=1))
    payment = start_payment(order=order)
    sales.close_campaigns(now=order.expires_at + timedelta(seconds=1))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    sales.confirm_payment(
        provider="sandbox",
        notification=Notification(
            payment.number, f"txn-{payment.number}", payment.amount_fen, timezone.now()
        ),
    )
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED
    refund = Refund.objects.get(payment=payment)
    assert (refund.amount_fen, refund.reason) == (payment.amount_fen, "paid after cancellation")
