"""Brand console for the distribution programme: distributors with their KPIs, the application,
withdrawal and held-commission queues, and the programme settings. Thin: every change goes through
a service, which writes the audit log in its own transaction."""

from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.commissions import selectors as commission_selectors
from weishang.commissions import services as commissions
from weishang.commissions.models import Commission, Withdrawal
from weishang.compliance import selectors as compliance
from weishang.core_errors import DomainError
from weishang.customers.models import Customer
from weishang.customers.rules import normalise_mobile
from weishang.distribution import binding, selectors, services
from weishang.distribution.models import Application, BindingRule, Distributor
from weishang.inputs import DecimalField, parse_int
from weishang.money import AmountError, format_yuan

from . import roles
from .forms import positive_fen
from .views import _attempt, _back, _page, staff_post, staff_required

SORTS = {
    "sales": (gettext_lazy("Sales"), [F("kpi_sales_fen").desc(), "pk"]),
    "orders": (gettext_lazy("Orders"), [F("kpi_orders").desc(), "pk"]),
    "commission": (gettext_lazy("Commission"), [F("kpi_commission_fen").desc(), "pk"]),
    "customers": (gettext_lazy("Customers"), [F("kpi_customers").desc(), "pk"]),
    "newest": (gettext_lazy("Newest"), ["-approved_at", "-pk"]),
}


def _can_see_id_numbers(user) -> bool:
    """Only the roles that review applications see full ID numbers (PIPL Art. 51)."""
    return roles.has_role(user, "owner", "operator")


# Distributors ------------------------------------------------------------------------------------


@staff_required
def distributor_list(request):
    sort = request.GET.get("sort", "sales")
    if sort not in SORTS:
        sort = "sales"
    query = request.GET.get("q", "").strip()[:40]
    distributors = commission_selectors.distributors_with_kpis().defer("real_name", "id_number")
    if query:
        distributors = distributors.filter(
            Q(store_name__icontains=query) | Q(slug=query.lower()) | Q(customer__mobile=query)
        )
    page = _page(request, distributors.order_by(*SORTS[sort][1]))
    return render(
        request,
        "console/distribution/distributor_list.html",
        {
            "page": page,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _order) in SORTS.items()],
            "query": query,
            "nav": "distributors",
        },
    )


def _distributor(distributor_id) -> Distributor:
    return get_object_or_404(Distributor.objects.select_related("customer"), pk=distributor_id)


@staff_required
def distributor_detail(request, distributor_id: int):
    distributor = _distributor(distributor_id)
    show_id = _can_see_id_numbers(request.user)
    return render(
        request,
        "console/distribution/distributor_detail.html",
        {
            "distributor": distributor,
            "full_id_number": distributor.id_number if show_id else None,
            "kpis": commission_selectors.distributors_with_kpis().filter(pk=distributor.pk).first(),
            "balances": commission_selectors.balances(distributor),
            "bound_customers": selectors.bound_customer_count(distributor),
            "complaints": compliance.complaint_counts_by_distributor([distributor.pk]).get(
                distributor.pk, 0
            ),
            "invitees": distributor.invitees.count(),
            "nav": "distributors",
        },
    )


STATUS_ACTIONS = {
    "freeze": (services.freeze_distributor, gettext_lazy("%(store)s is frozen.")),
    "unfreeze": (services.unfreeze_distributor, gettext_lazy("%(store)s is active again.")),
    "blacklist": (services.blacklist_distributor, gettext_lazy("%(store)s is blacklisted.")),
}


@staff_post
def distributor_status(request, distributor_id: int, action: str):
    distributor = _distributor(distributor_id)
    if action not in STATUS_ACTIONS:
        raise Http404
    service, success = STATUS_ACTIONS[action]
    _attempt(
        request,
        lambda: service(
            distributor=distributor, actor=request.user, reason=request.POST.get("reason", "")
        ),
        str(success) % {"store": distributor.store_name},
    )
    return redirect("console:distributor_detail", distributor_id=distributor.pk)


@staff_post
def customer_reassign(request, distributor_id: int):
    """Moves a customer (by mobile) to another distributor (by store address), with a reason."""
    distributor = _distributor(distributor_id)
    back = redirect("console:distributor_detail", distributor_id=distributor.pk)
    mobile = normalise_mobile(request.POST.get("mobile", ""))
    customer = Customer.objects.filter(mobile=mobile).first() if mobile else None
    if customer is None:
        messages.error(request, _("No customer has this mobile number."))
        return back
    target_slug = request.POST.get("to", "").strip().lower() or distributor.slug
    target = Distributor.objects.filter(slug=target_slug).first()
    if target is None:
        messages.error(request, _("No distributor has this store address."))
        return back
    _attempt(
        request,
        lambda: binding.reassign_customer(
            customer=customer,
            distributor=target,
            actor=request.user,
            reason=request.POST.get("reason", ""),
        ),
        _("The customer is now bound to %(store)s.") % {"store": target.store_name},
    )
    return back


# Applications ------------------------------------------------------------------------------------


@staff_required
def application_list(request):
    return render(
        request,
        "console/distribution/application_list.html",
        {
            "page": _page(request, selectors.pending_applications()),
            "show_id": _can_see_id_numbers(request.user),
            "nav": "applications",
        },
    )


