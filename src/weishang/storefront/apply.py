"""Becoming a distributor from the store (C→B): the application form and its status."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weishang.distribution import selectors, services
from weishang.distribution.models import BusinessKind

from .forms import ApplyForm
from .views import customer_required

FIELDS = [
    "real_name",
    "id_number",
    "mobile",
    "business_kind",
    "credit_code",
    "store_name",
    "invite_code",
]


@customer_required
@require_http_methods(["GET", "POST"])
def apply(request):
    customer = request.customer
    distributor = selectors.distributor_for_customer(customer)
    application = selectors.latest_application(customer)
    errors: dict[str, str] = {}
    if request.method == "POST":
        form = {name: request.POST.get(name, "") for name in FIELDS}
        checked = ApplyForm(request.POST)
        try:
            if not checked.is_valid():
                raise services.ApplicationInvalid(
                    {name: field_errors[0] for name, field_errors in checked.errors.items()}
                )
            services.apply_to_distribute(customer=customer, **checked.cleaned_data)
        except services.ApplicationInvalid as exc:
            errors = exc.errors
            messages.error(request, _("Please correct the fields marked below."))
        except services.DistributionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your application is sent; the brand will review it."))
            return redirect("storefront:distributor_apply")
    else:
        form = {
            "mobile": customer.mobile,
            "business_kind": BusinessKind.SMALL_TRADE,
            "invite_code": request.GET.get("invite", ""),
        }
    return render(
        request,
        "storefront/apply/apply.html",
        {
            "distributor": distributor,
            "application": application,
            "show_form": selectors.may_apply(distributor, application),
            "form": form,
            "errors": errors,
            "business_kinds": BusinessKind.choices,
            "console_url": reverse("distributor:home"),
        },
    )
