"""Order reads shared by the storefront and the console."""

import mimetypes
from datetime import datetime

from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404

from weishang.customers.models import Customer

from . import freight
from .models import (
    FreightRule,
    Order,
    OrderLine,
    OrderStatus,
    QualityClaim,
    ReturnAddress,
    ReturnLine,
    ReturnRequest,
)


def freight_rules() -> dict[str, freight.Rule]:
    """The freight template keyed by province code ("" the default), for ``orders.freight``."""
    return {
        code: freight.Rule(fee_fen, free_from_fen)
        for code, fee_fen, free_from_fen in FreightRule.objects.values_list(
            "province_code", "fee_fen", "free_from_fen"
        )
    }


def orders_for_customer(customer: Customer) -> QuerySet[Order]:
    return Order.objects.filter(customer=customer).prefetch_related("lines")


def order_for_customer(customer: Customer, number: str) -> Order:
    """Raises Order.DoesNotExist for someone else's order, so it looks like a missing one."""
    return Order.objects.prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
        Prefetch(
            "returns",
            queryset=ReturnRequest.objects.select_related("return_address").prefetch_related(
                "lines__order_line"
            ),
        ),
    ).get(customer=customer, number=number)


def orders_for_console(status: str | None = None) -> QuerySet[Order]:
    # An aggregate drops Meta.ordering (Django >= 3.1), so the newest-first order is explicit.
    qs = (
        Order.objects.select_related("customer")
        .annotate(line_count=Count("lines"))
        .order_by("-placed_at", "-pk")
    )
    if status:
        qs = qs.filter(status=status)
    return qs


def unshipped_orders() -> QuerySet[Order]:
    return orders_for_console(OrderStatus.PAID).order_by("paid_at", "pk")


def return_addresses_in_use() -> QuerySet[ReturnAddress]:
    """Where an approved return may be sent back to: the addresses not retired."""
    return ReturnAddress.objects.filter(active=True).order_by("pk")


def returns_queue(*, statuses=ReturnRequest.OPEN) -> QuerySet[ReturnRequest]:
    """Returns in ``statuses`` (the open ones unless told), those due for refund first."""
    return (
        ReturnRequest.objects.filter(status__in=list(statuses))
        .select_related("order")
        .prefetch_related(
            Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line"))
        )
        .order_by(F("refund_due_at").asc(nulls_last=True), "requested_at", "pk")
    )


# Brand console ----------------------------------------------------------------------------------


def order_counts_by_status() -> dict[str, int]:
    rows = Order.objects.order_by().values_list("status").annotate(n=Count("pk"))
    return dict(rows)


def search_orders_for_console(*, status: str | None = None, query: str = "") -> QuerySet[Order]:
    """The console's order list, by status and by order number or mobile (customer or recipient)."""
    qs = orders_for_console(status or None)
    query = (query or "").strip()
    if query:
        qs = qs.filter(
            Q(number__icontains=query)
            | Q(customer__mobile__icontains=query)
            | Q(phone__icontains=query)
        )
    return qs


def order_for_console(number: str) -> Order:
    """One order with everything its console page shows; raises Order.DoesNotExist."""
    return (
        Order.objects.select_related("customer")
        .prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
            "payments__refunds",  # each in the order it was made (their Meta.ordering)
            "claims",
            Prefetch(
                "returns",
                queryset=ReturnRequest.objects.order_by("requested_at", "pk").prefetch_related(
                    Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line"))
                ),
            ),
        )
        .get(number=number)
    )


def orders_of_customer_for_console(customer: Customer) -> QuerySet[Order]:
    """A customer's orders for his console page, newest first, with the attributed distributor."""
    return (
        Order.objects.filter(customer=customer)
        .select_related("distributor")
        .annotate(line_count=Count("lines"))
        .order_by("-placed_at", "-pk")
    )


def returns_of_customer(customer: Customer) -> QuerySet[ReturnRequest]:
    """A customer's return requests, newest first, with their order."""
    return (
        ReturnRequest.objects.filter(order__customer=customer)
        .select_related("order")
        .order_by("-requested_at", "-pk")
    )


# Storefront -------------------------------------------------------------------------------------


