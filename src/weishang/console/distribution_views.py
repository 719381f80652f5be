"""Brand console for the distribution programme: distributors with their KPIs, the application,
withdrawal and held-commission queues, and the programme settings. Thin: every change goes through
a service, which writes the audit log in its own transaction."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.db.models import F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from weishang.commissions import payout_accounts, tax_remittance
from weishang.commissions import selectors as commission_selectors
from weishang.commissions import services as commissions
from weishang.commissions.models import Commission, Withdrawal, WithholdingRule
from weishang.compliance import selectors as compliance
from weishang.core_errors import DomainError
from weishang.customers.models import Customer
from weishang.distribution import binding, selectors, services
from weishang.distribution.models import Application, BindingRule, Distributor
from weishang.money import format_yuan
from weishang.replicas import replica_reads
from weishang.sales import services as sales

from . import roles
from .distribution_forms import (
    ApplicationRejectForm,
    HeldCommissionForm,
    PayWithdrawalForm,
    ProgrammeForm,
    ReasonForm,
    ReassignForm,
    RejectWithdrawalForm,
    TaxRemittanceForm,
    WithholdingRuleForm,
)
from .views import _attempt, _back, _form_errors, _page, staff_post, staff_required

SORTS = {
    "sales": (gettext_lazy("Sales"), [F("kpi_sales_fen").desc(), "pk"]),
    "orders": (gettext_lazy("Orders"), [F("kpi_orders").desc(), "pk"]),
    "commission": (gettext_lazy("Commission"), [F("kpi_commission_fen").desc(), "pk"]),
    "customers": (gettext_lazy("Customers"), [F("kpi_customers").desc(), "pk"]),
    "newest": (gettext_lazy("Newest"), ["-approved_at", "-pk"]),
}


LEDGER_SHOWN = 50


def _can_see_id_numbers(user) -> bool:
    """Only the roles that review applications see full ID numbers (PIPL Art. 51)."""
    return roles.has_role(user, "owner", "operator")


# Distributors ------------------------------------------------------------------------------------


@staff_required
@replica_reads
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


def _submit(request, form, action, success: str) -> bool:
    """The form's errors as messages, or ``action(cleaned_data)`` through the service call
    that turns a refusal into a message."""
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
        return False
    return _attempt(request, lambda: action(form.cleaned_data), success)


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
            "ledger": commission_selectors.ledger_events(distributor, limit=LEDGER_SHOWN),
            "ledger_shown": LEDGER_SHOWN,
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
    _submit(
        request,
        ReasonForm(request.POST),
        lambda fields: service(distributor=distributor, actor=request.user, **fields),
        str(success) % {"store": distributor.store_name},
    )
    return redirect("console:distributor_detail", distributor_id=distributor.pk)


@staff_post
def customer_reassign(request, distributor_id: int):
    """Moves a customer (by mobile) to another distributor (by store address), with a reason."""
    distributor = _distributor(distributor_id)
    back = redirect("console:distributor_detail", distributor_id=distributor.pk)
    form = ReassignForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
        return back
    customer = Customer.objects.filter(mobile=form.cleaned_data["mobile"]).first()
    if customer is None:
        messages.error(request, _("No customer has this mobile number."))
        return back
    target_slug = form.cleaned_data["to"].lower() or distributor.slug
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
            reason=form.cleaned_data["reason"],
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
        _submit(
            request,
            ApplicationRejectForm(request.POST),
            lambda fields: services.reject_application(
                application=application, reviewer=request.user, **fields
            ),
            _("The application of %(store)s is rejected.") % {"store": application.store_name},
        )
    else:
        raise Http404
    return _back(request, reverse("console:application_list"))


# Withdrawals -------------------------------------------------------------------------------------

PAID_SHOWN_DAYS = 30


@staff_required
@replica_reads
def withdrawal_list(request):
    page = _page(request, commission_selectors.withdrawal_queue().select_related("payout_account"))
    rows = [
        (w, payout_accounts.describe(w.payout_account) if w.payout_account else "") for w in page
    ]
    return render(
        request,
        "console/distribution/withdrawal_list.html",
        {
            "page": page,
            "rows": rows,
            "paid": [
                (w, payout_accounts.describe(w.payout_account) if w.payout_account else "")
                for w in commission_selectors.recently_paid(
                    since=timezone.now() - timedelta(days=PAID_SHOWN_DAYS)
                )
            ],
            "rule_label": _rule_label(commission_selectors.withholding_rule()),
            "nav": "withdrawals",
        },
    )


@staff_required
@require_safe
def withdrawal_payee(request, withdrawal_id: int):
    """Paying one withdrawal: the only page that shows the payee's account in full; opening it
    is audited (PIPL Art. 51)."""
    withdrawal = get_object_or_404(
        Withdrawal.objects.select_related("distributor", "payout_account"), pk=withdrawal_id
    )
    try:
        payee = payout_accounts.reveal_payee(withdrawal=withdrawal, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("console:withdrawal_list")
    withheld = commissions.withholding_preview(withdrawal=withdrawal)
    return render(
        request,
        "console/distribution/withdrawal_payee.html",
        {
            "withdrawal": withdrawal,
            "payee": payee,
            "withheld_fen": withheld,
            "net_fen": withdrawal.amount_fen - withheld,
            "nav": "withdrawals",
        },
    )


def _rule_label(rule) -> str:
    if rule is None:
        return str(WithholdingRule.Kind.NONE.label)
    if rule.kind == WithholdingRule.Kind.FLAT:
        return _("a flat %(rate)s %% of each payout") % {"rate": _percent(rule.rate_bp)}
    return rule.get_kind_display()


@staff_required
def withholding_rule(request):
    """The brand's income-tax withholding on payouts to individual distributors."""
    rule = commission_selectors.withholding_rule()
    if request.method == "POST":
        form = WithholdingRuleForm(request.POST)
        if _submit(
            request,
            form,
            lambda fields: commissions.set_withholding_rule(
                actor=request.user, kind=fields["kind"], rate_bp=fields["rate_pc"]
            ),
            _("The withholding rule is saved; it applies from the next payout."),
        ):
            return redirect("console:withholding_rule")
    return render(
        request,
        "console/distribution/withholding_rule.html",
        {
            "rule": rule,
            "rule_label": _rule_label(rule),
            "kinds": WithholdingRule.Kind.choices,
            "rate_pc": _percent(rule.rate_bp) if rule and rule.rate_bp else "",
            "tax_payable_fen": tax_remittance.tax_payable_fen(),
            "remittances": tax_remittance.remittances(),
            "nav": "withholding",
        },
    )


