"""The acts that span domains, one transaction each: placing an order (stock and price in
``orders``, the commission quote in ``commissions``), applying a payment (order paid, commission
accrued), completing orders (points earned, tier reviewed), cancelling and refunding (order,
refund request, commission reversal); each keeps the analytics rollups in step. The domains below
never call each other upward; refunds reach the provider after the commit (``payments.refunds``).
"""

from collections.abc import Mapping
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.analytics import rollups
from weishang.campaigns import services as campaigns
from weishang.commissions import services as commissions
from weishang.compliance import audit, complaints
from weishang.compliance.models import Complaint
from weishang.content import attribution
from weishang.customers.models import Address, Customer
from weishang.distribution.binding import attributed_distributor
from weishang.loyalty import coupons, earning, redemptions, share_rewards, tiers
from weishang.loyalty.errors import LoyaltyError
from weishang.loyalty.models import TierChange
from weishang.notifications.events import Event
from weishang.notifications.services import notify
from weishang.orders import claims
from weishang.orders import services as orders
from weishang.orders.models import (
    ClaimStatus,
    Order,
    OrderStatus,
    QualityClaim,
    ReturnRequest,
    ReturnStatus,
)
from weishang.orders.pricing import Deductions
from weishang.payments import services as payments
from weishang.payments.models import Payment
from weishang.payments.providers import Notification
from weishang.reseller import pricing as reseller_pricing

from . import checkout

Outcome = payments.Outcome


@transaction.atomic(durable=True)
def place_order(**details) -> Order:
    """Places the order (``_place_order``)."""
    return _place_order(**details)


@transaction.atomic(durable=True)
def place_order_to_pay(*, provider: str | None = None, **details) -> tuple[Order, Payment | None]:
    """Places the order (``_place_order``) and opens, in the same transaction, the payment the
    customer goes on to make with the provider; none when nothing is left to pay."""
    order = _place_order(**details)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return order, None
    return order, payments.open_payment(order=order, provider=provider)


def _place_order(
    *,
    customer: Customer,
    items: Mapping[int, int],
    address: Address,
    now: datetime | None = None,
    choice: checkout.Choice | None = None,
    shared_by: Customer | None = None,
    post_id: int | None = None,
    campaign_id: int | None = None,
    **options,
) -> Order:
    """Places the order for the distributor the customer is bound to, with the points and wallet
    money he chose to pay with (spent now, under their locks), and quotes what each line earns
    the distributor on what the payment pays for it. An order the points and wallet pay in full
    is paid at once. ``shared_by`` is the customer whose share link brought the buyer (it earns a
    share reward once the order completes); ``post_id`` the distributor's post whose link brought
    him (the order counts on it). ``options`` are those of ``orders.services.place_order``.

    Where the distributor resells a SKU at his own price (``reseller.pricing``), the line is
    charged that price and earns him his markup instead of commission.

    ``campaign_id``: the items are bought in that campaign, at its prices (no member discount,
    coupons, points or wallet on top, nor a reseller's price: the campaign's price is the brand's
    offer), within its stock and the customer's limit, taken under the campaign's lock before the
    stock's; an order of a campaign excluded from commission earns none."""
    now = now or timezone.now()
    purchase = None
    if campaign_id is not None:
        purchase = campaigns.take_units(
            campaign_id=campaign_id, customer=customer, items=items, now=now
        )
    distributor = attributed_distributor(customer, now)
    # The SKUs his reseller sells at his own price: charged at it, earning him the markup.
    resales = {} if purchase else reseller_pricing.resales_for(distributor, items)
    pricer = checkout.Pricer(customer_id=customer.pk, choice=choice or checkout.Choice(), now=now)
    order = orders.place_order(
        customer=customer,
        items=purchase.quantities if purchase else items,
        address=address,
        now=now,
        distributor=distributor,
        deductions=None if purchase else pricer,
        shared_by=shared_by,
        unit_prices=purchase.unit_prices if purchase else reseller_pricing.unit_prices(resales),
        **options,
    )
    if purchase:
        campaigns.record_order(purchase=purchase, order=order, now=now)
    if post_id is not None:
        attribution.credit_order(order=order, post_id=post_id, now=now)
    return _placed(
        order,
        now,
        coupon_ids=pricer.benefits.coupon_ids if pricer.benefits else (),
        commission=purchase is None or purchase.earns_commission,
        markup_supply=reseller_pricing.supply_prices(resales),
    )


