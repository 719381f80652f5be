"""The distributor console's reseller page (/d/reseller/): he applies, or, once the brand
approved him, picks products, sees each band, sets or changes his own price inside it (refused
outside, with the numbers) and sees the markup he earned. Nothing to pay and nothing to buy."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from weishang.catalog.models import Sku
from weishang.core_errors import DomainError
from weishang.money import format_fen
from weishang.reseller import selectors, services

from .distributor_views import _render, distributor_required
from .forms import YuanField
from .views import _form_errors

CHOOSE_SKU = gettext_lazy("Choose one of the products offered to resellers.")


class PriceForm(forms.Form):
    sku = forms.IntegerField(
        min_value=1,
        max_value=2**63 - 1,
        error_messages={k: CHOOSE_SKU for k in ("required", "invalid", "min_value", "max_value")},
    )
    price = YuanField(label=gettext_lazy("Your price (yuan)"), max_length=20, required=False)


def _act(request, distributor):
    action = request.POST.get("action", "")
    if action == "apply":
        services.apply_as_reseller(distributor=distributor)
        messages.success(request, _("Your application is sent; the brand reviews it."))
        return
    form = PriceForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return
    sku = Sku.objects.filter(pk=form.cleaned_data["sku"]).first()
    if sku is None:
        messages.error(request, CHOOSE_SKU)
        return
    if action == "withdraw":
        services.withdraw_listing(distributor=distributor, sku=sku)
        messages.success(request, _("You no longer resell %(sku)s.") % {"sku": sku.code})
        return
    if not form.cleaned_data["price"]:
        messages.error(request, _("Enter your price."))
        return
    listing = services.set_price(
        distributor=distributor, sku=sku, price_fen=form.cleaned_data["price"]
    )
    messages.success(
        request,
        _("Your price for %(sku)s is %(price)s, for new orders from now on.")
        % {"sku": sku.code, "price": format_fen(listing.price_fen)},
    )


@distributor_required
@require_http_methods(["GET", "POST"])
def reseller_page(request):
    distributor = request.distributor
    if request.method == "POST":
        try:
            _act(request, distributor)
        except DomainError as error:
            messages.error(request, error.message)
        return redirect("distributor:reseller")
    reseller = selectors.reseller_of(distributor)
    approved = selectors.is_approved(reseller)
    return _render(
        request,
        "reseller.html",
        {
            "reseller": reseller,
            "approved": approved,
            "offer": selectors.offer_for(distributor) if approved else [],
            "suspended": list(selectors.suspended_listings(distributor)) if approved else [],
            "markup": selectors.markup_totals([distributor.pk])[distributor.pk],
        },
        "reseller",
    )
