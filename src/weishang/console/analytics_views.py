"""Console: the GMV factors of a period for the brand, a city station or a distributor, and the
C→B funnel with the big-B threshold."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST, require_safe

from weishang.analytics import selectors, services
from weishang.analytics.fold import folded
from weishang.analytics.forms import PeriodForm
from weishang.analytics.models import AnalyticsSettings
from weishang.analytics.rules import change
from weishang.community.models import Station
from weishang.distribution.models import Distributor
from weishang.money import format_fen
from weishang.replicas import replica_reads

from . import roles
from .charts import Chart, Series, csv_or_page
from .forms import YuanField
from .views import staff_required


def _percent(fraction) -> str:
    return "—" if fraction is None else f"{float(fraction) * 100:.1f}%"


def _money(fen) -> str:
    return "—" if fen is None else format_fen(round(fen))


def _ratio(fraction) -> str:
    return "—" if fraction is None else f"{float(fraction):.2f}"


def _change(now, before) -> dict:
    moved = change(now, before)
    return {
        "text": "—" if moved is None else f"{float(moved) * 100:+.1f}%",
        "up": moved is not None and moved > 0,
        "down": moved is not None and moved < 0,
    }


def _row(key, label, now, before, shown) -> dict:
    return {
        "key": key,
        "label": label,
        "now": shown(now),
        "before": shown(before),
        "change": _change(now, before),
    }


def kpis(now, before) -> list[dict]:
    """The four headline figures of a period beside the period before: GMV, orders, buyers, AOV."""
    return [
        _row("gmv", gettext_lazy("GMV (paid less refunds)"), now.gmv_fen, before.gmv_fen, _money),
        _row("orders", gettext_lazy("Orders"), now.orders, before.orders, str),
        _row("buyers", gettext_lazy("Buyers"), now.buyers, before.buyers, str),
        _row("aov", gettext_lazy("Average order value"), now.aov_fen, before.aov_fen, _money),
    ]


def factor_rows(now, before) -> list[dict]:
    """The four factors of seed 003's GMV formula, then GMV, beside the period before."""
    return [
        _row("reached", gettext_lazy("Customers reached"), now.reached, before.reached, str),
        _row("conversion", gettext_lazy("Conversion"), now.conversion, before.conversion, _percent),
        _row(
            "frequency",
            gettext_lazy("Purchase frequency (orders per buyer)"),
            now.frequency,
            before.frequency,
            _ratio,
        ),
        _row("aov", gettext_lazy("Average order value"), now.aov_fen, before.aov_fen, _money),
        _row("gmv", gettext_lazy("GMV (paid less refunds)"), now.gmv_fen, before.gmv_fen, _money),
    ]


def period_of(request, default: str = "this_month"):
    """The period the page's GET asks for; a bad one is told as a page message and the default
    period is shown."""
    form = PeriodForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return form, form.chosen(default)


class SliceForm(forms.Form):
    station = forms.ModelChoiceField(
        label=gettext_lazy("City station"),
        queryset=Station.objects.order_by("pk"),
        required=False,
        empty_label=gettext_lazy("The whole brand"),
    )
    store = forms.SlugField(
        label=gettext_lazy("Or one distributor (store address)"), max_length=40, required=False
    )

    def clean(self):
        data = super().clean()
        if data.get("store"):
            distributor = Distributor.objects.filter(slug=data["store"]).first()
            if distributor is None:
                raise forms.ValidationError(_("No distributor has this store address."))
            data["distributor"] = distributor
        return data

    def chosen(self) -> tuple[selectors.Slice, str]:
        if not self.is_bound or not self.is_valid():
            return selectors.BRAND, _("The whole brand")
        data = self.cleaned_data
        if data.get("distributor"):
            distributor = data["distributor"]
            return selectors.distributor_slice(distributor.pk), distributor.store_name
        if data.get("station"):
            return selectors.station_slice(data["station"].pk), data["station"].name
        return selectors.BRAND, _("The whole brand")


def factors_table(now, before) -> dict:
    """What ``_factors.html`` shows: the factors' rows and the product that gives GMV back."""
    return {
        "rows": factor_rows(now, before),
        "identity": {
            "reached": now.reached,
            "buyers": now.buyers,
            "orders": now.orders,
            "gmv": format_fen(now.gmv_fen),
        },
    }