def _placed(
    order: Order,
    now: datetime,
    coupon_ids: tuple[int, ...] = (),
    commission: bool = True,
    markup_supply: Mapping[int, int] | None = None,
) -> Order:
    """Spends what the order's deductions took, quotes its commission (on lines sold at a
    reseller's price, his markup instead; none when its campaign is excluded from commission),
    and marks an order that nothing is left to pay for paid."""
    checkout.spend_benefits(order=order, coupon_ids=coupon_ids, now=now)
    if commission:
        commissions.quote_commissions(order=order, now=now, markup_supply=markup_supply)
    if order.total_fen == 0:
        orders.mark_order_paid(order=order, paid_at=now)
        commissions.commissions_paid(order=order, now=now)
        rollups.order_paid(order=order)
    return order


@transaction.atomic(durable=True)
def redeem_product(
    *,
    customer: Customer,
    redemption_id: int,
    quantity,
    address: Address,
    now: datetime | None = None,
    **options,
) -> Order:
    """Orders a product offered for points: each unit's points pay its price less the offer's
    cash, the payment pays the cash and the freight (an order of points alone is paid at once).
    Stock is reserved, the order ships and is returned like any other; the points are spent under
    the account's lock. ``options`` are those of ``orders.services.place_order``."""
    now = now or timezone.now()
    redemption = redemptions.offered_redemptions().filter(pk=redemption_id).first()
    if redemption is None:
        raise LoyaltyError(_("This product is no longer offered for points."))
    units = orders.parse_quantity(quantity)
    if not units:
        raise LoyaltyError(_("Choose how many to redeem."))

    def points_pay(lines):
        per_unit = redemptions.check_terms(
            sku=redemption.sku, points=redemption.points, cash_fen=redemption.cash_fen, now=now
        )
        return Deductions(points=redemption.points * units, points_fen=per_unit * units)

    order = orders.place_order(
        customer=customer,
        items={redemption.sku_id: units},
        address=address,
        now=now,
        distributor=attributed_distributor(customer, now),
        deductions=points_pay,
        clear_cart=False,
        **options,
    )
    return _placed(order, now)


@transaction.atomic(durable=True)
def confirm_payment(*, provider: str, notification: Notification) -> Outcome:
    """Applies a verified notification once: the order is paid and its commission accrues. Paid
    after the order expired or was cancelled, the money goes straight back."""
    outcome = payments.record_payment(provider=provider, notification=notification)
    if outcome.duplicate:
        return outcome
    order = outcome.order
    if order.status == OrderStatus.PENDING_PAYMENT:
        orders.mark_order_paid(order=order, paid_at=notification.paid_at)
        commissions.commissions_paid(order=order, now=notification.paid_at)
        rollups.order_paid(order=order)
        notify(
            customer_id=order.customer_id,
            event=Event.ORDER_PAID,
            params={"order": order.number, "amount_fen": outcome.payment.amount_fen},
            key=f"order_paid:{order.pk}",
            now=notification.paid_at,
        )
    else:
        twice = outcome.payment.status == Payment.Status.DUPLICATE
        payments.request_refund(
            payment=outcome.payment,
            amount_fen=outcome.payment.amount_fen,
            reason=_("paid twice") if twice else _("paid after cancellation"),
        )
    return outcome


@transaction.atomic
def reject_commission(*, commission, actor, reason: str, now: datetime | None = None):
    """The brand rejected a held commission after review: besides the ledger's reversal, what it
    would have earned comes off the distributor's earnings on the day the order was paid."""
    order = Order.objects.get(pk=commission.order_id)
    with rollups.reversing_commissions(order=order):
        return commissions.reject_commission(
            commission=commission, actor=actor, reason=reason, now=now
        )