@staff_post
def tax_remit(request):
    """Finance records a payment of withheld tax to the tax office."""
    _submit(
        request,
        TaxRemittanceForm(request.POST),
        lambda fields: tax_remittance.remit_withheld_tax(
            actor=request.user, amount_fen=fields["amount"], reference=fields["reference"]
        ),
        _("The payment to the tax office is recorded."),
    )
    return redirect("console:withholding_rule")


class _NoInput(forms.Form):
    """Approving takes nothing but the button."""


WITHDRAWAL_ACTIONS = {
    "approve": (
        commissions.approve_withdrawal,
        _NoInput,
        gettext_lazy("The withdrawal is approved; pay it and record the reference."),
    ),
    "reject": (
        commissions.reject_withdrawal,
        RejectWithdrawalForm,
        gettext_lazy(
            "The withdrawal is rejected; the amount is available to the distributor again."
        ),
    ),
    "pay": (
        commissions.mark_withdrawal_paid,
        PayWithdrawalForm,
        gettext_lazy("The withdrawal is marked paid."),
    ),
}


@staff_post
def withdrawal_act(request, withdrawal_id: int, action: str):
    withdrawal = get_object_or_404(Withdrawal, pk=withdrawal_id)
    if action not in WITHDRAWAL_ACTIONS:
        raise Http404
    service, form_class, success = WITHDRAWAL_ACTIONS[action]
    _submit(
        request,
        form_class(request.POST),
        lambda fields: service(withdrawal=withdrawal, actor=request.user, **fields),
        str(success),
    )
    return _back(request, reverse("console:withdrawal_list"))


# Commissions held for review ---------------------------------------------------------------------


@staff_required
def held_commission_list(request):
    return render(
        request,
        "console/distribution/held_list.html",
        {"page": _page(request, commission_selectors.held_commissions()), "nav": "held"},
    )


HELD_COMMISSION_ACTIONS = {
    "release": (
        lambda commission, actor, reason: commissions.release_commission(
            commission=commission, actor=actor, note=reason
        ),
        gettext_lazy("The commission is released; it is pending until the return window closes."),
    ),
    "reject": (
        lambda commission, actor, reason: sales.reject_commission(
            commission=commission, actor=actor, reason=reason
        ),
        gettext_lazy("The commission is rejected; it will never become available."),
    ),
}


@staff_post
def held_commission_act(request, commission_id: int, action: str):
    commission = get_object_or_404(Commission, pk=commission_id)
    if action not in HELD_COMMISSION_ACTIONS:
        raise Http404
    act, success = HELD_COMMISSION_ACTIONS[action]
    _submit(
        request,
        HeldCommissionForm(request.POST),
        lambda fields: act(commission, request.user, fields["reason"]),
        str(success),
    )
    return _back(request, reverse("console:held_commission_list"))


# Programme settings ------------------------------------------------------------------------------

MONEY_FIELDS = ("withdrawal_min_fen", "withdrawal_daily_limit_fen", "review_order_amount_fen")


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
        if _submit(
            request,
            ProgrammeForm(request.POST),
            lambda fields: binding.update_programme_settings(
                actor=request.user, **ProgrammeForm.settings(fields)
            ),
            _("The programme settings are saved."),
        ):
            return redirect("console:programme")
    return render(
        request,
        "console/distribution/programme.html",
        {"values": values, "rules": BindingRule.choices, "nav": "programme"},
    )
