"""Every write about campaigns. The brand's acts (saving, publishing, ending) take the staff
member and are audited in the same transaction; the order-time steps (``take_units``,
``record_order``, ``release_units``) run inside ``sales``'s acts, under the campaign's lock."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.catalog.models import Sku
from weishang.compliance import audit
from weishang.customers.models import Customer
from weishang.loyalty.models import MemberStatus, MemberTier
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus
from weishang.transactions import step

from . import rules
from .errors import CampaignError
from .locks import lock_campaign
from .models import (
    Campaign,
    CampaignItem,
    CampaignKind,
    CampaignOrder,
    CampaignStatus,
    PresaleOutcome,
)

MAX_UNITS = 1_000_000


@dataclass(frozen=True)
class ItemInput:
    """One line of the campaign's form: a SKU and its campaign price, or (gift box) how many of
    it a box holds."""

    sku_id: int
    price_fen: int | None = None
    quantity: int = 1


def _check(
    *,
    kind: str,
    name: str,
    starts_at: datetime,
    ends_at: datetime,
    per_customer_limit: int,
    stock_units: int,
    target_units: int | None,
    min_tier: MemberTier | None,
    box_price_fen: int | None,
    items: Sequence[ItemInput],
) -> dict[int, Sku]:
    if kind not in CampaignKind.values:
        raise CampaignError(_("Choose the kind of campaign."))
    if not (name or "").strip():
        raise CampaignError(_("Give the campaign a name."))
    if ends_at <= starts_at:
        raise CampaignError(_("A campaign ends after it starts."))
    if not 1 <= stock_units <= MAX_UNITS or not 1 <= per_customer_limit <= stock_units:
        raise CampaignError(
            _("The campaign stock is at least 1, and the limit per customer from 1 to the stock.")
        )
    if kind == CampaignKind.PRESALE and not (target_units and 1 <= target_units <= stock_units):
        raise CampaignError(_("A pre-sale's target is from 1 unit to the campaign stock."))
    if kind == CampaignKind.MEMBERS and min_tier is None:
        raise CampaignError(_("Choose the member tier a member-only event is open to."))
    if kind == CampaignKind.GIFT_BOX and not box_price_fen:
        raise CampaignError(_("A gift box has one price; enter it."))
    if not items:
        raise CampaignError(_("Add at least one SKU to the campaign."))
    skus = {sku.pk: sku for sku in Sku.objects.filter(pk__in=[i.sku_id for i in items])}
    if len(skus) != len({i.sku_id for i in items}) or len(items) != len(skus):
        raise CampaignError(_("Each SKU appears once, and every SKU must exist."))
    for item in items:
        if kind != CampaignKind.GIFT_BOX and not item.price_fen:
            raise CampaignError(
                _("Enter the campaign price of %(sku)s.") % {"sku": skus[item.sku_id].code}
            )
        if not 1 <= item.quantity <= 99:
            raise CampaignError(_("A box holds 1 to 99 of each SKU."))
    if kind == CampaignKind.GIFT_BOX:
        try:
            rules.box_unit_prices(
                box_price_fen,
                [(i.sku_id, i.quantity, skus[i.sku_id].list_price_fen) for i in items],
            )
        except ValueError:
            raise CampaignError(
                _(
                    "The box price cannot be spread over its items in whole fen; change it by "
                    "a fen or two."
                )
            ) from None
    return skus


@transaction.atomic
def save_campaign(
    *,
    actor,
    campaign: Campaign | None = None,
    kind: str,
    name: str,
    description: str = "",
    starts_at: datetime,
    ends_at: datetime,
    per_customer_limit: int,
    stock_units: int,
    exclude_from_commission: bool = False,
    target_units: int | None = None,
    min_tier: MemberTier | None = None,
    box_price_fen: int | None = None,
    items: Sequence[ItemInput],
    now: datetime | None = None,
) -> Campaign:
    """Creates a campaign as a draft, or edits a draft; a published campaign's terms are what
    its buyers accepted and do not change."""
    now = now or timezone.now()
    _check(
        kind=kind,
        name=name,
        starts_at=starts_at,
        ends_at=ends_at,
        per_customer_limit=per_customer_limit,
        stock_units=stock_units,
        target_units=target_units,
        min_tier=min_tier,
        box_price_fen=box_price_fen,
        items=items,
    )
    before = {}
    if campaign is not None:
        campaign = lock_campaign(campaign.pk)
        if campaign.status != CampaignStatus.DRAFT:
            raise CampaignError(
                _("A published campaign's terms are what its buyers accepted; they cannot change.")
            )
        before = _terms(campaign)
    else:
        campaign = Campaign(created_at=now)
    campaign.kind, campaign.name, campaign.description = kind, name.strip(), description.strip()
    campaign.starts_at, campaign.ends_at = starts_at, ends_at
    campaign.per_customer_limit, campaign.stock_units = per_customer_limit, stock_units
    campaign.exclude_from_commission = exclude_from_commission
    campaign.target_units = target_units if kind == CampaignKind.PRESALE else None
    campaign.min_tier = min_tier if kind == CampaignKind.MEMBERS else None
    campaign.box_price_fen = box_price_fen if kind == CampaignKind.GIFT_BOX else None
    campaign.save()
    campaign.items.all().delete()
    CampaignItem.objects.bulk_create(
        CampaignItem(
            campaign=campaign,
            sku_id=item.sku_id,
            price_fen=None if kind == CampaignKind.GIFT_BOX else item.price_fen,
            quantity=item.quantity if kind == CampaignKind.GIFT_BOX else 1,
        )
        for item in items
    )
    audit.record(
        actor=actor,
        action="campaign.save",
        obj=campaign,
        before=before,
        after=_terms(campaign),
    )
    return campaign


def _terms(campaign: Campaign) -> dict:
    return {
        "name": campaign.name,
        "kind": campaign.kind,
        "starts_at": campaign.starts_at,
        "ends_at": campaign.ends_at,
        "per_customer_limit": campaign.per_customer_limit,
        "stock_units": campaign.stock_units,
        "exclude_from_commission": campaign.exclude_from_commission,
        "target_units": campaign.target_units,
        "min_tier": campaign.min_tier_id,
        "box_price_fen": campaign.box_price_fen,
        "items": [
            [sku_id, price, quantity]
            for sku_id, price, quantity in campaign.items.values_list(
                "sku_id", "price_fen", "quantity"
            )
        ],
    }


@transaction.atomic
def publish_campaign(*, actor, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Shows the campaign in the store; its terms are fixed from now on."""
    now = now or timezone.now()
    campaign = lock_campaign(campaign.pk)
    if campaign.status != CampaignStatus.DRAFT:
        raise CampaignError(_("Only a draft campaign can be published."))
    if campaign.ends_at <= now:
        raise CampaignError(_("This campaign's end has passed; change its dates first."))
    campaign.status, campaign.published_at = CampaignStatus.PUBLISHED, now
    campaign.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        action="campaign.publish",
        obj=campaign,
        before={"status": CampaignStatus.DRAFT},
        after={"status": campaign.status},
    )
    return campaign


