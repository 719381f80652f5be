"""Distribution reads shared by the store, the consoles and reports."""

from datetime import datetime, time

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product
from weishang.customers.models import Customer
from weishang.customers.rules import mask_mobile, mask_name
from weishang.payments.selectors import with_refund_in_progress

from .models import Application, Binding, Distributor, ProgrammeSettings, ShareVisit


def programme() -> ProgrammeSettings:
    """The brand's programme settings; the defaults until the brand saves its own."""
    return ProgrammeSettings.objects.order_by("pk").first() or ProgrammeSettings()


def distributor_by_slug(slug: str) -> Distributor:
    """Any distributor, open or closed, by store address; raises Distributor.DoesNotExist."""
    return Distributor.objects.get(slug=slug)


def distributor_for_customer(customer: Customer | None) -> Distributor | None:
    if customer is None:
        return None
    return Distributor.objects.filter(customer=customer).first()


def latest_application(customer: Customer) -> Application | None:
    return customer.distributor_applications.order_by("-submitted_at", "-pk").first()


def may_apply(distributor: Distributor | None, application: Application | None) -> bool:
    """Whether the store offers him the application form: not a distributor, and no application
    of his waiting for review."""
    pending = application is not None and application.status == Application.Status.PENDING
    return distributor is None and not pending


def pending_applications() -> QuerySet[Application]:
    """The brand's review queue, oldest first."""
    return Application.objects.filter(status=Application.Status.PENDING).select_related(
        "customer", "invited_by"
    )


def featured_product_ids(distributor: Distributor) -> list[int]:
    return list(
        distributor.featured.order_by("position", "pk").values_list("product_id", flat=True)
    )


def microstore_products(distributor: Distributor) -> tuple[list[Product], list[Product]]:
    """(featured, the rest): every published product at the brand's prices, his chosen ones first
    in his order. Two queries for the choice and the products, plus the catalogue's prefetches."""
    featured_ids = featured_product_ids(distributor)
    products = list(catalog.published_products())
    by_id = {product.pk: product for product in products}
    featured = [by_id[pk] for pk in featured_ids if pk in by_id]
    chosen = {product.pk for product in featured}
    return featured, [product for product in products if product.pk not in chosen]


def published_product(slug: str) -> Product:
    """A published product with its SKUs and price periods; raises Product.DoesNotExist."""
    return catalog.published_product(slug)


# The distributor's own console ------------------------------------------------------------------
# Each read is scoped to one distributor by construction: pages never look up another's rows.


def orders_for_distributor(distributor: Distributor) -> QuerySet:
    """Orders attributed to him, newest first, with their lines (one extra query per page) and
    whether a refund is in progress. Only what COMPLIANCE.md §5 lets him see: never the address."""
    from weishang.orders.models import Order, OrderLine

    return (
        with_refund_in_progress(Order.objects.filter(distributor=distributor))
        .only(
            "pk", "number", "status", "total_fen", "refunded_fen", "recipient", "phone", "placed_at"
        )
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=OrderLine.objects.only("order_id", "product_name", "quantity").order_by(
                    "pk"
                ),
            )
        )
        .order_by("-placed_at", "-pk")
    )


