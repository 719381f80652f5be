"""Every write about carts, orders and returns. Each act is one transaction; the steps that
cross into payment and commission (placing, paying, cancelling, refunding) are called by
``weishang.sales`` inside its transaction."""

import secrets
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.catalog import selectors as catalog_selectors
from weishang.catalog.models import Product, ReturnClass
from weishang.catalog.selectors import sku_price, skus_with_periods
from weishang.compliance import audit
from weishang.compliance.blacklist import customer_is_blacklisted
from weishang.customers import divisions
from weishang.customers.models import Address, Customer
from weishang.inventory import services as inventory
from weishang.notifications.events import Event, in_every_language
from weishang.notifications.services import notify
from weishang.transactions import step

from . import freight
from .carriers import CARRIERS, normalise_waybill, waybill_problem
from .errors import OrderError, PriceChanged
from .locks import lock_order, lock_return
from .models import (
    CartItem,
    FreightRule,
    Order,
    OrderLine,
    OrderStatus,
    ReceiptConfirmedBy,
    ReturnAddress,
    ReturnLine,
    ReturnRequest,
    ReturnStatus,
)
from .pricing import Deductions, PricedLine, price_lines
from .returning import parts_returned, record_parts_returned, status_after_refund
from .rules import (
    check_transition,
    line_is_returnable,
    no_reason_return_freight_payer,
    return_window_closes,
)
from .selectors import freight_rules

MAX_QUANTITY = 99
BUYER_NOTE_LENGTH = Order._meta.get_field("buyer_note").max_length


def _number(prefix: str, now: datetime) -> str:
    return f"{prefix}{timezone.localtime(now):%y%m%d%H%M%S}{secrets.randbelow(10**6):06d}"


