"""After-sales settings in the brand console: when receipt is confirmed automatically, who pays
no-reason return shipping, and the addresses returned goods go to."""

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.catalog import selectors as catalog_selectors
from weishang.inputs import IntegerField, text_field
from weishang.orders import after_sales
from weishang.orders.models import AfterSalesSettings, ReturnAddress

from .views import _attempt, _form_errors, staff_post, staff_required


class AfterSalesSettingsForm(forms.Form):
    auto_confirm_days = IntegerField(
        label=gettext_lazy("Confirm receipt automatically after (days from shipment)"),
        min_value=1,
        max_value=60,
    )
    brand_pays_return_shipping = forms.BooleanField(
        label=gettext_lazy("The brand pays the shipping of no-reason returns"), required=False
    )


class ReturnAddressForm(forms.Form):
    recipient = text_field(
        ReturnAddress, "recipient", label=gettext_lazy("Recipient"), required=True
    )
    phone = text_field(ReturnAddress, "phone", label=gettext_lazy("Phone"), required=True)
    address = text_field(ReturnAddress, "address", label=gettext_lazy("Address"), required=True)


def _return_address(address_id: int) -> ReturnAddress:
    try:
        return ReturnAddress.objects.get(pk=address_id)
    except ReturnAddress.DoesNotExist as exc:
        raise Http404 from exc


@staff_required
def settings_page(request):
    if request.method == "POST":
        form = AfterSalesSettingsForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: after_sales.set_after_sales_settings(actor=request.user, **form.cleaned_data),
            _("The after-sales settings are saved."),
        ):
            return redirect("console:after_sales")
    else:
        brand = catalog_selectors.brand()
        form = AfterSalesSettingsForm(
            initial={
                "auto_confirm_days": AfterSalesSettings.current().auto_confirm_days,
                "brand_pays_return_shipping": bool(brand and brand.return_shipping_paid_by_brand),
            }
        )
    return render(
        request,
        "console/after_sales.html",
        {
            "form": form,
            "addresses": list(ReturnAddress.objects.all()),
            "address_form": ReturnAddressForm(),
            "nav": "after_sales",
        },
    )


@staff_post
def return_address_add(request):
    form = ReturnAddressForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: after_sales.add_return_address(actor=request.user, **form.cleaned_data),
            _("The return address is added."),
        )
    return redirect(reverse("console:after_sales"))


@staff_post
def return_address_edit(request, address_id):
    return_address = _return_address(address_id)
    form = ReturnAddressForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: after_sales.update_return_address(
                actor=request.user, return_address=return_address, **form.cleaned_data
            ),
            _("The return address is saved."),
        )
    return redirect(reverse("console:after_sales"))


@staff_post
def return_address_retire(request, address_id):
    return_address = _return_address(address_id)
    _attempt(
        request,
        lambda: after_sales.retire_return_address(
            actor=request.user, return_address=return_address
        ),
        _("The return address is retired; new returns are not sent there."),
    )
    return redirect(reverse("console:after_sales"))
