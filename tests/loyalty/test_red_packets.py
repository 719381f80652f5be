"""Red packets: points buy wallet money in one transaction, once per request; offers and awards
by staff are audited."""

import pytest
from django.db import transaction
from django.utils import timezone

from tests.concurrency import run_in_parallel
from weishang.commissions import ledger
from weishang.compliance.models import AuditEntry
from weishang.loyalty import points, redpackets, wallet
from weishang.loyalty.errors import LoyaltyError
from weishang.loyalty.models import RedPacketOffer, RedPacketRedemption

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def grant(customer, n, key="g"):
    with transaction.atomic():
        points.grant_points(customer_id=customer.pk, points=n, key=key, reason="r", now=NOW)


def offer(staff, **fields):
    values = {"name": "5元红包", "points_cost": 500, "amount_fen": 500, "active": True} | fields
    return redpackets.save_red_packet_offer(actor=staff, now=NOW, **values)


def redeem(customer, packet, key):
    return redpackets.redeem_red_packet(
        customer_id=customer.pk, offer_id=packet.pk, request_key=key, now=NOW
    )


def test_a_red_packet_spends_points_and_credits_the_wallet_once_per_request(customer, staff):
    grant(customer, 1200)
    packet = offer(staff)
    first = redeem(customer, packet, "k1")
    assert redeem(customer, packet, "k1") == first  # the double click
    redeem(customer, packet, "k2")
    assert points.points_balance(customer.pk) == 200
    assert wallet.wallet_balance(customer.pk) == 1000
    with pytest.raises(LoyaltyError, match="500 points"):
        redeem(customer, packet, "k3")
    assert RedPacketRedemption.objects.count() == 2
    assert wallet.wallet_balance(customer.pk) == 1000
    assert ledger.asset_totals() == {"fen": 0, "points": 0}


def test_an_offer_withdrawn_cannot_be_redeemed_and_each_save_is_audited(customer, staff):
    grant(customer, 1200)
    packet = offer(staff)
    offer(staff, offer_id=packet.pk, name="5元红包", active=False)
    with pytest.raises(LoyaltyError, match="no longer offered"):
        redeem(customer, packet, "k1")
    assert points.points_balance(customer.pk) == 1200
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "after"))
    assert actions == [
        (
            "red_packet.add",
            {"name": "5元红包", "points_cost": 500, "amount_fen": 500, "active": True},
        ),
        ("red_packet.save", {"active": False}),
    ]
    for bad in ({"name": " "}, {"points_cost": 0}, {"amount_fen": 100_001}):
        with pytest.raises(LoyaltyError):
            offer(staff, **bad)
    assert RedPacketOffer.objects.count() == 1


def test_staff_award_points_with_a_reason_once_per_form(customer, staff):
    def award(n, reason="优质晒单", key="form-1"):
        return points.award_points(
            actor=staff, customer_id=customer.pk, points=n, reason=reason, request_key=key, now=NOW
        )

    lot = award(300)
    assert award(300) == lot
    assert points.points_balance(customer.pk) == 300
    entry = AuditEntry.objects.get(action="points.award")
    assert (entry.actor, entry.reason, entry.after) == (
        staff,
        "优质晒单",
        {"customer": customer.pk, "points": 300},
    )
    for n, reason in ((0, "r"), (1_000_001, "r"), (5, " ")):
        with pytest.raises(LoyaltyError):
            award(n, reason, key="form-2")
    assert AuditEntry.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_click_at_the_same_instant_redeems_once(postgres_only, customer, staff):
    grant(customer, 1000)
    packet = offer(staff)
    results = run_in_parallel(lambda i: redeem(customer, packet, "same").pk, 4)
    assert len(set(results)) == 1
    assert points.points_balance(customer.pk) == 500
    assert wallet.wallet_balance(customer.pk) == 500