def parse_quantity(raw) -> int:
    """A quantity as typed, 0 to ``MAX_QUANTITY``; anything else is refused with a message."""
    try:
        quantity = int(raw)
    except (TypeError, ValueError):
        quantity = -1
    if str(raw).strip() != str(quantity) or not 0 <= quantity <= MAX_QUANTITY:
        raise OrderError(
            _("Quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY}
        )
    return quantity


# Cart --------------------------------------------------------------------------------------------


@transaction.atomic
def add_to_cart(*, customer: Customer, sku_id: int, quantity=1) -> CartItem:
    quantity = parse_quantity(quantity)
    if quantity == 0:
        raise OrderError(
            _("Quantity must be a whole number from 1 to %(max)d.") % {"max": MAX_QUANTITY}
        )
    sku = skus_with_periods([sku_id]).get(int(sku_id))
    if sku is None or not sku.is_active or sku.product.status != Product.Status.PUBLISHED:
        raise OrderError(_("This item is no longer for sale."))
    item, created = CartItem.objects.select_for_update().get_or_create(
        customer=customer, sku=sku, defaults={"quantity": quantity}
    )
    if not created:
        item.quantity = min(item.quantity + quantity, MAX_QUANTITY)
        item.save(update_fields=["quantity"])
    return item


@transaction.atomic
def merge_cart(*, customer: Customer, items: Mapping[int, int]) -> int:
    """Adds what a visitor put in his cart before signing in ({sku_id: quantity}) to his cart;
    an item no longer for sale or a bad quantity is left out. Returns how many were added."""
    added = 0
    for sku_id, quantity in items.items():
        try:
            add_to_cart(customer=customer, sku_id=sku_id, quantity=quantity)
        except OrderError:
            continue
        added += 1
    return added


@transaction.atomic
def hand_over_cart(*, from_customer: Customer, to_customer: Customer) -> int:
    """One person's two accounts become one: the first's cart is added to the second's (as
    ``merge_cart`` adds a visitor's) and emptied. Returns how many items were added."""
    items = CartItem.objects.filter(customer=from_customer)
    added = merge_cart(customer=to_customer, items=dict(items.values_list("sku_id", "quantity")))
    items.delete()
    return added


@transaction.atomic
def set_cart_quantity(*, customer: Customer, sku_id: int, quantity) -> None:
    quantity = parse_quantity(quantity)
    items = CartItem.objects.filter(customer=customer, sku_id=sku_id)
    if quantity == 0:
        items.delete()
    else:
        items.update(quantity=quantity)


# Freight template ---------------------------------------------------------------------------------


@transaction.atomic
def set_freight_rule(
    *, actor, province_code: str, fee_fen: int, free_from_fen: int | None = None
) -> FreightRule:
    """Sets the province's freight rule (``freight.DEFAULT`` for the default one), audited."""
    province_code = province_code or freight.DEFAULT
    if province_code != freight.DEFAULT and not divisions.children(province_code):
        raise OrderError(_("Choose a province from the list."))
    if fee_fen < 0 or (free_from_fen is not None and free_from_fen < 0):
        raise OrderError(_("Amounts cannot be negative."))
    rule = FreightRule.objects.select_for_update().filter(province_code=province_code).first()
    before = {"fee_fen": rule.fee_fen, "free_from_fen": rule.free_from_fen} if rule else {}
    rule = rule or FreightRule(province_code=province_code)
    rule.fee_fen, rule.free_from_fen = fee_fen, free_from_fen
    rule.save()
    audit.record(
        actor=actor,
        action="freight.set",
        obj=rule,
        before=before,
        after={"province_code": province_code, "fee_fen": fee_fen, "free_from_fen": free_from_fen},
    )
    return rule


@transaction.atomic
def delete_freight_rule(*, actor, province_code: str) -> None:
    """Removes a province's own rule (it falls back on the default), or the default rule."""
    rule = FreightRule.objects.select_for_update().filter(province_code=province_code).first()
    if rule is None:
        raise OrderError(_("There is no such freight rule."))
    audit.record(
        actor=actor,
        action="freight.delete",
        obj=rule,
        before={
            "province_code": rule.province_code,
            "fee_fen": rule.fee_fen,
            "free_from_fen": rule.free_from_fen,
        },
    )
    rule.delete()


# Placing and paying ------------------------------------------------------------------------------


@step
def place_order(
    *,
    customer: Customer,
    items: Mapping[int, int],
    address: Address,
    confirm_return_exclusion: bool = False,
    expected_total_fen: int | None = None,
    clear_cart: bool = True,
    now: datetime | None = None,
    device_id: str = "",
    distributor=None,
    buyer_note: str = "",
    deductions: Callable[[list[PricedLine]], Deductions] | None = None,
    shared_by: Customer | None = None,
    unit_prices: Mapping[int, int] | None = None,
) -> Order:
    """Turns the reviewed items into an order and reserves their stock, all or nothing, in the
    caller's transaction (``sales.place_order``, which also quotes the commission). The total,
    which the payment pays, is the goods less what ``deductions`` decides for the priced lines
    (member discount, coupons, points, wallet: ``orders.pricing``), plus the freight the template
    charges for the address's province on the goods' price.

    The order keeps, from now on, the distributor the caller attributes it to (the customer's
    binding) and the buyer's device cookie, which fraud review compares with the distributor's.
    ``shared_by`` is the customer whose share link brought the buyer; buying through his own link
    records nothing. ``unit_prices`` ``{sku_id: fen}`` are prices the programme above sets for
    this buyer instead of the catalogue's (a reseller's own price, ``reseller.pricing``, or a
    campaign's, checked by the caller under the campaign's lock).
    """
    now = now or timezone.now()
    quantities = {int(sku_id): parse_quantity(qty) for sku_id, qty in items.items()}
    quantities = {sku_id: qty for sku_id, qty in quantities.items() if qty}
    if not quantities:
        raise OrderError(_("Your cart is empty."))
    if customer_is_blacklisted(customer.pk):
        raise OrderError(
            _(
                "Your account cannot place orders: the brand has blacklisted it. Please contact "
                "customer service."
            ),
            code="customer_blacklisted",
        )
    if address.customer_id != customer.pk:
        raise OrderError(_("Choose one of your own delivery addresses."))
    skus = skus_with_periods(quantities)
    if len(skus) != len(quantities) or any(
        not sku.is_active or sku.product.status != Product.Status.PUBLISHED for sku in skus.values()
    ):
        raise OrderError(_("An item in your cart is no longer for sale; please review your cart."))
    needs_confirmation = any(
        sku.product.return_class == ReturnClass.EXCLUDABLE for sku in skus.values()
    )
    if needs_confirmation and not confirm_return_exclusion:
        raise OrderError(
            _(
                "Some goods cannot be returned without reason once opened or used. Tick the box to "
                "confirm you accept this, or remove them from your order."
            ),
            code="return_exclusion_unconfirmed",
        )
    prices = {sku_id: sku_price(sku, now).amount_fen for sku_id, sku in skus.items()}
    prices.update({k: v for k, v in (unit_prices or {}).items() if k in prices})
    goods = sum(prices[sku_id] * qty for sku_id, qty in quantities.items())
    freight_fen = freight.freight_fen(
        goods_fen=goods, province_code=address.province_code, rules=freight_rules()
    )
    totals = {sku_id: prices[sku_id] * qty for sku_id, qty in sorted(quantities.items())}
    taken = (
        deductions(
            [
                PricedLine(sku_id, skus[sku_id].product_id, skus[sku_id].product.category_id, fen)
                for sku_id, fen in totals.items()
            ]
        )
        if deductions
        else Deductions()
    )
    try:
        priced = price_lines(
            totals,
            discount_bp=taken.discount_bp,
            coupon_fen=taken.coupon_fen,
            points_fen=taken.points_fen,
            wallet_fen=taken.wallet_fen,
        )
    except ValueError as refused:
        raise OrderError(
            _("The points and wallet money chosen are more than the goods cost; use less."),
            code="deductions_exceed_goods",
        ) from refused
    total = sum(line.paid_fen for line in priced.values()) + freight_fen
    if expected_total_fen is not None and int(expected_total_fen) != total:
        raise PriceChanged(
            _(
                "Prices or the freight have changed since you reviewed your order; please check "
                "it again."
            )
        )
    buyer_note = " ".join((buyer_note or "").split())
    if len(buyer_note) > BUYER_NOTE_LENGTH:
        raise OrderError(
            _("Keep the note to the seller within %(n)d characters.") % {"n": BUYER_NOTE_LENGTH}
        )

    order = Order.objects.create(
        number=_number("", now),
        customer=customer,
        recipient=address.recipient,
        phone=address.phone,
        address=address.one_line(),
        city=address.city,
        total_fen=total,
        freight_fen=freight_fen,
        member_discount_fen=sum(line.member_discount_fen for line in priced.values()),
        coupon_fen=sum(line.coupon_fen for line in priced.values()),
        points=taken.points,
        points_fen=taken.points_fen,
        wallet_fen=taken.wallet_fen,
        buyer_note=buyer_note,
        return_exclusion_confirmed=needs_confirmation and confirm_return_exclusion,
        placed_at=now,
        expires_at=now + timedelta(minutes=settings.ORDER_PAYMENT_TIMEOUT_MINUTES),
        distributor=distributor,
        device_id=(device_id or "")[:64],
        shared_by=shared_by if shared_by is not None and shared_by.pk != customer.pk else None,
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            sku=sku,
            product=sku.product,
            product_name=sku.product.name,
            sku_name=sku.name,
            sku_code=sku.code,
            unit_price_fen=prices[sku_id],
            quantity=quantities[sku_id],
            line_total_fen=totals[sku_id],
            member_discount_fen=priced[sku_id].member_discount_fen,
            coupon_fen=priced[sku_id].coupon_fen,
            points_fen=priced[sku_id].points_fen,
            wallet_fen=priced[sku_id].wallet_fen,
            return_class=sku.product.return_class,
            returnable=line_is_returnable(
                sku.product.return_class, order.return_exclusion_confirmed
            ),
        )
        for sku_id, sku in sorted(skus.items())
    )
    inventory.reserve_stock(
        quantities=quantities,
        reference=order.number,
        names={sku_id: f"{sku.product.name} {sku.name}" for sku_id, sku in skus.items()},
    )
    if clear_cart:
        CartItem.objects.filter(customer=customer, sku_id__in=list(quantities)).delete()
    return order


