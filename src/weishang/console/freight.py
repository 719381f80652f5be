"""Brand console: the freight template (运费模板), a fee per order by province with free delivery
from a goods total. Operators edit it; every change is audited by the orders service."""

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.catalog.services import MAX_PRICE_FEN
from weishang.customers import divisions
from weishang.money import AmountError, parse_yuan
from weishang.orders import freight as freight_rules
from weishang.orders import selectors as order_selectors
from weishang.orders import services as orders

from .views import _attempt, _form_errors, staff_post, staff_required


def _province_choices():
    return [(freight_rules.DEFAULT, gettext_lazy("Default (every other province)"))] + [
        (code, name) for code, name in divisions.provinces()
    ]


class _FenField(forms.CharField):
    """An amount in yuan, zero or more, cleaned to fen (None when left empty)."""

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            fen = parse_yuan(value)
        except AmountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if not 0 <= fen <= MAX_PRICE_FEN:
            raise forms.ValidationError(_("Enter an amount from 0 up to a product's top price."))
        return fen


class FreightRuleForm(forms.Form):
    province = forms.ChoiceField(
        label=gettext_lazy("Province"), choices=_province_choices, required=False
    )
    fee = _FenField(label=gettext_lazy("Freight per order (yuan)"), max_length=20)
    free_from = _FenField(
        label=gettext_lazy("Free delivery from a goods total of (yuan)"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("Leave empty for no free delivery."),
    )


class DeleteRuleForm(forms.Form):
    province = forms.ChoiceField(choices=_province_choices, required=False)


@staff_required
def freight(request):
    form = FreightRuleForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: orders.set_freight_rule(
                actor=request.user,
                province_code=form.cleaned_data["province"],
                fee_fen=form.cleaned_data["fee"],
                free_from_fen=form.cleaned_data["free_from"],
            ),
            _("The freight rule is saved."),
        ):
            return redirect("console:freight")
    names = dict(divisions.provinces())
    rules = order_selectors.freight_rules()
    rows = [
        {
            "code": code,
            "province": names.get(code, "") if code else _("Default (every other province)"),
            "rule": rule,
        }
        for code, rule in sorted(rules.items())
    ]
    return render(
        request,
        "console/freight.html",
        {"form": form, "rows": rows, "nav": "freight"},
    )


@staff_post
def freight_delete(request):
    form = DeleteRuleForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: orders.delete_freight_rule(
                actor=request.user, province_code=form.cleaned_data["province"]
            ),
            _("The freight rule is removed."),
        )
    return redirect("console:freight")