@transaction.atomic(durable=True)
def cancel_order(
    *, order: Order, by_brand: bool, actor=None, reason: str = "", now: datetime | None = None
) -> Order:
    """Unpaid orders are cancelled by either side and earn nothing; a paid one only at the
    customer's request, and then its payment is refunded in full and its commission reversed.
    A campaign's units come back to it."""
    now = now or timezone.now()
    return _cancel(
        order=order,
        by_brand=by_brand,
        actor=actor,
        reason=reason,
        now=now,
        refund_reason=_("order cancelled by customer"),
    )


def _cancel(*, order: Order, by_brand: bool, actor, reason: str, now, refund_reason: str) -> Order:
    campaigns.lock_for_order(order.pk)
    before = order.status
    order = orders.record_cancellation(order=order, by_brand=by_brand, reason=reason, now=now)
    campaigns.release_units(order=order)
    if order.status == OrderStatus.REFUNDED:
        reference = f"cancel:{order.number}"
        if order.total_fen:
            reference = payments.refund_order(
                order=order, amount_fen=order.total_fen, reason=refund_reason
            ).number
        lines = list(order.lines.values_list("pk", "quantity", "paid_fen"))
        with rollups.reversing_commissions(order=order):
            commissions.reverse_commissions(
                order=order,
                refunded_lines={pk: paid for pk, _q, paid in lines},
                refund_ref=reference,
                now=now,
            )
        rollups.order_refunded(order=order, amount_fen=order.total_fen)
        rollups.lines_refunded(
            order=order,
            units={pk: quantity for pk, quantity, _p in lines},
            fen={pk: paid for pk, _q, paid in lines},
        )
    else:
        commissions.void_commissions(order=order)
    _benefits_back(order, now)
    if order.status == OrderStatus.REFUNDED:
        tiers.review_tier(
            customer_id=order.customer_id,
            reason=TierChange.Reason.REFUND,
            now=now,
            reference=order.number,
        )
    if actor is not None:
        audit.record(
            actor=actor,
            action="order.cancel",
            obj=order,
            before={"status": before},
            after={"status": order.status, "refunded_fen": order.refunded_fen},
            reason=reason,
        )
    return order


def expire_unpaid_orders(*, now: datetime | None = None) -> int:
    """Cancels orders left unpaid past their deadline, frees their stock and voids their quoted
    commission, one transaction per order; safe to rerun."""
    now = now or timezone.now()
    expired = 0
    for order_id in orders.unpaid_past_deadline(now):
        with transaction.atomic(durable=True):
            campaigns.lock_for_order(order_id)
            order = orders.expire_order(order_id=order_id, now=now)
            if order is not None:
                campaigns.release_units(order=order)
                commissions.void_commissions(order=order)
                _benefits_back(order, now)
                expired += 1
    return expired


def close_campaigns(*, now: datetime | None = None) -> dict[str, int]:
    """Closes the campaigns past their end; a pre-sale that reached its target releases its
    orders to ship, one that missed it cancels its unpaid orders and refunds every paid one in
    full, as a customer's cancellation would (commission reversed, points, wallet and coupons
    back); each customer is told. One transaction per campaign and per order, each re-checked
    under its locks: safe to rerun, and two runs at once act on each order once."""
    now = now or timezone.now()
    counts = {"closed": 0, "released": 0, "refunded": 0, "cancelled": 0}
    for campaign_id in campaigns.due_for_closing(now):
        counts["closed"] += campaigns.close_campaign(campaign_id=campaign_id, now=now) is not None
    for order_id in campaigns.orders_to_release():
        counts["released"] += _release_presale_order(order_id=order_id, now=now)
    for order_id in campaigns.orders_to_refund():
        outcome = _refund_missed_presale(order_id=order_id, now=now)
        if outcome:
            counts[outcome] += 1
    return counts