def _quantities(order: Order) -> dict[int, int]:
    return dict(order.lines.values_list("sku_id", "quantity"))


@step
def mark_order_paid(*, order: Order, paid_at: datetime) -> Order:
    """Called in the payment's transaction, holding the order's lock, once a payment succeeded."""
    check_transition(order.status, OrderStatus.PAID)
    order.status = OrderStatus.PAID
    order.paid_at = paid_at
    order.save(update_fields=["status", "paid_at"])
    return order


@step
def record_cancellation(*, order: Order, by_brand: bool, reason: str, now: datetime) -> Order:
    """Unpaid orders are cancelled by either side; a paid one only at the customer's request, and
    it is then refunded in full (the caller requests the refund). Returns the locked order."""
    order = lock_order(order.pk)
    if order.status == OrderStatus.PAID and by_brand:
        raise OrderError(
            _(
                "An order is a contract once submitted (E-commerce Law Art. 49) and binds the "
                "brand (Civil Code Art. 465): a paid order cannot be cancelled by the brand "
                "alone. Ship it, or ask the customer to cancel."
            ),
            code="paid_order_brand_cancel",
        )
    if order.status == OrderStatus.PAID:
        check_transition(order.status, OrderStatus.REFUNDED)
        order.status = OrderStatus.REFUNDED
        order.refunded_fen = order.total_fen
    else:
        check_transition(order.status, OrderStatus.CANCELLED)
        order.status = OrderStatus.CANCELLED
    order.cancelled_at = now
    order.cancel_reason = reason[:200]
    _everything_back(order)
    order.save(
        update_fields=[
            "status",
            "refunded_fen",
            "cancelled_at",
            "cancel_reason",
            "points_returned",
            "wallet_returned_fen",
        ]
    )
    inventory.release_stock(quantities=_quantities(order), reference=order.number)
    return order