@transaction.atomic
def end_campaign(*, actor, campaign: Campaign, now: datetime | None = None) -> Campaign:
    """Ends a published campaign now, before its planned end: no more orders; a pre-sale is
    decided on what was paid by now when ``close_campaigns`` next runs."""
    now = now or timezone.now()
    campaign = lock_campaign(campaign.pk)
    if campaign.status != CampaignStatus.PUBLISHED:
        raise CampaignError(_("Only a published campaign can be ended."))
    before = {"status": campaign.status, "ends_at": campaign.ends_at}
    campaign.status = CampaignStatus.ENDED
    campaign.ends_at = min(campaign.ends_at, max(now, campaign.starts_at + _SECOND))
    campaign.save(update_fields=["status", "ends_at"])
    audit.record(
        actor=actor,
        action="campaign.end",
        obj=campaign,
        before=before,
        after={"status": campaign.status, "ends_at": campaign.ends_at},
    )
    return campaign


_SECOND = timezone.timedelta(seconds=1)


# Ordering ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purchase:
    """What a campaign lets this order buy: the SKUs and quantities, their campaign prices, and
    the campaign units they take."""

    campaign: Campaign
    quantities: dict[int, int]
    unit_prices: dict[int, int]
    units: int

    @property
    def earns_commission(self) -> bool:
        return not self.campaign.exclude_from_commission


def tier_allows(campaign: Campaign, customer_id: int) -> bool:
    """A member-only event is open to its tier and those above (spend thresholds)."""
    if campaign.min_tier_id is None:
        return True
    status = MemberStatus.objects.filter(customer_id=customer_id).select_related("tier").first()
    his = status.tier.threshold_fen if status else 0
    return his >= campaign.min_tier.threshold_fen


