"""Console: repurchase cohorts — the customers by the month of their first paid order, and the
share of each cohort who paid for an order again in each later month."""

from datetime import date

from django import forms
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from weishang.analytics.fold import folded
from weishang.analytics.periods import months_between
from weishang.analytics.selectors_cohorts import CohortTable, cohort_table
from weishang.replicas import replica_reads

from .charts import Chart, Series, csv_or_page
from .views import staff_required

DEFAULT_MONTHS = 12
LONGEST_MONTHS = 36
# The chart follows the latest cohorts only; the table has them all.
CHART_COHORTS = 6
MONTH_FORMAT = "%Y-%m"


def months_before(month: date, count: int) -> date:
    """The first day of the month ``count`` months before ``month``'s."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


class MonthField(forms.DateField):
    widget = forms.DateInput(attrs={"type": "month"}, format=MONTH_FORMAT)
    input_formats = [MONTH_FORMAT]
    default_error_messages = {"invalid": gettext_lazy("Enter a month as year-month, e.g. 2026-03.")}


class CohortRangeForm(forms.Form):
    first = MonthField(label=gettext_lazy("From month"), required=False)
    last = MonthField(label=gettext_lazy("To month"), required=False)

    def clean(self):
        data = super().clean()
        first, last = data.get("first"), data.get("last")
        if first and last:
            if first > last:
                raise forms.ValidationError(_("The first month must come before the last."))
            if len(months_between(first, last)) > LONGEST_MONTHS:
                raise forms.ValidationError(
                    _("Choose at most %(months)d months.") % {"months": LONGEST_MONTHS}
                )
        return data

    def months(self) -> tuple[date, date]:
        """The months asked for; the last 12 for none or a bad choice (its errors are shown)."""
        this_month = timezone.localdate().replace(day=1)
        last, first = this_month, months_before(this_month, DEFAULT_MONTHS - 1)
        if self.is_valid():
            last = self.cleaned_data["last"] or last
            first = self.cleaned_data["first"] or months_before(last, DEFAULT_MONTHS - 1)
            if first > last:
                first = months_before(last, DEFAULT_MONTHS - 1)
        return first, last


def _shade(share: float | None) -> int:
    """0 (none) to 5 (everyone): the cell's colour class."""
    if not share:
        return 0
    return min(5, 1 + int(share // 20))


def _month_label(n: int) -> str:
    return _("Month %(n)d") % {"n": n}


def table_figures(table: CohortTable) -> Chart:
    """The whole triangle as figures for its CSV: each cohort's size and its monthly shares."""
    width = table.width
    return Chart(
        key="table",
        title=_("Repurchase cohorts"),
        kind="bar",
        x_label=_("First order in"),
        categories=[row.cohort.strftime(MONTH_FORMAT) for row in table.rows],
        series=[
            Series(_("Customers"), [row.size for row in table.rows]),
            *(
                Series(
                    _month_label(n),
                    [row.shares[n] if n < len(row.shares) else None for row in table.rows],
                    unit="percent",
                )
                for n in range(width)
            ),
        ],
    )


def share_chart(table: CohortTable) -> Chart:
    """The share of each of the latest cohorts still ordering, by months since the first order."""
    latest = [row for row in table.rows if row.size][-CHART_COHORTS:]
    width = max((len(row.counts) for row in latest), default=0)
    return Chart(
        key="retention",
        title=_("Share still ordering, by months since the first order"),
        kind="line",
        x_label=_("Months since the first order"),
        categories=[_month_label(n) for n in range(width)],
        series=[
            Series(
                row.cohort.strftime(MONTH_FORMAT),
                [row.shares[n] if n < len(row.shares) else None for n in range(width)],
                unit="percent",
            )
            for row in latest
        ],
    )


@staff_required
@require_safe
@folded
@replica_reads
def cohorts(request):
    form = CohortRangeForm(request.GET or None)
    first, last = form.months()
    table = cohort_table(first, last)
    chart = share_chart(table)
    download = csv_or_page(request, [chart, table_figures(table)], "cohorts")
    if download is not None:
        return download
    rows = [
        {
            "cohort": row.cohort.strftime(MONTH_FORMAT),
            "size": row.size,
            "cells": [
                {"share": share, "customers": count, "shade": _shade(share)}
                for share, count in zip(row.shares, row.counts, strict=True)
            ],
            "blank": range(table.width - len(row.counts)),
        }
        for row in table.rows
    ]
    return render(
        request,
        "console/analytics/cohorts.html",
        {
            "form": form,
            "first": first,
            "last": last,
            "rows": rows,
            "columns": [_month_label(n) for n in range(table.width)],
            "chart": chart,
            "has_customers": any(row.size for row in table.rows),
            "nav": "cohorts",
        },
    )
