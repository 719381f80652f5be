"""The chart include's helpers: the download link and the figures as a table."""

from django import template

from weishang.console.charts import Chart, csv_query

register = template.Library()


@register.simple_tag(takes_context=True)
def chart_csv_url(context, chart: Chart | str) -> str:
    """This page's address with ``csv=`` the chart's key (or the key given)."""
    key = chart if isinstance(chart, str) else chart.key
    return "?" + csv_query(context["request"], key)


def _shown(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "fen":
        return f"{value:.2f}"
    if unit == "percent":
        return f"{value}%"
    return str(value)


@register.simple_tag
def chart_table(chart: Chart) -> dict:
    """The chart's CSV rows as the page shows them: yuan with two decimals, percentages with %."""
    header, *body = chart.rows()
    units = [series.unit for series in chart.series]
    return {
        "header": header,
        "rows": [
            [row[0], *(_shown(value, unit) for value, unit in zip(row[1:], units, strict=True))]
            for row in body
        ],
    }
