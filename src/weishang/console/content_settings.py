"""Brand console, content area: who breaks the posting cadence (不刷屏), the cadence and care
list settings, and the products' repurchase intervals for the care list."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from weishang.catalog.models import Product
from weishang.content import cadence, planner
from weishang.content import settings as content_settings
from weishang.content.errors import ContentError
from weishang.content.models import ContentSettings, RepurchaseInterval
from weishang.inputs import IntegerField

from .plans import PercentField
from .views import _form_errors, staff_required

WINDOWS = (7, 30)


@staff_required
@require_safe
def cadence_report(request):
    """Distributors whose planned days broke the rule in the last 7 or 30 days."""
    window = 30 if request.GET.get("days") == "30" else 7
    sort = request.GET.get("sort", "")
    sort = sort if sort in planner.SORTS else planner.SORTS[0]
    today = timezone.localdate()
    rule = planner.current_rule()
    rows = planner.cadence_breakers(
        rule=rule, since=today - timedelta(days=window - 1), until=today, sort=sort
    )
    return render(
        request,
        "console/content/cadence.html",
        {
            "rows": rows,
            "window": window,
            "windows": WINDOWS,
            "sort": sort,
            "rule": rule,
            "share": cadence.percent(rule.product_share_max_bp),
            "nav": "content_cadence",
        },
    )


class ContentSettingsForm(forms.Form):
    posts_min_per_day = IntegerField(
        label=gettext_lazy("Posts a day, at least"),
        min_value=1,
        max_value=content_settings.MAX_POSTS_PER_DAY,
    )
    posts_max_per_day = IntegerField(
        label=gettext_lazy("Posts a day, at most"),
        min_value=1,
        max_value=content_settings.MAX_POSTS_PER_DAY,
    )
    product_posts_max_bp = PercentField(
        label=gettext_lazy("Posts about products, at most (percent of the day's posts)"),
        required=True,
    )
    care_list_size = IntegerField(
        label=gettext_lazy("Customers to greet a day"),
        min_value=1,
        max_value=content_settings.MAX_CARE_LIST,
    )
    care_contact_gap_days = IntegerField(
        label=gettext_lazy("Greet a customer again after (days)"),
        min_value=1,
        max_value=content_settings.MAX_GAP_DAYS,
    )

    def clean(self):
        data = super().clean()
        low, high = data.get("posts_min_per_day"), data.get("posts_max_per_day")
        if low is not None and high is not None and low > high:
            raise forms.ValidationError(
                _("The least posts a day cannot be more than the most posts a day.")
            )
        share = data.get("product_posts_max_bp")
        if share is not None and not 0 <= share <= 10_000:
            self.add_error("product_posts_max_bp", _("Enter a percentage from 0 to 100."))
        return data


@staff_required
@require_http_methods(["GET", "POST"])
def content_settings_page(request):
    current = ContentSettings.current()
    if request.method == "POST":
        form = ContentSettingsForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        else:
            try:
                content_settings.save_content_settings(actor=request.user, **form.cleaned_data)
            except ContentError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The posting and care list settings are saved."))
                return redirect("console:content_settings")
    else:
        form = ContentSettingsForm(
            initial={name: getattr(current, name) for name in content_settings.FIELDS}
        )
    return render(
        request, "console/content/settings.html", {"form": form, "nav": "content_settings"}
    )


def _interval_rows(post=None):
    """Every product with its interval (or what was typed): two queries."""
    intervals = dict(RepurchaseInterval.objects.values_list("product_id", "days"))
    products = Product.objects.order_by("name", "pk")
    return [
        {
            "product": product,
            "value": post.get(f"days_{product.pk}", "")
            if post is not None
            else intervals.get(product.pk, ""),
        }
        for product in products.only("pk", "name")
    ]


def _typed_intervals(request, rows) -> dict | None:
    field = IntegerField(required=False, min_value=1, max_value=content_settings.MAX_INTERVAL_DAYS)
    days_by_product, wrong = {}, []
    for row in rows:
        try:
            days_by_product[row["product"].pk] = field.clean(str(row["value"]).strip())
        except forms.ValidationError:
            wrong.append(row["product"].name)
    if wrong:
        messages.error(
            request,
            _("Enter whole days from 1 to %(max)d (or leave blank) for: %(products)s.")
            % {"max": content_settings.MAX_INTERVAL_DAYS, "products": ", ".join(wrong)},
        )
        return None
    return days_by_product


@staff_required
@require_http_methods(["GET", "POST"])
def repurchase_intervals(request):
    rows = _interval_rows(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        days_by_product = _typed_intervals(request, rows)
        if days_by_product is not None:
            try:
                changed = content_settings.set_repurchase_intervals(
                    actor=request.user, days_by_product=days_by_product
                )
            except ContentError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("Repurchase intervals saved (%(count)d changed).") % {"count": changed},
                )
                return redirect("console:repurchase_intervals")
    return render(
        request,
        "console/content/repurchase.html",
        {"rows": rows, "nav": "repurchase_intervals"},
    )
