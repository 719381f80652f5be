"""Order reads shared by the storefront and the console."""

from django.db.models import Count, Prefetch, QuerySet

from weishang.customers.models import Customer

from .models import Order, OrderLine, OrderStatus, ReturnLine, ReturnRequest


def orders_for_customer(customer: Customer) -> QuerySet[Order]:
    return Order.objects.filter(customer=customer).prefetch_related("lines")


def order_for_customer(customer: Customer, number: str) -> Order:
    """Raises Order.DoesNotExist for someone else's order, so it looks exactly like a missing one."""
    return (
        Order.objects.prefetch_related(
            Prefetch("lines", queryset=OrderLine.objects.order_by("pk")),
            Prefetch("returns", queryset=ReturnRequest.objects.prefetch_related("lines__order_line")),
        )
        .get(customer=customer, number=number)
    )


def orders_for_console(status: str | None = None) -> QuerySet[Order]:
    qs = Order.objects.select_related("customer").annotate(line_count=Count("lines"))
    if status:
        qs = qs.filter(status=status)
    return qs


def unshipped_orders() -> QuerySet[Order]:
    return orders_for_console(OrderStatus.PAID).order_by("paid_at", "pk")


def returns_queue() -> QuerySet[ReturnRequest]:
    return (
        ReturnRequest.objects.filter(status__in=ReturnRequest.OPEN)
        .select_related("order")
        .prefetch_related(Prefetch("lines", queryset=ReturnLine.objects.select_related("order_line")))
        .order_by("refund_due_at", "requested_at", "pk")
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