def unit_prices(campaign: Campaign, items: list[CampaignItem]) -> dict[int, int]:
    if campaign.kind == CampaignKind.GIFT_BOX:
        return rules.box_unit_prices(
            campaign.box_price_fen,
            [(i.sku_id, i.quantity, i.sku.list_price_fen) for i in items],
        )
    return {i.sku_id: i.price_fen for i in items}


def customer_units(campaign_id: int, customer_id: int) -> int:
    """The units the customer holds in the campaign (orders not given back)."""
    return (
        CampaignOrder.objects.filter(
            campaign_id=campaign_id, customer_id=customer_id, released=False
        ).aggregate(n=Sum("units"))["n"]
        or 0
    )


def open_refusal(campaign: Campaign, now: datetime) -> str | None:
    """Why the campaign takes no order now, or None."""
    if campaign.status == CampaignStatus.DRAFT:
        return _("This campaign is not open.")
    if now < campaign.starts_at:
        return _("This campaign starts at %(at)s.") % {
            "at": f"{timezone.localtime(campaign.starts_at):%Y-%m-%d %H:%M}"
        }
    if now >= campaign.ends_at or campaign.status == CampaignStatus.ENDED:
        return _("This campaign has ended.")
    return None


def _units(campaign: Campaign, campaign_items, quantities: Mapping[int, int]) -> int | None:
    return rules.units_of(
        quantities,
        {i.sku_id: i.quantity for i in campaign_items},
        boxes=campaign.kind == CampaignKind.GIFT_BOX,
    )


def units_wanted(campaign: Campaign, quantities: Mapping[int, int]) -> int | None:
    """The campaign units ``{sku_id: quantity}`` take, or None when they are not of its offer
    (or not whole boxes of a gift box)."""
    return _units(campaign, list(campaign.items.all()), quantities)


def _tier_refusal(campaign: Campaign) -> str:
    return _("This event is for members from the %(tier)s tier up.") % {
        "tier": campaign.min_tier.name
    }


def _limit_refusal(campaign: Campaign, held: int) -> str:
    return _("Each customer may buy at most %(limit)d in this campaign; you have %(held)d.") % {
        "limit": campaign.per_customer_limit,
        "held": held,
    }


def _sold_out() -> str:
    return _("This campaign is sold out.")


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


def join_refusal(campaign: Campaign, customer_id: int | None, now: datetime) -> Refusal | None:
    """Why the customer (None: a visitor not signed in) could buy nothing in the campaign now,
    in the words and codes ``take_units`` refuses with; None when he may buy at least one unit.
    """
    if refusal := open_refusal(campaign, now):
        return Refusal("campaign_closed", refusal)
    if campaign.units_taken >= campaign.stock_units:
        return Refusal("campaign_sold_out", _sold_out())
    if customer_id is None:
        return None
    if not tier_allows(campaign, customer_id):
        return Refusal("campaign_tier", _tier_refusal(campaign))
    held = customer_units(campaign.pk, customer_id)
    if held >= campaign.per_customer_limit:
        return Refusal("campaign_limit", _limit_refusal(campaign, held))
    return None


@step
def take_units(
    *, campaign_id: int, customer: Customer, items: Mapping[int, int], now: datetime
) -> Purchase:
    """Under the campaign's lock: it is open, the customer may join it, the items are the
    campaign's, and neither his limit nor the campaign stock is exceeded; the units are taken."""
    campaign = lock_campaign(campaign_id)
    if campaign is None:
        raise CampaignError(_("There is no such campaign."))
    if refusal := open_refusal(campaign, now):
        raise CampaignError(refusal, code="campaign_closed")
    if not tier_allows(campaign, customer.pk):
        raise CampaignError(_tier_refusal(campaign), code="campaign_tier")
    campaign_items = list(campaign.items.select_related("sku__product"))
    quantities = {int(sku_id): orders.parse_quantity(qty) for sku_id, qty in items.items()}
    quantities = {sku_id: qty for sku_id, qty in quantities.items() if qty}
    units = _units(campaign, campaign_items, quantities)
    if units is None:
        raise CampaignError(_("Choose what to buy from this campaign's offer."))
    held = customer_units(campaign.pk, customer.pk)
    if held + units > campaign.per_customer_limit:
        raise CampaignError(_limit_refusal(campaign, held), code="campaign_limit")
    left = campaign.stock_units - campaign.units_taken
    if units > left:
        raise CampaignError(
            _("Only %(left)d left in this campaign.") % {"left": left} if left else _sold_out(),
            code="campaign_sold_out",
        )
    campaign.units_taken += units
    campaign.save(update_fields=["units_taken"])
    return Purchase(campaign, quantities, unit_prices(campaign, campaign_items), units)