def _everything_back(order: Order) -> None:
    """A cancelled order gives back all its points and wallet money (the caller moves them)."""
    order.points_returned = order.points
    order.wallet_returned_fen = order.wallet_fen


def unpaid_past_deadline(now: datetime) -> list[int]:
    return list(
        Order.objects.filter(status=OrderStatus.PENDING_PAYMENT, expires_at__lte=now).values_list(
            "pk", flat=True
        )
    )


@step
def expire_order(*, order_id: int, now: datetime) -> Order | None:
    """Cancels an order left unpaid past its deadline and frees its stock; None if it was paid or
    cancelled meanwhile."""
    order = lock_order(order_id)
    if order.status != OrderStatus.PENDING_PAYMENT:
        return None
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = now
    order.cancel_reason = "expired"
    _everything_back(order)
    order.save(
        update_fields=[
            "status",
            "cancelled_at",
            "cancel_reason",
            "points_returned",
            "wallet_returned_fen",
        ]
    )
    inventory.release_stock(quantities=_quantities(order), reference=order.number)
    return order


@step
def hold_for_presale(*, order: Order) -> None:
    """The order was placed in a pre-sale: it waits for the pre-sale's target before shipping."""
    Order.objects.filter(pk=order.pk).update(awaiting_presale=True)
    order.awaiting_presale = True


@step
def release_presale_hold(*, order_id: int) -> Order | None:
    """The order's pre-sale reached its target: it may ship. None if it was released already."""
    order = lock_order(order_id)
    if not order.awaiting_presale:
        return None
    order.awaiting_presale = False
    order.save(update_fields=["awaiting_presale"])
    return order


# Fulfilment --------------------------------------------------------------------------------------


@transaction.atomic
def ship_order(
    *, order: Order, actor, carrier: str, tracking_no: str, now: datetime | None = None
) -> Order:
    """Hands the parcel to a carrier from the list (its code) under a number of its shape."""
    carrier, tracking_no = (carrier or "").strip(), normalise_waybill(tracking_no)
    if not carrier or not tracking_no:
        raise OrderError(_("Enter the carrier and the tracking number."))
    if problem := waybill_problem(carrier, tracking_no):
        raise OrderError(problem)
    order = lock_order(order.pk)
    if order.awaiting_presale and order.status == OrderStatus.PAID:
        raise OrderError(
            _(
                "Order %(number)s belongs to a pre-sale that has not reached its target yet: it "
                "ships once the pre-sale ends with its target reached."
            )
            % {"number": order.number},
            code="awaiting_presale",
        )
    check_transition(order.status, OrderStatus.SHIPPED)
    before = {"status": order.status}
    order.status = OrderStatus.SHIPPED
    order.carrier, order.tracking_no = carrier, tracking_no
    order.shipped_at = now or timezone.now()
    order.save(update_fields=["status", "carrier", "tracking_no", "shipped_at"])
    inventory.deduct_shipped_stock(quantities=_quantities(order), reference=order.number)
    audit.record(
        actor=actor,
        action="order.ship",
        obj=order,
        before=before,
        after={"status": order.status, "carrier": order.carrier, "tracking_no": order.tracking_no},
    )
    known = CARRIERS.get(order.carrier)
    notify(
        customer_id=order.customer_id,
        event=Event.ORDER_SHIPPED,
        params={
            "order": order.number,
            "carrier": in_every_language(known.name) if known else order.carrier,
            "tracking": order.tracking_no,
        },
        key=f"order_shipped:{order.pk}",
        now=order.shipped_at,
    )
    return order


