"""The period's top distributors and products, read from the rollups only: a distributor's sales,
orders and customers from the buyer days, his commission from the commission days; a product's
units, sales and refunds from the product days. Each list is the top ``TOP``. The top themes are
content's own theme figures for the period (one query over the posts, their visits and orders).

Sales are what the payments kept (less every refund so far); a product's refund rate is what
refunds took back of what its lines were paid, in basis points (500 = 5 %)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.utils import timezone

from weishang.catalog.models import Product
from weishang.content import selectors as content
from weishang.distribution.models import Distributor

from .models import BuyerDay, CommissionDay, ProductDay, SoldProductDay
from .periods import Period

TOP = 50

DISTRIBUTOR_MEASURES = ("sales", "orders", "customers", "commission")
PRODUCT_MEASURES = ("units", "sales", "refund_rate")
THEME_MEASURES = ("completed_fen", "orders", "uses")


@dataclass(frozen=True)
class DistributorRank:
    rank: int
    distributor_id: int
    store_name: str
    value: int


@dataclass(frozen=True)
class ProductRank:
    rank: int
    product_id: int
    name: str
    units: int
    sales_fen: int
    refunded_fen: int
    refund_rate_bp: int


def _in(period: Period) -> Q:
    return Q(day__gte=period.first, day__lte=period.last)


def _distributor_figures(period: Period, measure: str):
    if measure == "commission":
        return (
            CommissionDay.objects.filter(_in(period))
            .order_by()
            .values("distributor")
            .annotate(value=Sum("earned_fen"))
            .filter(value__gt=0)
        )
    value = {
        "sales": Sum("gmv_fen"),
        "orders": Sum("orders"),
        "customers": Count("customer", distinct=True, filter=Q(orders__gt=0)),
    }[measure]
    return (
        BuyerDay.objects.filter(_in(period), distributor__gt=0)
        .order_by()
        .values("distributor")
        .annotate(value=value)
        .filter(value__gt=0)
    )


def top_distributors(period: Period, measure: str, limit: int = TOP) -> list[DistributorRank]:
    """The distributors with the most of ``measure`` in the period, most first (ties by id)."""
    if measure not in DISTRIBUTOR_MEASURES:
        raise ValueError(measure)
    figures = list(
        _distributor_figures(period, measure)
        .order_by("-value", "distributor")
        .values_list("distributor", "value")[:limit]
    )
    names = dict(
        Distributor.objects.filter(pk__in=[d for d, _v in figures]).values_list("pk", "store_name")
    )
    return [
        DistributorRank(rank=n, distributor_id=d, store_name=names.get(d, ""), value=v)
        for n, (d, v) in enumerate(figures, start=1)
    ]


def rank_of(period: Period, distributor_id: int, measure: str = "sales") -> tuple[int, int] | None:
    """The distributor's place among all distributors by ``measure`` in the period and how many
    were ranked; None when he has nothing to rank by. One pass over everybody's figures counts
    both those ahead of him and all of them."""
    figures = _distributor_figures(period, measure)
    mine = figures.filter(distributor=distributor_id).values_list("value", flat=True).first()
    if mine is None:
        return None
    sql, params = figures.values_list("distributor", "value").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(CASE WHEN f.value > %s OR (f.value = %s AND f.distributor < %s)"
            f" THEN 1 ELSE 0 END), 0), COUNT(*) FROM ({sql}) AS f",
            [mine, mine, distributor_id, *params],
        )
        ahead, ranked = cursor.fetchone()
    return int(ahead) + 1, int(ranked)


def top_products(period: Period, measure: str, limit: int = TOP) -> list[ProductRank]:
    """The products with the most units kept, sales kept, or the highest refund rate in the
    period (products with no sales have no rate), most first (ties by id)."""
    if measure not in PRODUCT_MEASURES:
        raise ValueError(measure)
    figures = (
        ProductDay.objects.filter(_in(period))
        .order_by()
        .values("product")
        .annotate(
            sold=Sum("units"),
            back=Sum("refunded_units"),
            paid=Sum("sales_fen"),
            refunded=Sum("refunded_fen"),
        )
        .annotate(
            units=F("sold") - F("back"),
            sales=F("paid") - F("refunded"),
            refund_rate=F("refunded") * 10_000 / F("paid"),
        )
        .filter(paid__gt=0)
    )
    if measure == "refund_rate":
        figures = figures.filter(refunded__gt=0)
    rows = list(
        figures.order_by(f"-{measure}", "-paid", "product").values_list(
            "product", "units", "sales", "refunded", "refund_rate"
        )[:limit]
    )
    names = dict(Product.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "name"))
    return [
        ProductRank(
            rank=n,
            product_id=p,
            name=names.get(p, ""),
            units=units,
            sales_fen=sales,
            refunded_fen=refunded,
            refund_rate_bp=rate,
        )
        for n, (p, units, sales, refunded, rate) in enumerate(rows, start=1)
    ]


def top_products_of(period: Period, distributor_id: int, limit: int = 10) -> list[ProductRank]:
    """A distributor's own best sellers in the period, by what his customers kept."""
    rows = list(
        SoldProductDay.objects.filter(_in(period), distributor=distributor_id)
        .order_by()
        .values("product")
        .annotate(
            paid=Sum("sales_fen"),
            refunded=Sum("refunded_fen"),
            units=Sum("units") - Sum("refunded_units"),
            sales=Sum("sales_fen") - Sum("refunded_fen"),
        )
        .filter(paid__gt=0)
        .order_by("-sales", "-units", "product")
        .values_list("product", "units", "sales", "refunded", "paid")[:limit]
    )
    names = dict(Product.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "name"))
    return [
        ProductRank(
            rank=n,
            product_id=p,
            name=names.get(p, ""),
            units=units,
            sales_fen=sales,
            refunded_fen=refunded,
            refund_rate_bp=refunded * 10_000 // paid,
        )
        for n, (p, units, sales, refunded, paid) in enumerate(rows, start=1)
    ]


def top_themes(period: Period, measure: str = "completed_fen", limit: int = TOP) -> list:
    """The themes whose posts brought the most completed sales, orders or posts made in the
    period, most first; themes with none are left out."""
    if measure not in THEME_MEASURES:
        raise ValueError(measure)
    since = timezone.make_aware(datetime.combine(period.first, time.min))
    until = timezone.make_aware(datetime.combine(period.last + timedelta(days=1), time.min))
    return list(
        content.theme_stats(since, until)
        .filter(**{f"{measure}__gt": 0})
        .order_by(f"-{measure}", "-pk")[:limit]
    )
