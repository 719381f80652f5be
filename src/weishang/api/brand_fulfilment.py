"""The brand's fulfilment over JSON, for a warehouse or ERP holding a staff API key: an order's
detail, shipping it (one at a time or a batch of waybills), marking it delivered or cancelling
it, and the stock of every SKU. Each operation calls the form and the service its console page
calls (``console.views``, ``console.shipping_views``), with the key's maker as the actor, so each
act is audited as in the console."""

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.http import QueryDict
from ninja import Query, Router, Schema
from pydantic import Field

from weishang.catalog import selectors as catalog_selectors
from weishang.catalog.models import Sku
from weishang.console import roles
from weishang.console.forms import (
    MAX_BATCH,
    MAX_STOCK,
    CancelForm,
    DeliverForm,
    PackingForm,
    ShipForm,
    StockForm,
)
from weishang.console.shipping_views import orders_selected
from weishang.inventory import services as inventory
from weishang.inventory.selectors import stock_of
from weishang.orders import after_sales
from weishang.orders import selectors as order_selectors
from weishang.orders import services as orders
from weishang.orders.models import Order, OrderStatus
from weishang.orders.shipping import ship_orders_from_rows
from weishang.orders.waybill_files import MAX_ROWS, WaybillRow
from weishang.payments import selectors as payment_selectors
from weishang.sales import services as sales

from . import idempotency
from .brand import ConsoleRoleKeyAuth, console_route
from .errors import ERRORS, ApiError, not_found
from .pagination import PageParams, page
from .schemas import Id, PathKey, Text
from .store import LineOut, ReturnOut, _line

router = Router(tags=["brand"], auth=ConsoleRoleKeyAuth())


def actor_of(request):
    """Who acts for a staff API key: the owner who made it, named in the audit log."""
    return request.auth.created_by


def once(request, key: str, act: Callable[[], tuple[int, dict]]):
    """Runs a staff key's act once per Idempotency-Key; a retry gets the first answer."""
    return idempotency.run(request, principal=f"staff-key:{request.auth.pk}", key=key, act=act)


def cleaned(form: forms.Form, *, names: dict[str, str] | None = None) -> dict:
    """The console form's cleaned data, or its first error as the API's 422, about the field as
    the API names it (``names`` maps the form's names to the API's where they differ)."""
    if not form.is_valid():
        field, errors = next(iter(form.errors.items()))
        raise ApiError(
            errors[0],
            code="invalid_input",
            status=422,
            field=None if field == NON_FIELD_ERRORS else (names or {}).get(field, field),
        )
    return form.cleaned_data


# An order ----------------------------------------------------------------------------------------


class Delivery(Schema):
    mobile: str = Field(description="The customer's mobile, masked unless the role ships.")
    recipient: str
    phone: str
    address: str = Field(description="The city only unless the role ships.")


class BrandOrderDetail(Schema):
    number: str
    status: str
    status_label: str
    refund_in_progress: bool
    total_fen: int
    refunded_fen: int
    freight_fen: int
    member_discount_fen: int
    coupon_fen: int
    points_fen: int
    wallet_fen: int
    placed_at: datetime
    paid_at: datetime | None
    shipped_at: datetime | None
    carrier: str
    carrier_name: str
    tracking_no: str
    delivered_at: datetime | None
    completed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str
    buyer_note: str
    delivery: Delivery
    lines: list[LineOut]
    returns: list[ReturnOut]
    return_window_end: datetime | None
    auto_confirm_at: datetime | None = Field(
        description="When a shipped order counts as received if the customer does not confirm."
    )
    can_ship: bool
    can_deliver: bool
    can_cancel: bool


def _order_detail(request, number: str) -> dict:
    try:
        order = order_selectors.order_for_console(number)
    except Order.DoesNotExist as exc:
        raise not_found() from exc
    full = roles.role_sees_full_customer_data(request.auth.role)
    return {
        **{
            name: getattr(order, name)
            for name in (
                "number",
                "status",
                "total_fen",
                "refunded_fen",
                "freight_fen",
                "member_discount_fen",
                "coupon_fen",
                "points_fen",
                "wallet_fen",
                "placed_at",
                "paid_at",
                "shipped_at",
                "carrier",
                "tracking_no",
                "delivered_at",
                "completed_at",
                "cancelled_at",
                "cancel_reason",
                "buyer_note",
            )
        },
        "status_label": str(order.get_status_display()),
        "carrier_name": order.carrier_name if order.carrier else "",
        "refund_in_progress": bool(payment_selectors.refunds_in_progress(order)),
        "delivery": roles.order_delivery(order, full=full),
        "lines": [_line(line) for line in order.lines.all()],
        "returns": [
            {
                "number": rr.number,
                "status": rr.status,
                "status_label": str(rr.get_status_display()),
                "refund_fen": rr.refund_fen,
                "requested_at": rr.requested_at,
            }
            for rr in order.returns.all()
        ],
        "return_window_end": orders.return_window_end(order),
        "auto_confirm_at": after_sales.auto_confirm_deadline(order),
        "can_ship": order.status == OrderStatus.PAID,
        "can_deliver": order.status == OrderStatus.SHIPPED,
        "can_cancel": order.status == OrderStatus.PENDING_PAYMENT,
    }