@transaction.atomic
def mark_delivered(*, order: Order, actor, signed_at: datetime | None = None) -> Order:
    """Records the courier's sign-for time: the delivery time (E-commerce Law Art. 51).
    The return window starts the next day (Online 7-day Returns Measures Art. 10)."""
    order = lock_order(order.pk)
    check_transition(order.status, OrderStatus.DELIVERED)
    before = {"status": order.status}
    now = timezone.now()
    signed_at = signed_at or now
    if signed_at > now + timedelta(minutes=5):
        raise OrderError(_("The sign-for time cannot be in the future."))
    if signed_at < order.shipped_at:
        raise OrderError(_("The sign-for time cannot be before the order was shipped."))
    order.status = OrderStatus.DELIVERED
    order.delivered_at = signed_at
    order.receipt_confirmed_by = ReceiptConfirmedBy.COURIER
    order.save(update_fields=["status", "delivered_at", "receipt_confirmed_by"])
    audit.record(
        actor=actor,
        action="order.deliver",
        obj=order,
        before=before,
        after={"status": order.status, "delivered_at": signed_at},
    )
    return order


def return_window_end(order: Order) -> datetime | None:
    if order.delivered_at is None:
        return None
    return return_window_closes(
        order.delivered_at, timezone.get_default_timezone(), settings.RETURN_WINDOW_DAYS
    )


def complete_orders(*, now: datetime | None = None, then=None) -> list[int]:
    """Completes delivered orders whose return window has closed and that have no open return;
    returns the ids it completed (``sales.services.complete_orders`` earns their points).
    ``then(order_ids=, now=)`` runs in each batch's transaction, after the batch completed."""
    now = now or timezone.now()
    tz = timezone.get_default_timezone()
    # Windows close at local midnight; any order signed before this instant minus the window is due.
    latest_signed = now - timedelta(days=settings.RETURN_WINDOW_DAYS)
    completable = [OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED]
    candidates = (
        Order.objects.filter(status__in=completable, delivered_at__lte=latest_signed)
        .exclude(returns__status__in=ReturnRequest.OPEN)
        .values_list("pk", "delivered_at")
    )
    due = [
        pk
        for pk, delivered_at in candidates
        if return_window_closes(delivered_at, tz, settings.RETURN_WINDOW_DAYS) <= now
    ]
    completed = []
    for chunk_start in range(0, len(due), 1000):
        chunk = due[chunk_start : chunk_start + 1000]
        with transaction.atomic():
            # Locked first, so the ids returned are exactly the rows the one UPDATE completes.
            ids = list(
                Order.objects.filter(pk__in=chunk, status__in=completable)
                .exclude(returns__status__in=ReturnRequest.OPEN)
                .order_by("pk")
                .select_for_update()
                .values_list("pk", flat=True)
            )
            # An order a quality claim refunded after completion keeps its first completion.
            Order.objects.filter(pk__in=ids).update(
                status=OrderStatus.COMPLETED, completed_at=Coalesce("completed_at", now)
            )
            if then is not None:
                then(order_ids=ids, now=now)
        completed += ids
    return completed


# Returns -----------------------------------------------------------------------------------------


