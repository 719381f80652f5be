"""Console: the period's top distributors (by sales, orders, customers or commission), top
products (by units, sales or refund rate), read from the analytics rollups, and top content
themes (by completed sales, orders or posts made)."""

from django import forms
from django.contrib import messages
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from weishang.analytics import rankings as selectors
from weishang.analytics.fold import folded
from weishang.replicas import replica_reads

from .analytics_views import period_of
from .views import staff_required

DISTRIBUTOR_MEASURES = {
    "sales": _("Sales"),
    "orders": _("Orders"),
    "customers": _("Customers"),
    "commission": _("Commission"),
}
THEME_MEASURES = {
    "completed_fen": _("Completed sales"),
    "orders": _("Orders"),
    "uses": _("Posts made"),
}
PRODUCT_MEASURES = {
    "units": _("Units"),
    "sales": _("Sales"),
    "refund_rate": _("Refund rate"),
}


class RankingForm(forms.Form):
    by = forms.ChoiceField(
        label=_("Rank distributors by"), choices=DISTRIBUTOR_MEASURES.items(), required=False
    )
    product_by = forms.ChoiceField(
        label=_("Rank products by"), choices=PRODUCT_MEASURES.items(), required=False
    )
    theme_by = forms.ChoiceField(
        label=_("Rank themes by"), choices=THEME_MEASURES.items(), required=False
    )


@staff_required
@require_safe
@folded
@replica_reads
def rankings(request):
    period_form, period = period_of(request)
    form = RankingForm(request.GET)
    by = product_by = theme_by = ""
    if form.is_valid():
        by, product_by = form.cleaned_data["by"], form.cleaned_data["product_by"]
        theme_by = form.cleaned_data["theme_by"]
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    by, product_by, theme_by = by or "sales", product_by or "units", theme_by or "completed_fen"
    return render(
        request,
        "console/analytics/rankings.html",
        {
            "nav": "rankings",
            "period_form": period_form,
            "period": period,
            "by": by,
            "by_label": DISTRIBUTOR_MEASURES[by],
            "product_by": product_by,
            "theme_by": theme_by,
            "theme_measures": THEME_MEASURES.items(),
            "keep": [("by", by), ("product_by", product_by), ("theme_by", theme_by)],
            "distributor_measures": DISTRIBUTOR_MEASURES.items(),
            "product_measures": PRODUCT_MEASURES.items(),
            "distributors": selectors.top_distributors(period, by),
            "products": selectors.top_products(period, product_by),
            "themes": selectors.top_themes(period, theme_by),
            "money": by in ("sales", "commission"),
        },
    )
