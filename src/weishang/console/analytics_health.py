"""Console: distributor health for a period (order frequency, AOV, sell-through, repurchase
rate, days since the last sale), sortable by any column, paged by key, downloadable as CSV."""

import csv
from datetime import date

from django import forms
from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from weishang.analytics import health as selectors
from weishang.analytics.fold import folded
from weishang.replicas import replica_reads

from .analytics_views import period_of
from .views import staff_required

COLUMN_LABELS = {
    "sales": _("Sales"),
    "orders": _("Orders"),
    "buyers": _("Buyers"),
    "frequency": _("Orders per buyer"),
    "aov": _("Average order value"),
    "sell_through": _("Sell-through"),
    "repurchase": _("Repurchase rate"),
    "days": _("Days since last sale"),
}
SORTS = [(f"{d}{c}", f"{c} {d}") for c in selectors.COLUMNS for d in ("", "-")]


class HealthForm(forms.Form):
    sort = forms.ChoiceField(choices=SORTS, required=False)
    after = forms.CharField(required=False, max_length=40)
    download = forms.ChoiceField(choices=[("csv", "CSV")], required=False)

    def clean(self):
        data = super().clean()
        after, sort = data.get("after"), data.get("sort") or "-sales"
        data["sort"] = sort
        if not after:
            data["after"] = None
            return data
        value, _sep, pk = after.rpartition("_")
        try:
            key = date.fromisoformat(value) if sort.lstrip("-") == "days" else int(value)
            data["after"] = (key, int(pk))
        except ValueError:
            raise forms.ValidationError(gettext("That page of the list does not exist.")) from None
        return data


def _key(after) -> str:
    value, pk = after
    return f"{value.isoformat() if isinstance(value, date) else value}_{pk}"


def _percent(basis_points: int | None) -> str:
    if basis_points is None:
        return ""
    whole, part = divmod(basis_points, 100)
    return f"{whole}.{part:02d}%"


def _csv(period, sort):
    """The whole sorted list, written out as it is read, UTF-8 with a byte-order mark."""

    class Echo:
        def write(self, value):
            return value

    writer = csv.writer(Echo(), lineterminator="\r\n")
    yield "\ufeff" + writer.writerow(
        [gettext("Distributor"), *(str(label) for label in COLUMN_LABELS.values())]
    )
    for row in selectors.all_health(period, sort):
        yield writer.writerow(
            [
                row.store_name,
                f"{row.sales_fen / 100:.2f}",
                row.orders,
                row.buyers,
                f"{row.frequency / 100:.2f}",
                f"{row.aov_fen / 100:.2f}",
                _percent(row.sell_through_bp),
                _percent(row.repurchase_bp),
                "" if row.days_since_sale is None else row.days_since_sale,
            ]
        )


@staff_required
@require_safe
@folded
@replica_reads
def health(request):
    period_form, period = period_of(request)
    form = HealthForm(request.GET)
    sort, after, download = "-sales", None, ""
    if form.is_valid():
        sort, after = form.cleaned_data["sort"], form.cleaned_data["after"]
        download = form.cleaned_data["download"]
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    if download == "csv":
        response = StreamingHttpResponse(
            (line.encode() for line in _csv(period, sort)), content_type="text/csv; charset=utf-8"
        )
        filename = f"distributor-health-{period.first}-{period.last}"
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    rows, next_after = selectors.health_page(period, sort, after)
    column, descending = sort.lstrip("-"), sort.startswith("-")
    headers = [
        {
            "label": label,
            "sort": f"-{key}" if key != column or not descending else key,
            "current": key == column,
            "descending": descending,
        }
        for key, label in COLUMN_LABELS.items()
    ]
    return render(
        request,
        "console/analytics/health.html",
        {
            "nav": "health",
            "period_form": period_form,
            "period": period,
            "rows": rows,
            "headers": headers,
            "sort": sort,
            "keep": [("sort", sort)],
            "next_after": _key(next_after) if next_after else "",
            "first_page": after is None,
        },
    )