@transaction.atomic
def request_return(
    *,
    order: Order,
    customer: Customer,
    quantities: Mapping[int, int],
    reason: str = "",
    now: datetime | None = None,
) -> ReturnRequest:
    """A 7-day no-reason return of some or all returnable lines (Consumer Protection Law
    Art. 25)."""
    now = now or timezone.now()
    order = lock_order(order.pk)
    if order.customer_id != customer.pk:
        raise OrderError(_("This order is not yours."))
    if order.status not in (OrderStatus.DELIVERED, OrderStatus.PARTIALLY_REFUNDED):
        raise OrderError(_("A return can be requested once the order has been delivered."))
    if now >= return_window_end(order):
        raise OrderError(
            _("The 7-day no-reason return window closed on %(date)s.")
            % {"date": f"{timezone.localtime(return_window_end(order)):%Y-%m-%d %H:%M}"},
            code="return_window_closed",
        )
    if order.returns.filter(status__in=ReturnRequest.OPEN).exists():
        raise OrderError(_("A return for this order is already in progress."))
    lines = {line.pk: line for line in order.lines.all()}
    wanted = {int(line_id): parse_quantity(qty) for line_id, qty in quantities.items()}
    wanted = {line_id: qty for line_id, qty in wanted.items() if qty}
    if not wanted:
        raise OrderError(_("Choose at least one item to return."))
    for line_id, qty in wanted.items():
        line = lines.get(line_id)
        if line is None:
            raise OrderError(_("This item is not part of the order."))
        if not line.returnable:
            raise OrderError(
                _("%(name)s is excluded from no-reason returns.") % {"name": line.product_name},
                code="not_returnable",
            )
        if qty > line.quantity - line.returned_quantity:
            raise OrderError(
                _("You can return at most %(n)d of %(name)s.")
                % {"n": line.quantity - line.returned_quantity, "name": line.product_name}
            )
    freight_back = freight.freight_refund_fen(
        freight_fen=order.freight_fen,
        lines=[(ln.quantity, ln.returned_quantity, wanted.get(pk, 0)) for pk, ln in lines.items()],
    )
    parts = parts_returned(order, lines.values(), wanted)
    return_request = ReturnRequest.objects.create(
        number=_number("R", now),
        order=order,
        reason=(reason or "")[:300],
        refund_fen=parts.cash_fen + freight_back,
        wallet_fen=parts.wallet_fen,
        points=parts.points,
        requested_at=now,
        freight_paid_by=no_reason_return_freight_payer(brand_pays_return_shipping()),
    )
    ReturnLine.objects.bulk_create(
        ReturnLine(return_request=return_request, order_line_id=line_id, quantity=qty)
        for line_id, qty in wanted.items()
    )
    return return_request


def _move_return(return_request: ReturnRequest, expected: str, target: str) -> ReturnRequest:
    locked = lock_return(return_request.pk)
    if locked.status != expected:
        raise OrderError(
            _("This return is “%(current)s” and cannot become “%(target)s”.")
            % {"current": ReturnStatus(locked.status).label, "target": ReturnStatus(target).label}
        )
    locked.status = target
    return locked


def brand_pays_return_shipping() -> bool:
    brand = catalog_selectors.brand()
    return bool(brand and brand.return_shipping_paid_by_brand)


@transaction.atomic
def approve_return(
    *,
    return_request: ReturnRequest,
    actor,
    return_address: ReturnAddress | None = None,
    now: datetime | None = None,
) -> ReturnRequest:
    """The customer may send the goods back, to ``return_address`` or else the first one in use
    (none while the brand has set none: the store then names its customer service)."""
    if return_address is not None and not return_address.active:
        raise OrderError(_("This return address is retired; choose one in use."))
    rr = _move_return(return_request, ReturnStatus.REQUESTED, ReturnStatus.APPROVED)
    rr.approved_at = now or timezone.now()
    rr.return_address = return_address or ReturnAddress.objects.filter(active=True).first()
    rr.save(update_fields=["status", "approved_at", "return_address"])
    audit.record(
        actor=actor,
        action="return.approve",
        obj=rr,
        before={"status": ReturnStatus.REQUESTED},
        after={"status": rr.status, "return_address": rr.return_address_id},
    )
    order = Order.objects.only("number", "customer_id").get(pk=rr.order_id)
    notify(
        customer_id=order.customer_id,
        event=Event.RETURN_APPROVED,
        params={"order": order.number},
        key=f"return_approved:{rr.pk}",
        now=rr.approved_at,
    )
    return rr