@staff_post
def application_act(request, application_id: int, action: str):
    application = get_object_or_404(Application, pk=application_id)
    if action == "approve":
        _attempt(
            request,
            lambda: services.approve_application(application=application, reviewer=request.user),
            _("%(store)s is approved; the micro-store is open.")
            % {"store": application.store_name},
        )
    elif action == "reject":
        _attempt(
            request,
            lambda: services.reject_application(
                application=application,
                reviewer=request.user,
                reason=request.POST.get("reason", ""),
            ),
            _("The application of %(store)s is rejected.") % {"store": application.store_name},
        )
    else:
        raise Http404
    return _back(request, reverse("console:application_list"))


# Withdrawals -------------------------------------------------------------------------------------


@staff_required
def withdrawal_list(request):
    return render(
        request,
        "console/distribution/withdrawal_list.html",
        {"page": _page(request, commission_selectors.withdrawal_queue()), "nav": "withdrawals"},
    )


@staff_post
def withdrawal_act(request, withdrawal_id: int, action: str):
    withdrawal = get_object_or_404(Withdrawal, pk=withdrawal_id)
    if action == "approve":
        call = lambda: commissions.approve_withdrawal(withdrawal=withdrawal, actor=request.user)  # noqa: E731
        success = _("The withdrawal is approved; pay it and record the reference.")
    elif action == "reject":
        call = lambda: commissions.reject_withdrawal(  # noqa: E731
            withdrawal=withdrawal, actor=request.user, reason=request.POST.get("reason", "")
        )
        success = _("The withdrawal is rejected; the amount is available to the distributor again.")
    elif action == "pay":
        call = lambda: commissions.mark_withdrawal_paid(  # noqa: E731
            withdrawal=withdrawal,
            actor=request.user,
            payout_reference=request.POST.get("payout_reference", ""),
        )
        success = _("The withdrawal is marked paid.")
    else:
        raise Http404
    _attempt(request, call, success)
    return _back(request, reverse("console:withdrawal_list"))


# Commissions held for review ---------------------------------------------------------------------


@staff_required
def held_commission_list(request):
    return render(
        request,
        "console/distribution/held_list.html",
        {"page": _page(request, commission_selectors.held_commissions()), "nav": "held"},
    )


@staff_post
def held_commission_act(request, commission_id: int, action: str):
    commission = get_object_or_404(Commission, pk=commission_id)
    reason = request.POST.get("reason", "")
    if action == "release":
        call = lambda: commissions.release_commission(  # noqa: E731
            commission=commission, actor=request.user, note=reason
        )
        success = _("The commission is released; it is pending until the return window closes.")
    elif action == "reject":
        call = lambda: commissions.reject_commission(  # noqa: E731
            commission=commission, actor=request.user, reason=reason
        )
        success = _("The commission is rejected; it will never become available.")
    else:
        raise Http404
    _attempt(request, call, success)
    return _back(request, reverse("console:held_commission_list"))


# Programme settings ------------------------------------------------------------------------------

MONEY_FIELDS = ("withdrawal_min_fen", "withdrawal_daily_limit_fen", "review_order_amount_fen")


def _programme_fields(post) -> dict:
    """The posted form as the service's arguments: yuan to fen (weishang.money) and percent to
    basis points through Decimal; a malformed number raises AmountError."""
    fields = {
        "binding_rule": post.get("binding_rule", ""),
        "self_purchase_earns": post.get("self_purchase_earns") == "on",
    }
    for name in MONEY_FIELDS:
        fields[name] = positive_fen(post.get(name, ""))
    days = parse_int(post.get("binding_window_days"), min_value=0)
    if days is None:
        raise AmountError(_("Enter the binding window as a whole number of days."))
    fields["binding_window_days"] = days
    try:
        rate = DecimalField().clean(post.get("review_refund_rate_pc", "").strip()) * 100
    except ValidationError:
        rate = Decimal("NaN")
    if not rate.is_finite() or rate != rate.to_integral_value():
        raise AmountError(_("Enter the refund rate as a percentage with at most two decimals."))
    fields["review_refund_rate_bp"] = int(rate)
    return fields


def _percent(bp: int) -> str:
    return f"{bp // 100}" if bp % 100 == 0 else f"{bp // 100}.{bp % 100:02d}"


@staff_required
def programme(request):
    settings = selectors.programme()
    values = {
        "binding_rule": settings.binding_rule,
        "binding_window_days": settings.binding_window_days,
        "self_purchase_earns": settings.self_purchase_earns,
        "review_refund_rate_pc": _percent(settings.review_refund_rate_bp),
        **{name: format_yuan(getattr(settings, name)) for name in MONEY_FIELDS},
    }
    if request.method == "POST":
        values = {**values, **request.POST.dict()}
        values["self_purchase_earns"] = request.POST.get("self_purchase_earns") == "on"
        try:
            binding.update_programme_settings(actor=request.user, **_programme_fields(request.POST))
        except AmountError as error:
            messages.error(request, str(error))
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The programme settings are saved."))
            return redirect("console:programme")
    return render(
        request,
        "console/distribution/programme.html",
        {"values": values, "rules": BindingRule.choices, "nav": "programme"},
    )