def _order(number: str) -> Order:
    order = Order.objects.filter(number=number).first()
    if order is None:
        raise not_found()
    return order


class StatusCount(Schema):
    status: str
    status_label: str
    count: int


@router.get("/order-counts", response={200: list[StatusCount], **ERRORS})
@console_route("order_list")
def brand_order_counts(request):
    """How many orders are in each status: the order list's tabs."""
    counts = order_selectors.order_counts_by_status()
    return [
        {"status": status, "status_label": str(label), "count": counts.get(status, 0)}
        for status, label in OrderStatus.choices
    ]


@router.get("/orders/{number}", response={200: BrandOrderDetail, **ERRORS})
@console_route("order_detail")
def brand_order_detail(request, number: PathKey):
    """One order as its console page shows it: lines, payments, shipment, returns."""
    return _order_detail(request, number)


class ShipIn(Schema):
    carrier: Text(40, min_length=1) = Field(description="A carrier code from the console's list.")
    tracking_no: Text(40, min_length=1)


@router.post("/orders/{number}/ship", response={200: BrandOrderDetail, **ERRORS})
@console_route("order_ship")
def brand_order_ship(
    request, number: PathKey, payload: ShipIn, idempotency_key: idempotency.IdempotencyKey
):
    """Ships a paid order with the carrier and waybill number, checked as the console checks
    them; its stock leaves the warehouse."""
    order = _order(number)

    def act():
        data = cleaned(ShipForm(payload.dict()))
        orders.ship_order(order=order, actor=actor_of(request), **data)
        return 200, _order_detail(request, number)

    return once(request, idempotency_key, act)


class DeliverIn(Schema):
    signed_at: datetime | None = Field(None, description="When the courier had it signed for.")


@router.post("/orders/{number}/deliver", response={200: BrandOrderDetail, **ERRORS})
@console_route("order_deliver")
def brand_order_deliver(request, number: PathKey, payload: DeliverIn):
    """Records the courier's sign-for time (now unless given); the return window starts the
    next day."""
    order = _order(number)
    data = cleaned(DeliverForm({"signed_at": payload.signed_at or ""}))
    orders.mark_delivered(order=order, actor=actor_of(request), signed_at=data["signed_at"])
    return _order_detail(request, number)


class CancelIn(Schema):
    reason: Text(200) = ""


@router.post("/orders/{number}/cancel", response={200: BrandOrderDetail, **ERRORS})
@console_route("order_cancel")
def brand_order_cancel(
    request, number: PathKey, payload: CancelIn, idempotency_key: idempotency.IdempotencyKey
):
    """Cancels an unpaid order for the brand; its reserved stock is released."""
    order = _order(number)

    def act():
        data = cleaned(CancelForm(payload.dict()))
        sales.cancel_order(
            order=order, by_brand=True, actor=actor_of(request), reason=data["reason"]
        )
        return 200, _order_detail(request, number)

    return once(request, idempotency_key, act)


# Batch shipping ----------------------------------------------------------------------------------


class WaybillIn(Schema):
    order_number: Text(40) = ""
    carrier: Text(40) = Field("", description="A carrier code or name, as the import reads it.")
    waybill: Text(40) = ""


class WaybillBatchIn(Schema):
    rows: list[WaybillIn] = Field(min_length=1, max_length=MAX_ROWS)


class WaybillRowOut(Schema):
    line: int = Field(description="The row's place in the list, from 1.")
    order_number: str
    outcome: str = Field(description="shipped, already_shipped or refused")
    outcome_label: str
    message: str


class WaybillReport(Schema):
    shipped: int
    already_shipped: int
    refused: int
    rows: list[WaybillRowOut]


