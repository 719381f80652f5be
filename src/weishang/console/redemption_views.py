"""Brand console: products offered for points (积分兑换). Operators offer and retire them; each
change is audited by ``loyalty.redemptions``."""

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.catalog.models import Product, Sku
from weishang.loyalty import redemptions
from weishang.loyalty.models import ProductRedemption

from .freight import _FenField
from .views import _attempt, _form_errors, staff_post, staff_required


def _sku_choices():
    skus = (
        Sku.objects.filter(is_active=True, product__status=Product.Status.PUBLISHED)
        .select_related("product")
        .order_by("product__name", "pk")
    )
    return [(sku.pk, f"{sku.product.name} {sku.name}") for sku in skus]


class RedemptionForm(forms.Form):
    sku = forms.TypedChoiceField(label=gettext_lazy("Product"), choices=_sku_choices, coerce=int)
    points = forms.IntegerField(
        label=gettext_lazy("Points per unit"), min_value=1, max_value=redemptions.MAX_POINTS
    )
    cash = _FenField(
        label=gettext_lazy("Cash per unit (yuan)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy(
            "Leave empty for points alone; the points pay the rest of the price."
        ),
    )


class RetireForm(forms.Form):
    redemption = forms.IntegerField(min_value=1)


@staff_required
def redemption_list(request):
    form = RedemptionForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: redemptions.offer_redemption(
                actor=request.user,
                sku_id=form.cleaned_data["sku"],
                points=form.cleaned_data["points"],
                cash_fen=form.cleaned_data["cash"] or 0,
            ),
            _("The product is offered for points."),
        ):
            return redirect("console:redemption_list")
    offers = ProductRedemption.objects.select_related("sku__product").order_by(
        "-active", "points", "pk"
    )
    return render(
        request,
        "console/redemptions.html",
        {"form": form, "offers": offers, "nav": "redemptions"},
    )


@staff_post
def redemption_retire(request):
    form = RetireForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: redemptions.retire_redemption(
                actor=request.user, redemption_id=form.cleaned_data["redemption"]
            ),
            _("The product is no longer offered for points."),
        )
    return redirect("console:redemption_list")
