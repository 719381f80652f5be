"""Console: the commission plan in force, its history, and the editor that shows the compliance
verdict (COMPLIANCE.md §1) before a new version is saved."""

import re
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.catalog.models import Category, Product
from weishang.commissions import plans
from weishang.commissions.models import PlanMode
from weishang.commissions.rules import ADVISORY, Override, PlanDraft, SalesLevel, format_bp
from weishang.core_errors import DomainError
from weishang.money import AmountError, format_fen, format_yuan, parse_yuan

from .views import staff_required

_NUMBER = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")
_MAX_INPUT = Decimal(10**9)
LEVEL_ROWS = 5  # rows for distributor levels in the editor


def _parse(raw: str, *, scale: int, error) -> int | None:
    """'5.5' × 100 as 550 through Decimal; blank is None; more than two decimals is refused. A
    negative or too-large number is passed on, for the compliance check to refuse with reasons."""
    text = (raw or "").strip().replace(",", "").replace("%", "").removeprefix("¥").strip()
    if not text:
        return None
    if not _NUMBER.match(text) or abs(Decimal(text)) > _MAX_INPUT:
        raise forms.ValidationError(error, code="invalid")
    value = Decimal(text) * scale
    if value != value.to_integral_value():
        raise forms.ValidationError(_("Use at most two decimals."), code="too_many_decimals")
    return int(value)


class PercentField(forms.CharField):
    """A rate typed in percent, cleaned to basis points: '5.5' is 550."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 6}))
        super().__init__(**kwargs)

    def clean(self, value):
        return _parse(
            super().clean(value), scale=100, error=_("Enter a percentage, for example 5.5.")
        )

    def prepare_value(self, value):
        return bp_to_percent(value) if isinstance(value, int) else value


def bp_to_percent(rate_bp: int) -> str:
    """550 as '5.5', the form PercentField reads back."""
    whole, part = divmod(rate_bp, 100)
    return f"{whole}.{part:02d}".rstrip("0") if part else str(whole)


class YuanAmountField(forms.CharField):
    """An amount typed in yuan, cleaned to fen; blank is zero. A negative is passed on, for the
    compliance check to refuse with its reason."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 8}))
        super().__init__(**kwargs)

    def clean(self, value):
        text = super().clean(value)
        if not text.strip():
            return 0
        try:
            return parse_yuan(text)
        except AmountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


