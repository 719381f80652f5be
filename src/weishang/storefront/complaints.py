"""The customer's complaints: file one on an own order, follow its thread, reply."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weishang.compliance import complaints as complaint_services
from weishang.compliance import selectors as compliance
from weishang.compliance.models import Complaint, ComplaintCategory
from weishang.core_errors import DomainError
from weishang.orders import selectors as order_reads
from weishang.orders.models import Order

from .forms import ComplaintForm, ComplaintReplyForm, valid
from .views import customer_required


@customer_required
def complaint_list(request):
    page = Paginator(compliance.complaints_for_customer(request.customer), 20).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "storefront/complaints/list.html",
        {"page": page, "complaints": page.object_list},
    )


@customer_required
@require_http_methods(["GET", "POST"])
def complaint_new(request):
    number = request.POST.get("order") or request.GET.get("order") or ""
    try:
        order = order_reads.order_for_customer(request.customer, number)
    except Order.DoesNotExist as exc:
        raise Http404 from exc
    form = request.POST if request.method == "POST" else {}
    if request.method == "POST" and valid(request, checked := ComplaintForm(request.POST)):
        try:
            complaint = complaint_services.file_complaint(
                customer=request.customer,
                order=order,
                photos=request.FILES.getlist("photos"),
                **checked.cleaned_data,
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Your complaint %(number)s is filed. We will answer by %(time)s.")
                % {
                    "number": complaint.number,
                    "time": timezone.localtime(complaint.due_at).strftime("%Y-%m-%d %H:%M"),
                },
            )
            return redirect("storefront:complaint_detail", number=complaint.number)
    return render(
        request,
        "storefront/complaints/new.html",
        {
            "order": order,
            "categories": ComplaintCategory.choices,
            "form": form,
            "max_photos": complaint_services.MAX_PHOTOS,
        },
    )


def _replied(request, complaint, form) -> bool:
    """Adds the customer's message to the thread; what is wrong becomes a page message."""
    if not valid(request, form):
        return False
    try:
        complaint_services.customer_reply(
            complaint=complaint, customer=request.customer, **form.cleaned_data
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    return True


@customer_required
@require_http_methods(["GET", "POST"])
def complaint_detail(request, number: str):
    try:
        complaint = compliance.complaint_for_customer(request.customer, number)
    except Complaint.DoesNotExist as exc:
        raise Http404 from exc
    reply = ""
    if request.method == "POST":
        reply = request.POST.get("text", "")
        if _replied(request, complaint, ComplaintReplyForm(request.POST)):
            messages.success(request, _("Your message is sent."))
            return redirect("storefront:complaint_detail", number=complaint.number)
    return render(
        request,
        "storefront/complaints/detail.html",
        {"complaint": complaint, "reply": reply},
    )


@customer_required
def complaint_photo(request, number: str, photo_id: int):
    try:
        complaint = compliance.complaint_for_customer(request.customer, number)
    except Complaint.DoesNotExist as exc:
        raise Http404 from exc
    return compliance.photo_response(complaint, photo_id)
