"""Console: the complaints queue (overdue first) and the blacklist of customer accounts."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.compliance import blacklist as blacklist_services
from weishang.compliance import complaints as complaint_services
from weishang.compliance import selectors as compliance
from weishang.compliance.models import BlacklistEntry, BlacklistSubject, Complaint, ComplaintStatus
from weishang.customers.models import Customer
from weishang.distribution.models import Distributor
from weishang.sales import services as sales

from .forms import BlacklistForm, ComplaintTextForm
from .views import _attempt, _form_errors, _page, staff_post, staff_required

COMPLAINT_TABS = [
    ("open", gettext_lazy("Open")),
    (ComplaintStatus.RECEIVED, ComplaintStatus.RECEIVED.label),
    (ComplaintStatus.IN_PROGRESS, ComplaintStatus.IN_PROGRESS.label),
    (ComplaintStatus.RESOLVED, ComplaintStatus.RESOLVED.label),
    (ComplaintStatus.REJECTED, ComplaintStatus.REJECTED.label),
    ("all", gettext_lazy("All")),
]


def _with_subjects(entries) -> list[BlacklistEntry]:
    """Attaches ``subject`` (the customer or distributor) to each entry, two queries at most."""
    entries = list(entries)
    models = {BlacklistSubject.CUSTOMER: Customer, BlacklistSubject.DISTRIBUTOR: Distributor}
    found = {}
    for subject_type, model in models.items():
        ids = {e.subject_id for e in entries if e.subject_type == subject_type}
        found[subject_type] = model.objects.in_bulk(ids) if ids else {}
    for entry in entries:
        entry.subject = found[entry.subject_type].get(entry.subject_id)
    return entries


# Complaints --------------------------------------------------------------------------------------


@staff_required
def complaint_list(request):
    status = request.GET.get("status") or "open"
    if status not in {value for value, _label in COMPLAINT_TABS}:
        status = "open"
    now = timezone.now()
    page = _page(
        request, compliance.complaint_queue(status="" if status == "all" else status, now=now)
    )
    return render(
        request,
        "console/complaints/list.html",
        {"page": page, "tabs": COMPLAINT_TABS, "status": status, "now": now, "nav": "complaints"},
    )


def _complaint(number: str) -> Complaint:
    try:
        return compliance.complaint_for_staff(number)
    except Complaint.DoesNotExist as exc:
        raise Http404 from exc


@staff_required
def complaint_detail(request, number: str):
    complaint = _complaint(number)
    now = timezone.now()
    complaint.is_overdue = (
        complaint.is_open and complaint.first_answered_at is None and complaint.due_at < now
    )
    return render(
        request,
        "console/complaints/detail.html",
        {"complaint": complaint, "nav": "complaints"},
    )


@staff_required
def complaint_photo(request, number: str, photo_id: int):
    return compliance.photo_response(_complaint(number), photo_id)


@staff_post
def complaint_act(request, number: str, action: str):
    complaint = get_object_or_404(Complaint, number=number)
    form = ComplaintTextForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("console:complaint_detail", number=complaint.number)
    text = form.cleaned_data["text"]
    if action == "answer":
        _attempt(
            request,
            lambda: sales.answer_complaint(complaint=complaint, staff=request.user, text=text),
            _("Your answer is sent to the customer."),
        )
    elif action == "resolve":
        _attempt(
            request,
            lambda: complaint_services.resolve_complaint(
                complaint=complaint, staff=request.user, outcome=text
            ),
            _("Complaint %(number)s is resolved.") % {"number": complaint.number},
        )
    elif action == "reject":
        _attempt(
            request,
            lambda: complaint_services.reject_complaint(
                complaint=complaint, staff=request.user, outcome=text
            ),
            _("Complaint %(number)s is rejected.") % {"number": complaint.number},
        )
    return redirect("console:complaint_detail", number=complaint.number)


# Blacklist ---------------------------------------------------------------------------------------


@staff_required
def blacklist(request):
    show = "lifted" if request.GET.get("show") == "lifted" else "active"
    page = _page(request, compliance.blacklist_entries(active=show == "active"))
    return render(
        request,
        "console/complaints/blacklist.html",
        {
            "page": page,
            "entries": _with_subjects(page.object_list),
            "show": show,
            "form": {},
            "nav": "blacklist",
        },
    )


def _customer_and_reason(request) -> tuple[Customer | None, str]:
    """The customer named by the posted mobile and the posted reason; a message if either is
    wrong."""
    form = BlacklistForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
        return None, ""
    mobile = form.cleaned_data["mobile"]
    customer = Customer.objects.filter(mobile=mobile).first()
    if customer is None:
        messages.error(
            request, _("No customer has the mobile number %(mobile)s.") % {"mobile": mobile}
        )
    return customer, form.cleaned_data["reason"]


@staff_post
def blacklist_add(request):
    customer, reason = _customer_and_reason(request)
    if customer is not None:
        _attempt(
            request,
            lambda: blacklist_services.blacklist_customer(
                customer=customer, actor=request.user, reason=reason
            ),
            _("Customer %(mobile)s is blacklisted and can no longer place orders.")
            % {"mobile": customer.mobile},
        )
    return redirect("console:blacklist")


@staff_post
def blacklist_lift(request):
    customer, reason = _customer_and_reason(request)
    if customer is not None:
        _attempt(
            request,
            lambda: blacklist_services.lift_customer_blacklist(
                customer=customer, actor=request.user, reason=reason
            ),
            _("Customer %(mobile)s is no longer blacklisted.") % {"mobile": customer.mobile},
        )
    return redirect("console:blacklist")
