"""The owner's home (概览): a period's sales beside the period before, the trend by day, the work
waiting for staff and the commission owed to distributors. Each figure links to the page behind
it, and a role sees only the figures whose pages it may open."""

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_safe

from weishang.analytics import selectors
from weishang.analytics.fold import folded
from weishang.analytics.rules import change
from weishang.replicas import replica_reads

from . import roles
from .analytics_views import kpis, period_of
from .charts import Chart, Series, csv_or_page
from .views import staff_required

WORK = [
    # (key, route, query, label)
    ("unshipped", "order_list", "?status=paid", _("Paid, not shipped")),
    ("awaiting_payment", "order_list", "?status=pending_payment", _("Awaiting payment")),
    ("shipped", "order_list", "?status=shipped", _("Shipped, in transit")),
    ("returns", "return_list", "", _("Returns to handle")),
    ("refunds_overdue", "return_list", "", _("Refunds overdue")),
    ("claims", "claim_list", "", _("Quality claims to handle")),
    ("applications", "application_list", "", _("Applications to review")),
    ("withdrawals", "withdrawal_list", "", _("Withdrawals to approve or pay")),
    ("complaints_due", "complaint_list", "", _("Complaints due within 12 hours")),
    ("held", "held_commission_list", "", _("Commissions held for review")),
]
OWED = [
    ("pending", _("Pending (return window open)")),
    ("held", pgettext_lazy("commission status", "held for review")),
    ("available", pgettext_lazy("commission status", "available")),
    ("withdrawing", _("In withdrawal")),
]


# Work that is late or that customers wait for is red; other work waiting is amber.
URGENT = {"unshipped", "refunds_overdue", "complaints_due"}
FOR_INFORMATION = {"awaiting_payment", "shipped"}


def _tone(key: str, count: int) -> str:
    if not count or key in FOR_INFORMATION:
        return ""
    return "alert" if key in URGENT else "warn"


def trend_chart(period, days) -> Chart:
    return Chart(
        key="trend",
        title=_("GMV and orders by day"),
        kind="line",
        x_label=_("Day"),
        categories=[day.isoformat() for day in days],
        series=[
            Series(_("GMV"), [gmv for gmv, _orders in days.values()], unit="fen"),
            Series(_("Orders"), [orders for _gmv, orders in days.values()]),
        ],
    )


@staff_required
@require_safe
@folded
@replica_reads
def dashboard(request):
    form, period = period_of(request, default="today")
    chart = trend_chart(period, selectors.sales_by_day(period))
    download = csv_or_page(request, [chart], f"overview-{period.first}-{period.last}")
    if download:
        return download
    now, before = selectors.sales(period), selectors.sales(period.previous())
    user = request.user
    waiting = selectors.work_waiting()
    work = [
        {
            "key": key,
            "label": label,
            "count": waiting[key],
            "url": reverse(f"console:{route}") + query,
            "tone": _tone(key, waiting[key]),
        }
        for key, route, query, label in WORK
        if roles.user_can(user, route, "GET")
    ]
    owed = []
    if roles.user_can(user, "withdrawal_list", "GET"):
        totals = selectors.commission_owed()
        owed = [{"key": key, "label": label, "fen": totals[key]} for key, label in OWED]
    return render(
        request,
        "console/analytics/home.html",
        {
            "form": form,
            "period": period,
            "previous": period.previous(),
            "kpis": kpis(now, before),
            "held_fen": waiting["held_fen"],
            "refunds_overdue": waiting["refunds_overdue"],
            "chart": chart,
            "work": work,
            "owed": owed,
            "can_analyse": roles.user_can(user, "analytics_factors", "GET"),
            "nav": "dashboard",
            "change": change,
        },
    )
