"""Commission plans: which version is in force, the rate it gives each product, and saving a new
version after the compliance check (COMPLIANCE.md §1)."""

from collections.abc import Iterable
from dataclasses import asdict, replace

from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.catalog.models import Category, PricePeriod, Product, Sku
from weishang.compliance import audit
from weishang.core_errors import DomainError

from .models import CommissionPlan, PlanMode, PlanRate
from .rules import ART_7_3, Finding, Override, PlanDraft, Verdict, check_plan, margin_bp


class PlanRefused(DomainError):
    """The draft breaks a rule; its message lists every refusal with the article it breaks."""

    code = "plan_refused"

    def __init__(self, message, *, verdict: Verdict | None = None, code: str | None = None):
        super().__init__(message, code=code)
        self.verdict = verdict


def active_plan() -> CommissionPlan | None:
    """The newest plan version; None until the brand has saved a plan."""
    return (
        CommissionPlan.objects.order_by("-version")
        .prefetch_related("rates__category", "rates__product")
        .first()
    )


def plan_history() -> list[CommissionPlan]:
    """Every version, newest first, with its rates and who saved and acknowledged it."""
    return list(
        CommissionPlan.objects.order_by("-version")
        .select_related("created_by", "risk_acknowledged_by")
        .prefetch_related("rates__category", "rates__product")
    )


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


def product_margins() -> dict[int, Override]:
    """``{product_id: Override}`` carrying the margin of each product with a known cost: the
    smallest margin of its active SKUs, each at the lowest price it sells at from now on (its list
    price or a price period not yet over), so a scheduled lower price counts before it starts."""
    now = timezone.now()
    skus = (
        Sku.objects.filter(is_active=True, cost_fen__isnull=False)
        .select_related("product")
        .prefetch_related(
            Prefetch("price_periods", queryset=PricePeriod.objects.filter(ends_at__gt=now))
        )
        .order_by("pk")
    )
    margins: dict[int, Override] = {}
    for sku in skus:
        lowest = min([sku.list_price_fen, *(p.price_fen for p in sku.price_periods.all())])
        margin = margin_bp(lowest, sku.cost_fen)
        known = margins.get(sku.product_id)
        if known is None or margin < known.margin_bp:
            margins[sku.product_id] = Override(
                key=sku.product_id,
                label=sku.product.name,
                margin_bp=margin,
                category_key=sku.product.category_id,
            )
    return margins


def with_margins(draft: PlanDraft) -> PlanDraft:
    """``draft`` with each product's margin, name and category from the catalogue, so the check
    refuses a rate above the margin whether it is the product's own, its category's or the
    default."""
    margins = product_margins()
    products = [
        replace(margins.pop(o.key), rate_bp=o.rate_bp)
        if o.key in margins
        else replace(o, margin_bp=None)
        for o in draft.products
    ]
    return replace(
        draft,
        categories=tuple(replace(c, margin_bp=None) for c in draft.categories),
        products=(*products, *margins.values()),
    )


def check(draft: PlanDraft) -> Verdict:
    """The compliance verdict on ``draft`` against the catalogue's margins."""
    return check_plan(with_margins(draft))


def above_margin_in_force(plan: CommissionPlan | None = None) -> list[Finding]:
    """What the plan in force (``plan``, when the caller has it already) pays above a product's
    margin, after a cost or a price changed: the brand is told, the plan is not changed."""
    plan = plan or active_plan()
    if plan is None:
        return []
    verdict = check(draft_from_plan(plan))
    return [f for f in verdict.refusals if f.code == "rate_above_margin"]


def draft_from_plan(plan: CommissionPlan | None) -> PlanDraft:
    """The draft a plan was saved from, to prefill the editor and to check it again."""
    if plan is None:
        return PlanDraft()
    rates = list(plan.rates.all())
    categories = tuple(
        Override(key=r.category_id, label=r.category.name, rate_bp=r.rate_bp)
        for r in rates
        if r.category_id
    )
    products = tuple(
        Override(
            key=r.product_id,
            label=r.product.name,
            rate_bp=r.rate_bp,
            category_key=r.product.category_id,
        )
        for r in rates
        if r.product_id
    )
    return PlanDraft(
        mode=plan.mode,
        default_rate_bp=plan.default_rate_bp,
        categories=categories,
        products=products,
        upline_rates_bp=(plan.second_level_rate_bp,) if plan.second_level_rate_bp else (),
        second_level_acknowledged=plan.risk_acknowledged_at is not None,
        sales_levels=plan.levels(),
    )