def customers_for_distributor(distributor: Distributor) -> QuerySet:
    """His bound customers, newest binding first, each with the name, phone and city of his latest
    order from him (or of the default address), his paid orders from him and the last one's time —
    one query per page."""
    from weishang.customers.models import Address
    from weishang.orders.models import Order

    theirs = Order.objects.filter(customer=OuterRef("customer_id"), distributor=distributor)
    latest = theirs.order_by("-placed_at", "-pk")
    address = Address.objects.filter(customer=OuterRef("customer_id")).order_by("-is_default", "pk")
    paid = theirs.filter(paid_at__isnull=False).order_by().values("customer")
    return (
        Binding.objects.filter(distributor=distributor)
        .annotate(
            order_name=Subquery(latest.values("recipient")[:1]),
            order_phone=Subquery(latest.values("phone")[:1]),
            order_city=Subquery(latest.values("city")[:1]),
            address_name=Subquery(address.values("recipient")[:1]),
            address_city=Subquery(address.values("city")[:1]),
            mobile=F("customer__mobile"),
            paid_orders=Coalesce(
                Subquery(paid.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
                Value(0),
            ),
            last_order_at=Subquery(latest.values("placed_at")[:1]),
        )
        .only("pk", "customer_id", "source", "bound_at", "expires_at")
        .order_by("-bound_at", "-pk")
    )


def _products_of(order) -> str:
    lines = list(order.lines.all())
    if not lines:
        return ""
    first = f"{lines[0].product_name} × {lines[0].quantity}"
    if len(lines) == 1:
        return first
    return _("%(first)s and %(count)d more") % {"first": first, "count": len(lines) - 1}


def order_row(order) -> dict:
    """An order of ``orders_for_distributor`` as he may see it: the recipient's name and phone
    masked, never the order object or its address (COMPLIANCE.md §5)."""
    return {
        "number": order.number,
        "products": _products_of(order),
        "total_fen": order.total_fen,
        "refunded_fen": order.refunded_fen,
        "refund_in_progress": order.refund_in_progress,
        "status": _("refund in progress")
        if order.refund_in_progress
        else order.get_status_display(),
        "status_code": order.status,
        "placed_at": order.placed_at,
        "name": mask_name(order.recipient),
        "phone": mask_mobile(order.phone),
    }


def customer_row(binding) -> dict:
    """A customer of ``customers_for_distributor`` as he may see him: name and phone masked, the
    city only."""
    return {
        "name": mask_name(binding.order_name or binding.address_name or ""),
        "phone": mask_mobile(binding.order_phone or binding.mobile or ""),
        "city": binding.order_city or binding.address_city or "",
        "paid_orders": binding.paid_orders,
        "last_order_at": binding.last_order_at,
        "bound_at": binding.bound_at,
        "expires_at": binding.expires_at,
        "source": binding.get_source_display(),
    }


def activity(distributor: Distributor, *, now: datetime | None = None) -> dict[str, int]:
    """Openings of his links, QR codes and posters, and paid orders attributed to him, today and
    this month (Shanghai days) — two queries."""
    from weishang.orders.models import Order

    tz = timezone.get_default_timezone()
    today = timezone.localtime(now or timezone.now(), tz).date()
    day = datetime.combine(today, time.min, tzinfo=tz)
    month = datetime.combine(today.replace(day=1), time.min, tzinfo=tz)
    since = min(day, month)
    visits = ShareVisit.objects.filter(distributor=distributor, created_at__gte=since).aggregate(
        visits_today=Count("pk", filter=Q(created_at__gte=day)),
        visits_month=Count("pk", filter=Q(created_at__gte=month)),
    )
    orders = Order.objects.filter(distributor=distributor, paid_at__gte=since).aggregate(
        orders_today=Count("pk", filter=Q(paid_at__gte=day)),
        orders_month=Count("pk", filter=Q(paid_at__gte=month)),
    )
    return {key: value or 0 for key, value in {**visits, **orders}.items()}


def bound_customer_count(distributor: Distributor) -> int:
    return Binding.objects.filter(distributor=distributor).count()


def register_size() -> int:
    return Distributor.objects.count()


def register():
    """The whole distributor register, oldest first, as tuples (id, store name, slug, masked ID
    number, business kind, credit code, status, status reason, approved at)."""
    return Distributor.objects.order_by("pk").values_list(
        "pk",
        "store_name",
        "slug",
        "id_number_masked",
        "business_kind",
        "credit_code",
        "status",
        "status_reason",
        "approved_at",
    )


def register_entries(distributor_ids) -> dict[int, tuple]:
    """{id: (store name, masked ID number, business kind, credit code, status)} for these
    distributors; no query for none."""
    ids = {pk for pk in distributor_ids if pk is not None}
    if not ids:
        return {}
    rows = Distributor.objects.filter(pk__in=ids).values_list(
        "pk", "store_name", "id_number_masked", "business_kind", "credit_code", "status"
    )
    return {pk: tuple(rest) for pk, *rest in rows}
