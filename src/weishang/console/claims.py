"""Console: quality claims for customer service (decide: refund, exchange or repair, or reject
with a reason; ship the replacement or the repaired goods), and a complaint resolved with a
refund. Every act is a service that writes the audit entry."""

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from weishang.compliance.models import Complaint
from weishang.core_errors import DomainError
from weishang.orders import claims as claim_services
from weishang.orders import selectors as order_selectors
from weishang.orders.carriers import carrier_choices
from weishang.orders.models import AfterSalesSettings, ClaimRemedy, ClaimStatus, QualityClaim
from weishang.sales import services as sales

from .forms import AfterSalesSettingsForm, ClaimDecisionForm, ComplaintRefundForm, ShipForm
from .views import _attempt, _form_errors, _page, staff_post, staff_required

CLAIM_TABS = [
    ("open", gettext_lazy("Open")),
    *((status.value, status.label) for status in ClaimStatus),
    ("all", gettext_lazy("All")),
]


@staff_required
def claim_list(request):
    status = request.GET.get("status") or "open"
    if status not in {value for value, _label in CLAIM_TABS}:
        status = "open"
    page = _page(request, order_selectors.claims_queue(status="" if status == "all" else status))
    return render(
        request,
        "console/claims/list.html",
        {"page": page, "tabs": CLAIM_TABS, "status": status, "nav": "claims"},
    )


def _claim(number: str) -> QualityClaim:
    try:
        return order_selectors.claim_for_staff(number)
    except QualityClaim.DoesNotExist as exc:
        raise Http404 from exc


@staff_required
def claim_detail(request, number: str):
    return render(
        request,
        "console/claims/detail.html",
        {
            "claim": _claim(number),
            "remedies": ClaimRemedy.choices,
            "carriers": carrier_choices(),
            "nav": "claims",
        },
    )


@staff_required
def claim_photo(request, number: str, photo_id: int):
    return order_selectors.claim_photo_response(_claim(number), photo_id)


def decide_claim(*, claim: QualityClaim, actor, action: str, remedy: str, reason: str):
    """Rejects the claim, or approves it with the remedy granted: a return and refund is
    refunded at once, an exchange or a repair waits to be shipped back."""
    if action == "reject":
        return claim_services.reject_claim(claim=claim, actor=actor, reason=reason)
    if not remedy:
        raise DomainError(
            _("Choose a return and refund, an exchange or a repair."), code="no_remedy"
        )
    if remedy == ClaimRemedy.REFUND:
        return sales.refund_claim(claim=claim, actor=actor, reason=reason)
    return claim_services.approve_claim(claim=claim, actor=actor, remedy=remedy, reason=reason)


@staff_post
def claim_decide(request, number: str, action: str):
    claim = get_object_or_404(QualityClaim, number=number)
    form = ClaimDecisionForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("console:claim_detail", number=claim.number)
    remedy, reason = form.cleaned_data["remedy"], form.cleaned_data["reason"]
    if action == "reject":
        success = _("Claim %(number)s is rejected.")
    elif remedy == ClaimRemedy.REFUND:
        success = _("Claim %(number)s is approved and refunded.")
    else:
        success = _("Claim %(number)s is approved.")
    _attempt(
        request,
        lambda: decide_claim(
            claim=claim, actor=request.user, action=action, remedy=remedy, reason=reason
        ),
        success % {"number": claim.number},
    )
    return redirect("console:claim_detail", number=claim.number)


@staff_post
def claim_ship(request, number: str):
    claim = get_object_or_404(QualityClaim, number=number)
    form = ShipForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        _attempt(
            request,
            lambda: claim_services.ship_claim(claim=claim, actor=request.user, **form.cleaned_data),
            _("Claim %(number)s is shipped back to the customer.") % {"number": claim.number},
        )
    return redirect("console:claim_detail", number=claim.number)


@staff_post
def complaint_refund(request, number: str):
    complaint = get_object_or_404(Complaint, number=number)
    form = ComplaintRefundForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: sales.resolve_complaint_with_refund(
                complaint=complaint,
                staff=request.user,
                outcome=form.cleaned_data["text"],
                amount_fen=form.cleaned_data["amount"],
            ),
            _("Complaint %(number)s is resolved and its refund requested.")
            % {"number": complaint.number},
        )
    return redirect("console:complaint_detail", number=complaint.number)


@staff_required
@require_http_methods(["GET", "POST"])
def aftersales_settings(request):
    current = AfterSalesSettings.current()
    value = current.claim_days
    if request.method == "POST":
        value = request.POST.get("claim_days", "")
        form = AfterSalesSettingsForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: claim_services.set_claim_days(
                actor=request.user, claim_days=form.cleaned_data["claim_days"]
            ),
            _("The after-sales settings are saved."),
        ):
            return redirect("console:aftersales_settings")
    field = AfterSalesSettings._meta.get_field("claim_days")
    return render(
        request,
        "console/claims/settings.html",
        {"value": value, "field": field, "nav": "claims"},
    )