def cart_for_customer(customer: Customer) -> QuerySet:
    """The customer's cart lines with what the cart page shows: product, current price, stock."""
    from weishang.catalog.models import PricePeriod

    from .models import CartItem

    return (
        CartItem.objects.filter(customer=customer)
        .select_related("sku__product", "sku__stock")
        .prefetch_related(
            Prefetch("sku__price_periods", queryset=PricePeriod.objects.order_by("starts_at")),
            "sku__product__images",
        )
        .order_by("added_at", "pk")
    )


def order_list_for_customer(customer: Customer) -> QuerySet[Order]:
    """My orders, newest first, with their lines for the summary."""
    return Order.objects.filter(customer=customer).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.order_by("pk"))
    )


EXPORT_LINE_FIELDS = (
    "order_id",
    "order__number",
    "order__placed_at",
    "order__paid_at",
    "order__status",
    "order__total_fen",
    "order__refunded_fen",
    "order__distributor_id",
    "product_name",
    "sku_code",
    "sku_name",
    "quantity",
    "unit_price_fen",
    "line_total_fen",
)


def lines_placed_between(start: datetime, end: datetime) -> QuerySet:
    """The lines of the orders placed in [start, end), in order of placing, as tuples of
    ``EXPORT_LINE_FIELDS`` (the regulator export streams them)."""
    return (
        OrderLine.objects.filter(order__placed_at__gte=start, order__placed_at__lt=end)
        .order_by("order__placed_at", "order_id", "pk")
        .values_list(*EXPORT_LINE_FIELDS)
    )


def orders_to_pack(*, numbers: list[str] | None, limit: int) -> list[Order]:
    """The paid orders among ``numbers`` (every paid order when None), oldest paid first, at most
    ``limit``, with their lines, in two queries: what the packing list and the labels print."""
    orders = Order.objects.filter(status=OrderStatus.PAID)
    if numbers is not None:
        orders = orders.filter(number__in=numbers)
    return list(
        orders.select_related("customer")
        .prefetch_related(Prefetch("lines", queryset=OrderLine.objects.order_by("pk")))
        .order_by("paid_at", "pk")[:limit]
    )


def pick_list(orders: list[Order]) -> list[tuple[str, str, str, int]]:
    """What to take from the shelves for these orders (their lines prefetched): each SKU's code,
    product and specification with its total quantity, in code order."""
    picks: dict[tuple[str, str, str], int] = {}
    for order in orders:
        for line in order.lines.all():
            key = (line.sku_code, line.product_name, line.sku_name)
            picks[key] = picks.get(key, 0) + line.quantity
    return [(*key, quantity) for key, quantity in sorted(picks.items())]


# Quality claims ----------------------------------------------------------------------------------


def claims_queue(*, status: str = "") -> QuerySet[QualityClaim]:
    """Claims for customer service, oldest waiting first; ``status`` "" for all, "open" for
    those still to decide or to ship."""
    claims = QualityClaim.objects.select_related("order__customer", "order_line").annotate(
        photo_count=Count("photos")
    )
    if status == "open":
        claims = claims.filter(status__in=QualityClaim.OPEN)
    elif status:
        claims = claims.filter(status=status)
    return claims.order_by("requested_at", "pk")


def claim_for_staff(number: str) -> QualityClaim:
    return (
        QualityClaim.objects.select_related("order__customer", "order_line", "complaint")
        .prefetch_related("photos")
        .get(number=number)
    )


def claim_photo_response(claim: QualityClaim, photo_id: int):
    """A claim photo as a private, uncached download; Http404 if it is not this claim's."""
    photo = next((p for p in claim.photos.all() if p.pk == photo_id), None)
    if photo is None or not photo.image:
        raise Http404
    content_type = mimetypes.guess_type(photo.image.name)[0] or "application/octet-stream"
    response = FileResponse(photo.image.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


def claims_requested_between(start, end) -> QuerySet[QualityClaim]:
    """Quality claims requested in [start, end), oldest first, as tuples for the regulator
    export: what was asked, what the brand decided and why, and the refund."""
    return (
        QualityClaim.objects.filter(requested_at__gte=start, requested_at__lt=end)
        .order_by("requested_at", "pk")
        .values_list(
            "number",
            "order__number",
            "requested_at",
            "quantity",
            "remedy",
            "decided_remedy",
            "status",
            "decided_at",
            "decision_reason",
            "refund_fen",
            "refunded_at",
            "complaint__number",
        )
    )
