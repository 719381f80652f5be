"""Console: how the brand's themes are used — posts made, distributors who made them, the visits
their links brought, the orders placed through them and the completed sales, per theme."""

from datetime import timedelta

from django import forms
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from weishang.content import selectors
from weishang.money import format_fen

from .views import staff_required

PAGE_SIZE = 50
RECENT_DAYS = 30


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Period"),
        choices=[("30", _("Last 30 days")), ("all", _("All time"))],
        required=False,
    )


@staff_required
@require_safe
def theme_stats(request):
    form = PeriodForm(request.GET)
    period = (form.cleaned_data["period"] if form.is_valid() else "") or "30"
    since = None if period == "all" else timezone.now() - timedelta(days=RECENT_DAYS)
    page = Paginator(selectors.theme_stats(since), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {
            "title": theme.title,
            "status": theme.get_status_display(),
            "uses": theme.uses,
            "users": theme.users,
            "visits": theme.visits,
            "orders": theme.orders,
            "completed": theme.completed,
            "completed_sales": format_fen(theme.completed_fen),
        }
        for theme in page
    ]
    return render(
        request,
        "console/content/theme_stats.html",
        {"rows": rows, "page": page, "period": period, "nav": "theme_stats"},
    )