@transaction.atomic
def reject_return(
    *, return_request: ReturnRequest, actor, reason: str, now: datetime | None = None
) -> ReturnRequest:
    if not (reason or "").strip():
        raise OrderError(_("Say why the return is rejected; the customer will see it."))
    locked = lock_return(return_request.pk)
    if locked.status not in (ReturnStatus.REQUESTED, ReturnStatus.APPROVED):
        raise OrderError(_("Only a return that has not been received yet can be rejected."))
    before = {"status": locked.status}
    locked.status = ReturnStatus.REJECTED
    locked.rejected_at = now or timezone.now()
    locked.reject_reason = reason.strip()[:300]
    locked.save(update_fields=["status", "rejected_at", "reject_reason"])
    audit.record(
        actor=actor,
        action="return.reject",
        obj=locked,
        before=before,
        after={"status": locked.status},
        reason=locked.reject_reason,
    )
    return locked


@transaction.atomic
def receive_return(
    *, return_request: ReturnRequest, actor, now: datetime | None = None
) -> ReturnRequest:
    """The goods are back: they return to stock and the refund falls due within 7 days."""
    now = now or timezone.now()
    rr = _move_return(return_request, ReturnStatus.APPROVED, ReturnStatus.RECEIVED)
    rr.received_at = now
    rr.refund_due_at = now + timedelta(days=settings.REFUND_DUE_DAYS)
    rr.save(update_fields=["status", "received_at", "refund_due_at"])
    quantities: dict[int, int] = {}
    for sku_id, qty in rr.lines.values_list("order_line__sku_id", "quantity"):
        quantities[sku_id] = quantities.get(sku_id, 0) + qty
    inventory.restock_returned(quantities=quantities, reference=rr.number)
    audit.record(
        actor=actor,
        action="return.receive",
        obj=rr,
        before={"status": ReturnStatus.APPROVED},
        after={"status": rr.status, "refund_due_at": rr.refund_due_at, "restocked": quantities},
    )
    return rr


@step
def record_return_refund(
    *, return_request: ReturnRequest, now: datetime
) -> tuple[ReturnRequest, Order, dict[int, int]]:
    """Marks a received return refunded and its lines returned; the caller requests the refund,
    gives back the wallet money and points and reverses commission in the same transaction. What
    comes back is worked out again on the lines as they stand now (a quality claim may have taken
    units back since the request). Returns the locked return and order and ``{order_line_id:
    fen}`` paid back to the payment per line."""
    rr = _move_return(return_request, ReturnStatus.RECEIVED, ReturnStatus.REFUNDED)
    order = lock_order(rr.order_id)
    wanted: dict[int, int] = {}
    for line_id, qty in rr.lines.values_list("order_line_id", "quantity"):
        wanted[line_id] = wanted.get(line_id, 0) + qty
    lines = list(order.lines.all())
    parts = parts_returned(order, lines, wanted)
    freight_back = freight.freight_refund_fen(
        freight_fen=order.freight_fen,
        lines=[(ln.quantity, ln.returned_quantity, wanted.get(ln.pk, 0)) for ln in lines],
    )
    rr.refund_fen = parts.cash_fen + freight_back
    rr.wallet_fen, rr.points = parts.wallet_fen, parts.points
    refunded = order.refunded_fen + rr.refund_fen
    all_back = all(ln.returned_quantity + wanted.get(ln.pk, 0) == ln.quantity for ln in lines)
    target = status_after_refund(order, refunded, all_back)
    check_transition(order.status, target)
    for line_id, qty in wanted.items():
        OrderLine.objects.filter(pk=line_id).update(returned_quantity=F("returned_quantity") + qty)
    order.status, order.refunded_fen = target, refunded
    record_parts_returned(order, parts)
    order.save(update_fields=["status", "refunded_fen", "wallet_returned_fen", "points_returned"])
    rr.refunded_at = now
    rr.save(update_fields=["status", "refunded_at", "refund_fen", "wallet_fen", "points"])
    return rr, order, parts.cash_by_line