def refusal_message(verdict: Verdict) -> str:
    return _("This plan cannot be saved: %(refusals)s") % {
        "refusals": " ".join(refusal.message for refusal in verdict.refusals)
    }


def save_plan(*, draft: PlanDraft, actor) -> CommissionPlan:
    """Saves ``draft`` as the next plan version, if the compliance check lets it through.

    Earlier versions are never touched: orders keep the version that priced them. A second level
    records who acknowledged its risk, and when, on the new version and in the audit log
    (the same transaction, so a plan is never saved without its record)."""
    verdict = check(draft)
    if not verdict.ok:
        raise PlanRefused(refusal_message(verdict), verdict=verdict)
    _require_known(Category, [c.key for c in draft.categories if c.rate_bp is not None])
    _require_known(Product, [p.key for p in draft.products if p.rate_bp is not None])
    now = timezone.now()
    second_level = draft.second_level_rate_bp
    try:
        with transaction.atomic():
            previous = CommissionPlan.objects.order_by("-version").first()
            latest = previous.version if previous else 0
            plan = CommissionPlan.objects.create(
                version=latest + 1,
                mode=draft.mode,
                default_rate_bp=draft.default_rate_bp,
                second_level_rate_bp=second_level,
                risk_acknowledged_by=actor if second_level else None,
                risk_acknowledged_at=now if second_level else None,
                sales_levels=[asdict(level) for level in draft.sales_levels],
                created_by=actor,
                created_at=now,
            )
            PlanRate.objects.bulk_create(
                [
                    PlanRate(plan=plan, category_id=c.key, rate_bp=c.rate_bp)
                    for c in draft.categories
                    if c.rate_bp is not None
                ]
                + [
                    PlanRate(plan=plan, product_id=p.key, rate_bp=p.rate_bp)
                    for p in draft.products
                    if p.rate_bp is not None
                ]
            )
            _audit_saved(plan, previous, actor)
    except IntegrityError as exc:
        # Two operators saving at the same moment both chose the next version number.
        raise PlanRefused(
            _("Another operator saved a plan at the same moment. Check the plan again and save."),
            code="plan_conflict",
        ) from exc
    return plan


def _require_known(model, keys: list[int]) -> None:
    if len(set(keys)) != len(keys):
        raise PlanRefused(_("Each category and product can have only one rate."), code="duplicate")
    if keys and model.objects.filter(pk__in=keys).count() != len(keys):
        raise PlanRefused(
            _("A category or product in this plan no longer exists."), code="unknown_target"
        )


def _audit_saved(plan: CommissionPlan, previous: CommissionPlan | None, actor) -> None:
    """Records the new version, and a second level's acknowledged risk, in the audit log."""

    def summary(p):
        return (
            None
            if p is None
            else {
                "version": p.version,
                "mode": p.mode,
                "default_rate_bp": p.default_rate_bp,
                "second_level_rate_bp": p.second_level_rate_bp,
                "sales_levels": p.sales_levels,
                "rates": {
                    str(r.product_id or f"category:{r.category_id}"): r.rate_bp
                    for r in p.rates.all()
                },
            }
        )

    audit.record(
        actor=actor, action="plan.save", obj=plan, before=summary(previous), after=summary(plan)
    )
    if plan.mode == PlanMode.ADVISORY and plan.second_level_rate_bp:
        audit.record(
            actor=actor,
            action="plan.acknowledge_second_level_risk",
            obj=plan,
            after={"second_level_rate_bp": plan.second_level_rate_bp, "article": str(ART_7_3)},
            reason=str(ART_7_3),
        )