@transaction.atomic(durable=True)
def _release_presale_order(*, order_id: int, now: datetime) -> bool:
    campaign = campaigns.lock_for_order(order_id)
    order = orders.release_presale_hold(order_id=order_id)
    if order is None:
        return False
    if order.status == OrderStatus.PAID:
        notify(
            customer_id=order.customer_id,
            event=Event.PRESALE_REACHED,
            params={"order": order.number, "campaign": campaign.name},
            key=f"presale_reached:{order.pk}",
            now=now,
        )
    return True


@transaction.atomic(durable=True)
def _refund_missed_presale(*, order_id: int, now: datetime) -> str:
    """The pre-sale's terms, accepted with the order, end it when the target is missed: not the
    brand's cancellation of a contract (E-commerce Law Art. 49), so it goes as the customer's
    cancellation does, with the whole payment refunded."""
    campaign = campaigns.lock_for_order(order_id)
    order = Order.objects.select_for_update().get(pk=order_id)
    if order.status not in (OrderStatus.PAID, OrderStatus.PENDING_PAYMENT):
        return ""
    order = _cancel(
        order=order,
        by_brand=False,
        actor=None,
        reason=f"presale missed: {campaign.name}"[:200],
        now=now,
        refund_reason=_("pre-sale target not reached"),
    )
    if order.status != OrderStatus.REFUNDED:
        return "cancelled"
    notify(
        customer_id=order.customer_id,
        event=Event.PRESALE_MISSED,
        params={
            "order": order.number,
            "campaign": campaign.name,
            "amount_fen": order.refunded_fen,
        },
        key=f"presale_missed:{order.pk}",
        now=now,
    )
    return "refunded"


def _benefits_back(order: Order, now: datetime) -> None:
    """A cancelled order gives back all its wallet money and points, and its coupons."""
    checkout.give_back(
        order=order,
        key=f"cancel:{order.number}",
        wallet_fen=order.wallet_fen,
        points=order.points,
        now=now,
    )
    coupons.release_coupons(order_number=order.number, now=now)


def complete_orders(*, now: datetime | None = None) -> list[int]:
    """Completes the orders whose return window has closed (in bulk), then earns each one's
    points, reviews its customer's tier and rewards the friend who shared it, one transaction per
    order; safe to rerun."""
    now = now or timezone.now()
    completed = orders.complete_orders(now=now, then=rollups.orders_completed)
    for order_id in completed:
        with transaction.atomic(durable=True):
            order = Order.objects.get(pk=order_id)
            earning.order_completed(order=order, now=now)
            share_rewards.reward_completed_order(order=order, now=now)
    return completed


@transaction.atomic(durable=True)
def refund_return(
    *, return_request: ReturnRequest, actor=None, now: datetime | None = None
) -> ReturnRequest:
    """Refunds a received return: the refund is requested (sent after the commit) and the
    returned lines' commission is reversed."""
    now = now or timezone.now()
    rr, order, refunded_lines = orders.record_return_refund(return_request=return_request, now=now)
    if rr.refund_fen:
        payments.refund_order(
            order=order,
            amount_fen=rr.refund_fen,
            reason=_("no-reason return"),
            return_number=rr.number,
        )
    checkout.give_back(
        order=order, key=rr.number, wallet_fen=rr.wallet_fen, points=rr.points, now=now
    )
    _members_after_refund(order, refunded_lines, rr.number, now)
    rollups.order_refunded(order=order, amount_fen=rr.refund_fen)
    rollups.lines_refunded(
        order=order,
        units=dict(
            rr.lines.order_by()
            .values("order_line_id")
            .annotate(n=Sum("quantity"))
            .values_list("order_line_id", "n")
        ),
        fen=refunded_lines,
    )
    with rollups.reversing_commissions(order=order):
        commissions.reverse_commissions(
            order=order, refunded_lines=refunded_lines, refund_ref=rr.number, now=now
        )
    if actor is not None:
        audit.record(
            actor=actor,
            action="return.refund",
            obj=rr,
            before={"status": ReturnStatus.RECEIVED},
            after={"status": rr.status, "refund_fen": rr.refund_fen, "order": order.number},
        )
    return rr