@step
def record_order(*, purchase: Purchase, order: Order, now: datetime) -> CampaignOrder:
    """Ties the placed order to the campaign; a pre-sale's order waits for its target."""
    if purchase.campaign.kind == CampaignKind.PRESALE:
        orders.hold_for_presale(order=order)
    return CampaignOrder.objects.create(
        campaign=purchase.campaign,
        order=order,
        customer_id=order.customer_id,
        units=purchase.units,
        placed_at=now,
    )


@step
def lock_for_order(order_id: int) -> Campaign | None:
    """Locks the campaign of the order (if any) before the order itself is locked."""
    campaign_id = (
        CampaignOrder.objects.filter(order_id=order_id)
        .values_list("campaign_id", flat=True)
        .first()
    )
    return lock_campaign(campaign_id) if campaign_id is not None else None


@step
def release_units(*, order: Order) -> int:
    """An unpaid order expired or an order was cancelled: its campaign units go back. Returns
    the units given back (0: none, or given back already). The caller locked the campaign
    first (``lock_for_order``)."""
    entry = CampaignOrder.objects.filter(order_id=order.pk, released=False).first()
    if entry is None or order.status not in (OrderStatus.CANCELLED, OrderStatus.REFUNDED):
        return 0
    campaign = lock_campaign(entry.campaign_id)
    campaign.units_taken -= entry.units
    campaign.save(update_fields=["units_taken"])
    entry.released = True
    entry.save(update_fields=["released"])
    return entry.units


# Closing -----------------------------------------------------------------------------------------


def due_for_closing(now: datetime) -> list[int]:
    return list(
        Campaign.objects.filter(
            status__in=(CampaignStatus.PUBLISHED, CampaignStatus.ENDED),
            ends_at__lte=now,
            closed_at__isnull=True,
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def paid_units(campaign_id: int) -> int:
    """A pre-sale's units in paid orders that were not given back: what counts to its target."""
    return (
        CampaignOrder.objects.filter(
            campaign_id=campaign_id, released=False, order__paid_at__isnull=False
        ).aggregate(n=Sum("units"))["n"]
        or 0
    )


@transaction.atomic
def close_campaign(*, campaign_id: int, now: datetime) -> Campaign | None:
    """Closes a campaign past its end, once: a pre-sale is decided on its paid units (after every
    order placed before its end has been paid or run out of time to pay). None when it is not
    due yet or closed already (a second run, or a run at the same time, waited for the lock)."""
    campaign = lock_campaign(campaign_id)
    if campaign is None or campaign.closed_at is not None or campaign.ends_at > now:
        return None
    if campaign.status == CampaignStatus.DRAFT:
        return None
    if campaign.kind == CampaignKind.PRESALE:
        still_paying = CampaignOrder.objects.filter(
            campaign_id=campaign.pk,
            released=False,
            order__status=OrderStatus.PENDING_PAYMENT,
            order__expires_at__gt=now,
        ).exists()
        if still_paying:
            return None
        reached = rules.presale_reached(paid_units(campaign.pk), campaign.target_units)
        campaign.outcome = PresaleOutcome.REACHED if reached else PresaleOutcome.MISSED
    before = {"status": campaign.status}
    campaign.status, campaign.closed_at = CampaignStatus.ENDED, now
    campaign.save(update_fields=["status", "closed_at", "outcome"])
    audit.record(
        actor=None,
        action="campaign.close",
        obj=campaign,
        before=before,
        after={"status": campaign.status, "outcome": campaign.outcome},
    )
    return campaign


def orders_to_release() -> list[int]:
    """Orders of pre-sales that reached their target and still wait to ship."""
    return list(
        CampaignOrder.objects.filter(
            campaign__outcome=PresaleOutcome.REACHED, order__awaiting_presale=True
        )
        .order_by("order_id")
        .values_list("order_id", flat=True)
    )


def orders_to_refund() -> list[int]:
    """Orders of pre-sales that missed their target and are not refunded or cancelled yet."""
    return list(
        CampaignOrder.objects.filter(
            campaign__outcome=PresaleOutcome.MISSED,
            order__status__in=(OrderStatus.PAID, OrderStatus.PENDING_PAYMENT),
        )
        .order_by("order_id")
        .values_list("order_id", flat=True)
    )
