"""Which plan is in force and which rate it gives each product."""

from collections.abc import Iterable

from weishang.catalog.models import Product

from .models import CommissionPlan


def active_plan() -> CommissionPlan | None:
    """The newest plan version; None until the brand has saved a plan."""
    return CommissionPlan.objects.order_by("-version").prefetch_related("rates").first()


def rates_for(plan: CommissionPlan, products: Iterable[Product]) -> dict[int, tuple[int, str]]:
    """``{product_id: (rate_bp, rule)}``: a product override wins over its category's, then the
    plan's default. ``rule`` records which one applied, for the order line's snapshot."""
    by_product = {r.product_id: r.rate_bp for r in plan.rates.all() if r.product_id}
    by_category = {r.category_id: r.rate_bp for r in plan.rates.all() if r.category_id}
    rates = {}
    for product in products:
        if product.pk in by_product:
            rates[product.pk] = (by_product[product.pk], f"v{plan.version}:product")
        elif product.category_id in by_category:
            rates[product.pk] = (by_category[product.category_id], f"v{plan.version}:category")
        else:
            rates[product.pk] = (plan.default_rate_bp, f"v{plan.version}:default")
    return rates
