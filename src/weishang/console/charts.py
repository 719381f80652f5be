"""A chart's figures, one object for the picture and for its CSV download: the page draws
``Chart.as_data()`` with ECharts, and ``csv_response`` writes the very same numbers."""

import csv
import io
from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpResponse
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Series:
    name: str
    values: list
    # How the values read: "fen" (money, shown in yuan), "count" or "percent".
    unit: str = "count"


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    kind: str  # "line" or "bar"
    categories: list[str]
    series: list[Series] = field(default_factory=list)
    x_label: str = ""

    def as_data(self) -> dict:
        return {
            "key": self.key,
            "title": str(self.title),
            "kind": self.kind,
            "categories": [str(c) for c in self.categories],
            "series": [
                {"name": str(s.name), "unit": s.unit, "values": _plain(s)} for s in self.series
            ],
        }

    def rows(self) -> list[list]:
        header = [str(self.x_label or self.title), *(str(s.name) for s in self.series)]
        body = [
            [str(category), *(_plain(s)[n] for s in self.series)]
            for n, category in enumerate(self.categories)
        ]
        return [header, *body]


def _plain(series: Series) -> list:
    """Money in yuan with two decimals (as a number), counts as they are."""
    if series.unit == "fen":
        return [None if v is None else round(v / 100, 2) for v in series.values]
    return list(series.values)


def csv_response(chart: Chart, filename: str) -> HttpResponse:
    """The chart's figures as CSV in UTF-8 with a byte-order mark (Excel opens it right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerows(chart.rows())
    response = HttpResponse(
        ("\ufeff" + buffer.getvalue()).encode(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_or_page(request, charts, filename: str) -> HttpResponse | None:
    """The CSV of the chart ``?csv=<key>`` names among the page's ``charts``; None to render the
    page: no ``csv`` asked for, or a key the page has not (then a message says so)."""
    key = request.GET.get("csv")
    if key is None:
        return None
    for chart in charts:
        if chart.key == key:
            return csv_response(chart, f"{filename}-{chart.key}")
    messages.error(request, _("This page has no such figures to download."))
    return None


def csv_query(request, key: str) -> str:
    """The page's own query string with ``csv=<key>``: the download has the figures shown."""
    query = request.GET.copy()
    query["csv"] = key
    return query.urlencode()