@staff_required
@require_safe
@folded
@replica_reads
def factors(request):
    form, period = period_of(request, default="30d")
    slicer = SliceForm(request.GET or None)
    who, whose = slicer.chosen()
    now = selectors.factors(period, who)
    before = selectors.factors(period.previous(), who)
    chart = Chart(
        key="factors",
        title=_("GMV factors"),
        kind="bar",
        x_label=_("Factor"),
        categories=[_("Customers reached"), _("Buyers"), _("Orders")],
        series=[
            Series(_("This period"), [now.reached, now.buyers, now.orders]),
            Series(_("Previous period"), [before.reached, before.buyers, before.orders]),
        ],
    )
    download = csv_or_page(request, [chart], f"gmv-factors-{period.first}-{period.last}")
    if download:
        return download
    return render(
        request,
        "console/analytics/factors.html",
        {
            "form": form,
            "slicer": slicer,
            "period": period,
            "previous": period.previous(),
            "whose": whose,
            "now": now,
            "before": before,
            **factors_table(now, before),
            "chart": chart,
            "nav": "analytics_factors",
        },
    )


STEPS = {
    "visitors": (
        gettext_lazy("Visitors"),
        gettext_lazy("People who opened a distributor's share link, QR code or poster."),
    ),
    "small_c": (
        gettext_lazy("Small C"),
        gettext_lazy("Customers whose first order completed (the return window closed)."),
    ),
    "big_c": (
        gettext_lazy("Big C"),
        gettext_lazy(
            "Customers whose second order completed, or the first order their own share link "
            "brought."
        ),
    ),
    "small_b": (
        gettext_lazy("Small B"),
        gettext_lazy("Distributors approved."),
    ),
    "big_b": (
        gettext_lazy("Big B"),
        gettext_lazy("Distributors whose completed sales reached the brand's threshold."),
    ),
}


MAX_THRESHOLD_FEN = 100_000_000_00  # 100 million yuan


class ThresholdForm(forms.Form):
    threshold = YuanField(
        label=gettext_lazy("Big B from completed sales of (yuan)"),
        max_length=20,
        max_fen=MAX_THRESHOLD_FEN,
    )


@staff_required
@require_safe
@folded
@replica_reads
def funnel(request):
    form, period = period_of(request, default="30d")
    now, before = selectors.funnel(period), selectors.funnel(period.previous())
    steps, previous = [], None
    for (key, count), (_key, count_before) in zip(now.steps(), before.steps(), strict=True):
        label, definition = STEPS[key]
        steps.append(
            {
                "key": key,
                "label": label,
                "definition": definition,
                "n": count,
                "before": count_before,
                "change": _change(count, count_before),
                "from_previous": None
                if previous is None
                else _percent(None if not previous else count / previous),
            }
        )
        previous = count
    chart = Chart(
        key="funnel",
        title=_("C→B funnel"),
        kind="bar",
        x_label=_("Step"),
        categories=[step["label"] for step in steps],
        series=[
            Series(_("This period"), [step["n"] for step in steps]),
            Series(_("Previous period"), [step["before"] for step in steps]),
        ],
    )
    download = csv_or_page(request, [chart], f"funnel-{period.first}-{period.last}")
    if download:
        return download
    threshold = AnalyticsSettings.current().big_b_threshold_fen
    return render(
        request,
        "console/analytics/funnel.html",
        {
            "form": form,
            "period": period,
            "previous": period.previous(),
            "steps": steps,
            "chart": chart,
            "threshold_fen": threshold,
            "threshold_form": ThresholdForm(initial={"threshold": f"{threshold / 100:.2f}"}),
            "can_set_threshold": roles.user_can(request.user, "analytics_funnel_threshold", "POST"),
            "nav": "analytics_funnel",
        },
    )


@staff_required
@require_POST
def funnel_threshold(request):
    form = ThresholdForm(request.POST)
    if form.is_valid():
        services.set_big_b_threshold(
            actor=request.user, threshold_fen=form.cleaned_data["threshold"]
        )
        messages.success(request, _("Saved. Big Bs are counted again with the new threshold."))
    else:
        messages.error(request, " ".join(form.errors["threshold"]))
    return redirect("console:analytics_funnel")
