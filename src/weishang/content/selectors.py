"""Reads of the material library and personal posts that pages share: the themes distributors
may use, a distributor's posts with what they show, and each theme's use and sales for the brand."""

from datetime import date, datetime

from django.db.models import (
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest

from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product

from .models import Post, PostOrder, PostVisit, Theme, ThemeImage, ThemeMedia, ThemeProduct


def _linked_products(prefix: str = "") -> Prefetch:
    """A theme's published products in the brand's order, with their pictures and prices."""
    return Prefetch(
        f"{prefix}theme_products",
        queryset=ThemeProduct.objects.filter(product__status=Product.Status.PUBLISHED)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("product", queryset=catalog.published_products())),
    )


def _theme_prefetches(prefix: str = "") -> list[Prefetch]:
    return [
        Prefetch(f"{prefix}images", queryset=ThemeImage.objects.order_by("position", "pk")),
        _linked_products(prefix),
    ]


def usable_at(now: datetime) -> Q:
    """A theme distributors may use: published and inside its validity period at ``now``."""
    return (
        Q(status=Theme.Status.PUBLISHED)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=now))
        & (Q(valid_until__isnull=True) | Q(valid_until__gt=now))
    )


def themes_for_distributors(now: datetime) -> QuerySet[Theme]:
    """Published themes inside their validity, newest first, with their images, products,
    voice and video, audience and poster template."""
    return (
        Theme.objects.filter(usable_at(now))
        .select_related("segment", "poster_template")
        .prefetch_related(
            *_theme_prefetches(),
            Prefetch("media", queryset=ThemeMedia.objects.order_by("kind", "pk")),
        )
        .order_by("-published_at", "-pk")
    )


def _posts_with_material() -> QuerySet[Post]:
    return Post.objects.select_related("theme__poster_template", "distributor").prefetch_related(
        *_theme_prefetches("theme__")
    )


def posts_of(distributor_id: int) -> QuerySet[Post]:
    """A distributor's posts, newest day first, with their theme's images and products."""
    return _posts_with_material().filter(distributor_id=distributor_id)


def feed(distributor_id: int, today: date) -> QuerySet[Post]:
    """The posts his micro-store shows: planned for today or earlier, newest first."""
    return posts_of(distributor_id).filter(planned_on__lte=today)


def post_of(distributor_id: int, key: str) -> Post:
    """His post by key; raises Post.DoesNotExist for a missing post or another's."""
    return posts_of(distributor_id).get(key=key)


# The brand's figures per theme ------------------------------------------------------------------


def _per_theme(queryset: QuerySet, theme_path: str, value) -> Coalesce:
    """One figure of a theme as a correlated subquery (0 when there is nothing to count)."""
    rows = (
        queryset.filter(**{theme_path: OuterRef("pk")})
        .order_by()
        .values(theme_path)
        .annotate(figure=value)
        .values("figure")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def theme_stats(since: datetime | None, until: datetime | None = None) -> QuerySet[Theme]:
    """Every theme the brand published (withdrawn ones too), newest first, with what its posts
    did since ``since`` (all time when None) and before ``until`` (up to now when None): ``uses``
    (posts made), ``users`` (distributors who made one), ``visits``, ``orders`` (placed through a
    post's link), ``completed`` orders and ``completed_fen`` (what their customers paid for the
    goods and kept). One query."""
    posts, visits, orders = Post.objects.all(), PostVisit.objects.all(), PostOrder.objects.all()
    if since is not None:
        posts = posts.filter(created_at__gte=since)
        visits = visits.filter(created_at__gte=since)
        orders = orders.filter(created_at__gte=since)
    if until is not None:
        posts = posts.filter(created_at__lt=until)
        visits = visits.filter(created_at__lt=until)
        orders = orders.filter(created_at__lt=until)
    completed = orders.filter(order__completed_at__isnull=False)
    kept = Greatest(
        F("order__total_fen") - F("order__freight_fen") - F("order__refunded_fen"), Value(0)
    )
    return (
        Theme.objects.exclude(status=Theme.Status.DRAFT)
        .annotate(
            uses=_per_theme(posts, "theme", Count("pk")),
            users=_per_theme(posts, "theme", Count("distributor", distinct=True)),
            visits=_per_theme(visits, "post__theme", Count("pk")),
            orders=_per_theme(orders, "post__theme", Count("pk")),
            completed=_per_theme(completed, "post__theme", Count("pk")),
            completed_fen=_per_theme(completed, "post__theme", Sum(kept)),
        )
        .order_by("-published_at", "-pk")
    )