def _members_after_refund(order: Order, refunded_lines, reference: str, now) -> None:
    """A refund takes back, pro rata, the points the order earned if it had completed and the
    reward its sharer got for it, and the customer's tier is reviewed (the refund may take him
    below his tier's threshold)."""
    earning.revoke_order_points(
        order=order, refunded_fen=sum(refunded_lines.values()), key=reference, now=now
    )
    share_rewards.revoke_reward(order=order, now=now)
    tiers.review_tier(
        customer_id=order.customer_id,
        reason=TierChange.Reason.REFUND,
        now=now,
        reference=reference,
    )


def _refund_and_reverse(*, claim: QualityClaim, order: Order, lines, reason: str, now) -> None:
    """The money side of a granted claim, as for a return: the refund is requested under the
    claim's number (sent after the commit, once) and the lines' commission is reversed (after
    settlement, out of the available balance: a debt netted against later earnings)."""
    if claim.refund_fen:
        payments.refund_order(
            order=order, amount_fen=claim.refund_fen, reason=reason, return_number=claim.number
        )
    checkout.give_back(
        order=order, key=claim.number, wallet_fen=claim.wallet_fen, points=claim.points, now=now
    )
    _members_after_refund(order, lines, claim.number, now)
    rollups.order_refunded(order=order, amount_fen=claim.refund_fen)
    if claim.order_line_id is not None:
        # A refund a complaint ordered names no goods: it counts in no product's refunds.
        rollups.lines_refunded(order=order, units={claim.order_line_id: claim.quantity}, fen=lines)
    with rollups.reversing_commissions(order=order):
        commissions.reverse_commissions(
            order=order, refunded_lines=lines, refund_ref=claim.number, now=now
        )


@transaction.atomic(durable=True)
def refund_claim(
    *, claim: QualityClaim, actor, reason: str = "", now: datetime | None = None
) -> QualityClaim:
    """Grants a quality claim's return and refund (Consumer Protection Law Art. 24)."""
    now = now or timezone.now()
    claim, order, lines = claims.record_claim_refund(claim=claim, reason=reason, now=now)
    _refund_and_reverse(claim=claim, order=order, lines=lines, reason=_("quality claim"), now=now)
    audit.record(
        actor=actor,
        action="claim.refund",
        obj=claim,
        before={"status": ClaimStatus.REQUESTED},
        after={"status": claim.status, "refund_fen": claim.refund_fen, "order": order.number},
        reason=claim.decision_reason,
    )
    return claim


@transaction.atomic
def answer_complaint(*, complaint: Complaint, staff, text: str, now: datetime | None = None):
    """Staff answer a complaint in its thread; the customer who filed it is told."""
    message = complaints.answer_complaint(complaint=complaint, staff=staff, text=text, now=now)
    notify(
        customer_id=complaint.customer_id,
        event=Event.COMPLAINT_ANSWERED,
        params={"complaint": complaint.number},
        key=f"complaint_answered:{message.pk}",
        now=message.at,
    )
    return message


@transaction.atomic(durable=True)
def resolve_complaint_with_refund(
    *, complaint: Complaint, staff, outcome: str, amount_fen: int, now: datetime | None = None
) -> QualityClaim:
    """Resolves a complaint ordering a refund on its order, through the claims' refund path; the
    complaint's one audit entry names the refund."""
    now = now or timezone.now()
    claim, order, lines = claims.record_ordered_refund(
        complaint=complaint, amount_fen=amount_fen, reason=outcome, now=now
    )
    _refund_and_reverse(
        claim=claim, order=order, lines=lines, reason=_("complaint resolution"), now=now
    )
    complaints.resolve_complaint(
        complaint=complaint,
        staff=staff,
        outcome=outcome,
        now=now,
        ordered={"refund_fen": amount_fen, "claim": claim.number, "order": order.number},
    )
    return claim
