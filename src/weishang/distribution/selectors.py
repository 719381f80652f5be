"""Distribution reads shared by the store, the consoles and reports."""

from django.db.models import QuerySet

from weishang.catalog import selectors as catalog
from weishang.catalog.models import Product
from weishang.customers.models import Customer

from .models import Application, Distributor, ProgrammeSettings


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