@router.post("/shipments", response={200: WaybillReport, **ERRORS})
@console_route("waybill_import")
def brand_waybill_import(
    request, payload: WaybillBatchIn, idempotency_key: idempotency.IdempotencyKey
):
    """Ships many paid orders at once, as the console's waybill import does: row by row, a bad
    row reported with its reason and changing nothing, an order already shipped reported as
    such, so sending the same rows again ships nothing twice."""

    def act():
        rows = [
            WaybillRow(
                line=index,
                order_number=row.order_number.strip(),
                carrier=row.carrier.strip(),
                waybill=row.waybill.strip(),
            )
            for index, row in enumerate(payload.rows, start=1)
        ]
        report = ship_orders_from_rows(
            rows=rows, actor=actor_of(request), source=f"api:{idempotency_key}"
        )
        return 200, {
            "shipped": report.shipped,
            "already_shipped": report.already_shipped,
            "refused": report.refused,
            "rows": [
                {
                    "line": result.line,
                    "order_number": result.order_number,
                    "outcome": result.outcome,
                    "outcome_label": result.outcome_label,
                    "message": str(result.message),
                }
                for result in report.results
            ],
        }

    return once(request, idempotency_key, act)


class PackingLine(Schema):
    sku_code: str
    product_name: str
    sku_name: str
    quantity: int


class PackingOrder(Schema):
    number: str
    paid_at: datetime | None
    buyer_note: str
    delivery: Delivery
    lines: list[PackingLine]


class PackingList(Schema):
    orders: list[PackingOrder]
    picks: list[PackingLine] = Field(description="Each SKU's total over the orders.")
    left_out: int = Field(description="Orders asked for that are not paid and waiting.")


@router.get("/packing", response={200: PackingList, **ERRORS})
@console_route("packing_list")
def brand_packing_list(
    request,
    order: Annotated[list[Text(40)] | None, Query(max_length=MAX_BATCH)] = None,
    unshipped: bool = False,
):
    """The packing list and labels of the paid orders asked for (``?order=…&order=…``), or of
    every unshipped one (``?unshipped=true``), oldest paid first; fill in their waybills and
    send them to ``/brand/shipments``."""
    selection = QueryDict(mutable=True)
    selection.setlist("order", order or [])
    if unshipped:
        selection["unshipped"] = "on"
    packed = orders_selected(cleaned(PackingForm(selection)))
    full = roles.role_sees_full_customer_data(request.auth.role)
    return {
        "orders": [
            {
                "number": found.number,
                "paid_at": found.paid_at,
                "buyer_note": found.buyer_note,
                "delivery": roles.order_delivery(found, full=full),
                "lines": [
                    {
                        "sku_code": line.sku_code,
                        "product_name": line.product_name,
                        "sku_name": line.sku_name,
                        "quantity": line.quantity,
                    }
                    for line in found.lines.all()
                ],
            }
            for found in packed
        ],
        "picks": [
            {"sku_code": code, "product_name": product, "sku_name": name, "quantity": quantity}
            for code, product, name, quantity in order_selectors.pick_list(packed)
        ],
        "left_out": len(set(order)) - len(packed) if order and not unshipped else 0,
    }


# Stock -------------------------------------------------------------------------------------------


class SkuStock(Schema):
    id: int
    code: str
    name: str
    product_id: int
    product_name: str
    is_active: bool
    on_hand: int
    reserved: int
    available: int


class SkuStockPage(Schema):
    items: list[SkuStock]
    next_cursor: str | None


def _sku_stock(sku: Sku) -> dict:
    stock = stock_of(sku)
    return {
        "id": sku.pk,
        "code": sku.code,
        "name": sku.name,
        "product_id": sku.product_id,
        "product_name": sku.product.name,
        "is_active": sku.is_active,
        "on_hand": stock.on_hand,
        "reserved": stock.reserved,
        "available": stock.available,
    }


@router.get("/skus", response={200: SkuStockPage, **ERRORS})
@console_route("product_list")
def brand_skus(request, params: PageParams):
    """Every SKU, inactive ones too, with its stock on hand, reserved and available."""
    return page(catalog_selectors.skus_for_console(), params, ordering=("pk",), row=_sku_stock)


class StockIn(Schema):
    on_hand: int = Field(ge=0, le=MAX_STOCK, description="The units counted in the warehouse.")


@router.post("/skus/{sku_id}/stock", response={200: SkuStock, **ERRORS})
@console_route("stock_set")
def brand_stock_set(
    request, sku_id: Id, payload: StockIn, idempotency_key: idempotency.IdempotencyKey
):
    """A warehouse count: sets the SKU's units on hand, never below what open orders reserve."""
    if not Sku.objects.filter(pk=sku_id).exists():
        raise not_found()

    def act():
        data = cleaned(StockForm(payload.dict()))
        inventory.set_stock_on_hand(
            sku_id=sku_id,
            actor=actor_of(request),
            on_hand=data["on_hand"],
            reference=f"api-key:{request.auth.prefix}",
        )
        return 200, _sku_stock(catalog_selectors.skus_for_console().get(pk=sku_id))

    return once(request, idempotency_key, act)
