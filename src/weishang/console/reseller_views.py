"""Brand console: reseller mode. The reseller pricing editor of a product (a band per SKU:
supply price, ceiling, open or closed), approving distributors as resellers (on their application
or by the staff switch) and the report per reseller. Every act goes through ``reseller.services``,
which audits it."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.catalog.models import Product, Sku
from weishang.distribution.models import Distributor
from weishang.inputs import parse_int
from weishang.reseller import selectors, services
from weishang.reseller.models import Reseller

from .forms import YuanField
from .views import _attempt, _form_errors, staff_post, staff_required

REPORT_DAYS = 90


class BandForm(forms.Form):
    supply = YuanField(label=gettext_lazy("Supply price (yuan)"), max_length=20)
    ceiling = YuanField(label=gettext_lazy("Ceiling (yuan)"), max_length=20)
    is_open = forms.BooleanField(label=gettext_lazy("Open to resellers"), required=False)


class DistributorForm(forms.Form):
    store = forms.CharField(
        label=gettext_lazy("Store address or distributor number"), max_length=64
    )
    reason = forms.CharField(max_length=300, required=False)


def _product(product_id: int) -> Product:
    product = Product.objects.filter(pk=product_id).first()
    if product is None:
        raise Http404
    return product


@staff_required
def reseller_pricing(request, product_id: int):
    """A row per SKU: its band, and whether it is open; saving a row re-checks every reseller
    price for that SKU (``services.set_band``)."""
    product = _product(product_id)
    if request.method == "POST":
        sku_id = parse_int(request.POST.get("sku"), min_value=1)
        sku = Sku.objects.filter(pk=sku_id, product=product).first() if sku_id else None
        form = BandForm(request.POST)
        if sku is None:
            _form_errors_text(request, _("Choose one of the product's specifications."))
        elif not form.is_valid():
            _form_errors(request, form, labelled=True)
        else:
            outcome = {}

            def save():
                outcome["band"], outcome["suspended"] = services.set_band(
                    actor=request.user,
                    sku=sku,
                    supply_fen=form.cleaned_data["supply"],
                    ceiling_fen=form.cleaned_data["ceiling"],
                    is_open=form.cleaned_data["is_open"],
                )

            if _attempt(
                request, save, _("The reseller band of %(sku)s is saved.") % {"sku": sku.code}
            ):
                if outcome["suspended"]:
                    _form_errors_text(
                        request,
                        _(
                            "%(n)d reseller prices are now outside the band; they are suspended "
                            "and each reseller is told."
                        )
                        % {"n": outcome["suspended"]},
                        level="warning",
                    )
                return redirect("console:reseller_pricing", product_id=product.pk)
    return render(
        request,
        "console/reseller/pricing.html",
        {"product": product, "skus": selectors.skus_with_bands(product), "nav": "products"},
    )


def _form_errors_text(request, text, *, level: str = "error") -> None:
    getattr(messages, level)(request, text)


def _distributor(raw: str) -> Distributor | None:
    raw = (raw or "").strip().strip("/").rsplit("/", 1)[-1]
    if raw.isdigit() and len(raw) < 19:
        return Distributor.objects.filter(pk=int(raw)).first()
    return Distributor.objects.filter(slug=raw).first() if raw else None


@staff_required
def reseller_list(request):
    """Applications to decide, approved resellers and those revoked; and the staff switch."""
    return render(
        request,
        "console/reseller/list.html",
        {"resellers": list(selectors.resellers()), "nav": "resellers"},
    )


@staff_post
def reseller_approve(request):
    form = DistributorForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("console:reseller_list")
    distributor = _distributor(form.cleaned_data["store"])
    if distributor is None:
        _form_errors_text(request, _("No distributor has this store address or number."))
    else:
        _attempt(
            request,
            lambda: services.approve_reseller(actor=request.user, distributor=distributor),
            _("%(store)s is approved as a reseller.") % {"store": distributor.store_name},
        )
    return redirect("console:reseller_list")


@staff_post
def reseller_revoke(request):
    form = DistributorForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("console:reseller_list")
    distributor = _distributor(form.cleaned_data["store"])
    if distributor is None:
        _form_errors_text(request, _("No distributor has this store address or number."))
    else:
        _attempt(
            request,
            lambda: services.revoke_reseller(
                actor=request.user, distributor=distributor, reason=form.cleaned_data["reason"]
            ),
            _("%(store)s is no longer a reseller.") % {"store": distributor.store_name},
        )
    return redirect("console:reseller_list")


@staff_required
def reseller_report(request):
    """Per approved reseller over the last 90 days: purchase frequency, order value and markup."""
    since = timezone.now() - timedelta(days=REPORT_DAYS)
    return render(
        request,
        "console/reseller/report.html",
        {"rows": selectors.report(since=since), "days": REPORT_DAYS, "nav": "reseller_report"},
    )


@staff_required
def reseller_detail(request, distributor_id: int):
    """One distributor as a reseller: what his customers buy, and how the products he lists sell
    at his price (his customers' needs show before he is approved, too)."""
    distributor = Distributor.objects.filter(pk=distributor_id).first()
    if distributor is None:
        raise Http404
    since = timezone.now() - timedelta(days=REPORT_DAYS)
    return render(
        request,
        "console/reseller/detail.html",
        {
            "reseller": Reseller.objects.filter(distributor=distributor).first(),
            "distributor": distributor,
            "needs": selectors.product_needs(distributor, since=since),
            "sell_through": selectors.sell_through(distributor, since=since),
            "markup": selectors.markup_totals([distributor.pk])[distributor.pk],
            "days": REPORT_DAYS,
            "nav": "reseller_report",
        },
    )
