"""The customer's coupons: "my coupons" (available, used, expired) and the coupon centre
(领券中心), where he claims the coupons the brand offers there."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weishang.core_errors import DomainError
from weishang.inputs import BIGINT_MAX, IntegerField
from weishang.loyalty import coupon_selectors as selectors
from weishang.loyalty import coupons
from weishang.loyalty.models import Coupon

from .forms import valid
from .views import customer_required

TABS = [
    (Coupon.Status.AVAILABLE, Coupon.Status.AVAILABLE.label),
    (Coupon.Status.USED, Coupon.Status.USED.label),
    (Coupon.Status.EXPIRED, Coupon.Status.EXPIRED.label),
    (Coupon.Status.VOIDED, Coupon.Status.VOIDED.label),
]
SHOWN = 100


class ClaimForm(forms.Form):
    template = IntegerField(min_value=1, max_value=BIGINT_MAX)


@customer_required
@require_http_methods(["GET"])
def my_coupons(request):
    tab = request.GET.get("tab", "")
    if tab not in Coupon.Status.values:
        tab = Coupon.Status.AVAILABLE
    now = timezone.now()
    shown = list(selectors.coupons_in_tab(request.customer.pk, tab, now)[:SHOWN])
    for coupon in shown:
        selectors.described(coupon.template)
        coupon.window = selectors.window_of(coupon)
    return render(
        request,
        "storefront/coupons/mine.html",
        {"coupons": shown, "tab": tab, "tabs": TABS},
    )


@customer_required
@require_http_methods(["GET", "POST"])
def coupon_centre(request):
    customer = request.customer
    now = timezone.now()
    if request.method == "POST" and valid(request, form := ClaimForm(request.POST)):
        try:
            coupons.claim_coupon(
                customer_id=customer.pk, template_id=form.cleaned_data["template"], now=now
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The coupon is yours: find it in My coupons."))
        return redirect("storefront:coupon_centre")
    offered = selectors.coupon_centre(customer.pk, now)
    for template in offered:
        selectors.described(template)
    return render(request, "storefront/coupons/centre.html", {"templates": offered})
