"""Cash-back red packets (红包返现): the brand offers wallet money for points; a customer redeems
one in the redeem centre, his points spent and his wallet credited in one transaction."""

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from weishang.commissions.locks import lock_customer_account
from weishang.commissions.models import Account
from weishang.compliance import audit

from .errors import LoyaltyError
from .models import RedPacketOffer, RedPacketRedemption
from .points import spend_points
from .wallet import credit_wallet

Kind = Account.Kind
MAX_POINTS_COST = 10_000_000
MAX_AMOUNT_FEN = 100_000  # ¥1,000 a red packet


def active_offers() -> list[RedPacketOffer]:
    return list(RedPacketOffer.objects.filter(active=True))


@transaction.atomic(durable=True)
def redeem_red_packet(
    *, customer_id: int, offer_id: int, request_key: str, now: datetime
) -> RedPacketRedemption:
    """Spends the offer's points and credits its cash-back to the wallet, once per request key
    (a double click redeems once); refuses an offer no longer made or points he lacks."""
    lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_POINTS)
    done = RedPacketRedemption.objects.filter(
        customer_id=customer_id, request_key=request_key
    ).first()
    if done is not None:
        return done
    offer = RedPacketOffer.objects.filter(pk=offer_id, active=True).first()
    if offer is None:
        raise LoyaltyError(_("This red packet is no longer offered."))
    redemption = RedPacketRedemption.objects.create(
        customer_id=customer_id,
        offer=offer,
        request_key=request_key,
        points=offer.points_cost,
        amount_fen=offer.amount_fen,
        at=now,
    )
    key = f"redpacket:{redemption.pk}"
    spend_points(
        customer_id=customer_id, points=offer.points_cost, key=key, reason=offer.name, now=now
    )
    credit_wallet(
        customer_id=customer_id, amount_fen=offer.amount_fen, key=key, reason=offer.name, now=now
    )
    return redemption


def _offer_values(offer: RedPacketOffer) -> dict:
    return {
        "name": offer.name,
        "points_cost": offer.points_cost,
        "amount_fen": offer.amount_fen,
        "active": offer.active,
    }


@transaction.atomic
def save_red_packet_offer(
    *,
    actor,
    name: str,
    points_cost: int,
    amount_fen: int,
    active: bool,
    now: datetime,
    offer_id: int | None = None,
) -> RedPacketOffer:
    """Adds an offer or changes one (``offer_id``); audited. Red packets already redeemed keep
    what they cost and paid."""
    name = name.strip()
    if not name:
        raise LoyaltyError(_("Give the red packet a name."))
    if not 0 < points_cost <= MAX_POINTS_COST:
        raise LoyaltyError(_("A red packet costs from 1 to 10,000,000 points."))
    if not 0 < amount_fen <= MAX_AMOUNT_FEN:
        raise LoyaltyError(_("A red packet credits from ¥0.01 to ¥1,000.00."))
    if offer_id is None:
        offer, before = RedPacketOffer(created_at=now), {}
    else:
        offer = RedPacketOffer.objects.select_for_update().filter(pk=offer_id).first()
        if offer is None:
            raise LoyaltyError(_("This red packet no longer exists."))
        before = _offer_values(offer)
    offer.name, offer.points_cost, offer.amount_fen, offer.active = (
        name,
        points_cost,
        amount_fen,
        active,
    )
    offer.save()
    if before:
        audit.record_change(
            actor=actor,
            action="red_packet.save",
            obj=offer,
            before=before,
            after=_offer_values(offer),
        )
    else:
        audit.record(actor=actor, action="red_packet.add", obj=offer, after=_offer_values(offer))
    return offer