class PlanForm(forms.Form):
    """The plan editor: the rates, the second level, and the features the law forbids (so the
    check can say why, instead of the form pretending they do not exist)."""

    mode = forms.ChoiceField(
        label=gettext_lazy("Mode"), choices=PlanMode.choices, widget=forms.RadioSelect
    )
    default_rate = PercentField(label=gettext_lazy("Default rate (%)"), required=True)
    second_level_rate = PercentField(label=gettext_lazy("Inviter's second-level rate (%)"))
    acknowledge = forms.BooleanField(
        label=gettext_lazy(
            "I understand that paying an inviter on his invitee's sales risks being treated as "
            "team-based pay under 《禁止传销条例》第七条第（三）项, and I take responsibility for "
            "this choice."
        ),
        required=False,
    )
    join_fee = YuanAmountField(label=gettext_lazy("Fee to become a distributor (yuan)"))
    deposit = YuanAmountField(label=gettext_lazy("Deposit (yuan)"))
    starter_pack = forms.BooleanField(
        label=gettext_lazy("Starter pack (礼包) to join or unlock a rate"), required=False
    )
    minimum_purchase = YuanAmountField(
        label=gettext_lazy("Minimum purchase to join or unlock a rate (yuan)")
    )
    recruitment_reward = YuanAmountField(
        label=gettext_lazy("Reward per distributor recruited (yuan)")
    )
    team_size_ranks = forms.BooleanField(
        label=gettext_lazy("Ranks or rates by team size"), required=False
    )
    team_sales_ranks = forms.BooleanField(
        label=gettext_lazy("Ranks or rates by team sales"), required=False
    )
    stock_purchase_required = forms.BooleanField(
        label=gettext_lazy("Distributors must buy stock"), required=False
    )

    def __init__(self, *args, categories, products, margins, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        self.products = list(products)
        self.margins = margins
        for row in range(LEVEL_ROWS):
            self.fields[f"level_{row}_name"] = forms.CharField(
                label=_("Name of level %(row)d") % {"row": row + 1},
                max_length=20,
                required=False,
            )
            self.fields[f"level_{row}_threshold"] = YuanAmountField(
                label=_("Own completed sales for level %(row)d (yuan)") % {"row": row + 1}
            )
            self.fields[f"level_{row}_extra"] = PercentField(
                label=_("Extra rate of level %(row)d (%%)") % {"row": row + 1}
            )
        for kind, objects in (("category", self.categories), ("product", self.products)):
            for obj in objects:
                self.fields[f"{kind}_{obj.pk}_rate"] = PercentField(
                    label=_("Rate for %(name)s (%%)") % {"name": obj.name}
                )

    def clean(self):
        data = super().clean()
        for row in range(LEVEL_ROWS):
            numbers = (data.get(f"level_{row}_threshold"), data.get(f"level_{row}_extra"))
            if not data.get(f"level_{row}_name") and any(numbers):
                self.add_error(f"level_{row}_name", _("Name this level, or clear its row."))
        return data

    def level_rows(self):
        return [
            (self[f"level_{row}_name"], self[f"level_{row}_threshold"], self[f"level_{row}_extra"])
            for row in range(LEVEL_ROWS)
        ]

    def sales_levels(self) -> tuple[SalesLevel, ...]:
        data = self.cleaned_data
        return tuple(
            SalesLevel(
                name=data[f"level_{row}_name"],
                threshold_fen=data[f"level_{row}_threshold"],
                extra_rate_bp=data[f"level_{row}_extra"] or 0,
            )
            for row in range(LEVEL_ROWS)
            if data[f"level_{row}_name"]
        )

    def category_rows(self):
        return [(obj, self[f"category_{obj.pk}_rate"]) for obj in self.categories]

    def product_rows(self):
        """Each product with its rate field and its margin derived from the catalogue (None when
        no cost is recorded)."""
        return [
            (
                obj,
                self[f"product_{obj.pk}_rate"],
                format_bp(self.margins[obj.pk].margin_bp) if obj.pk in self.margins else None,
            )
            for obj in self.products
        ]

    def draft(self) -> PlanDraft:
        data = self.cleaned_data

        def overrides(kind, objects):
            return tuple(
                Override(
                    key=obj.pk,
                    label=obj.name,
                    rate_bp=data[f"{kind}_{obj.pk}_rate"],
                    category_key=getattr(obj, "category_id", None),
                )
                for obj in objects
                if data[f"{kind}_{obj.pk}_rate"] is not None
            )

        second = data["second_level_rate"] or 0
        return PlanDraft(
            mode=data["mode"],
            default_rate_bp=data["default_rate"],
            categories=overrides("category", self.categories),
            products=overrides("product", self.products),
            upline_rates_bp=(second,) if second else (),
            second_level_acknowledged=data["acknowledge"],
            sales_levels=self.sales_levels(),
            join_fee_fen=data["join_fee"],
            deposit_fen=data["deposit"],
            starter_pack=data["starter_pack"],
            minimum_purchase_fen=data["minimum_purchase"],
            recruitment_reward_fen=data["recruitment_reward"],
            team_size_ranks=data["team_size_ranks"],
            team_sales_ranks=data["team_sales_ranks"],
            stock_purchase_required=data["stock_purchase_required"],
        )


def _initial(draft: PlanDraft) -> dict:
    initial = {
        "mode": draft.mode,
        "default_rate": draft.default_rate_bp,
        "second_level_rate": draft.second_level_rate_bp or None,
        "acknowledge": False,  # acknowledged again for every version that keeps a second level
    }
    for row, level in enumerate(draft.sales_levels[:LEVEL_ROWS]):
        initial[f"level_{row}_name"] = level.name
        initial[f"level_{row}_threshold"] = format_yuan(level.threshold_fen)
        initial[f"level_{row}_extra"] = level.extra_rate_bp
    for kind, overrides in (("category", draft.categories), ("product", draft.products)):
        for override in overrides:
            initial[f"{kind}_{override.key}_rate"] = override.rate_bp
    return initial


def _for_display(plan):
    plan.default_pct = format_bp(plan.default_rate_bp)
    plan.second_level_pct = format_bp(plan.second_level_rate_bp)
    plan.level_rows = [
        (level.name, format_fen(level.threshold_fen), format_bp(level.extra_rate_bp))
        for level in plan.levels()
    ]
    rates = plan.rates.all()
    plan.override_rows = [
        (_("category"), r.category.name, format_bp(r.rate_bp)) for r in rates if r.category_id
    ] + [(_("product"), r.product.name, format_bp(r.rate_bp)) for r in rates if r.product_id]
    return plan


@staff_required
def plan_list(request):
    history = [_for_display(plan) for plan in plans.plan_history()]
    current = history[0] if history else None
    return render(
        request,
        "console/plans/list.html",
        {
            "current": current,
            "history": history,
            "above_margin": plans.above_margin_in_force(current) if current else [],
            "nav": "plans",
        },
    )


@staff_required
def plan_new(request):
    categories = Category.objects.order_by("position", "pk")
    products = Product.objects.select_related("category").order_by(
        "category__position", "category_id", "position", "pk"
    )
    current = plans.active_plan()
    margins = plans.product_margins()
    verdict = None
    if request.method == "POST":
        form = PlanForm(request.POST, categories=categories, products=products, margins=margins)
        if form.is_valid():
            draft = form.draft()
            verdict = plans.check(draft)
            if request.POST.get("action") == "save":
                try:
                    plan = plans.save_plan(draft=draft, actor=request.user)
                except DomainError as error:
                    messages.error(request, error.message)
                else:
                    messages.success(
                        request,
                        _("Plan version %(version)s saved; it prices every new order from now on.")
                        % {"version": plan.version},
                    )
                    return redirect("console:plan_list")
        else:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else None
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
    else:
        draft = plans.draft_from_plan(current)
        form = PlanForm(
            initial=_initial(draft), categories=categories, products=products, margins=margins
        )
    return render(
        request,
        "console/plans/edit.html",
        {
            "form": form,
            "verdict": verdict,
            "current": current,
            "advisory": ADVISORY,
            "nav": "plans",
        },
    )
