"""The customer's inbox: everything the brand told him (order paid, shipped, refunds, his
application, commission, withdrawals, complaint answers), newest first, unread ones marked;
opening one marks it read and takes him to what it is about."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from weishang.notifications import events, selectors, services
from weishang.notifications.events import Event

from .views import customer_required

PER_PAGE = 20

_ORDER_EVENTS = {Event.ORDER_PAID, Event.ORDER_SHIPPED, Event.RETURN_APPROVED, Event.REFUNDED}


def target(message) -> str:
    """Where the message leads: the order, the complaint, the distributor's pages."""
    params = message.params
    if message.event in _ORDER_EVENTS:
        return reverse("storefront:order_detail", args=[params["order"]])
    if message.event == Event.COMPLAINT_ANSWERED:
        return reverse("storefront:complaint_detail", args=[params["complaint"]])
    if message.event == Event.APPLICATION_REJECTED:
        return reverse("storefront:distributor_apply")
    if message.event in {Event.COMMISSION_AVAILABLE, Event.WITHDRAWAL_PAID}:
        return reverse("distributor:withdrawals")
    return reverse("distributor:home")


@customer_required
@require_http_methods(["GET", "POST"])
def inbox(request):
    customer = request.customer
    if request.method == "POST":
        if services.mark_all_read(customer=customer):
            messages.success(request, _("All your messages are marked as read."))
        return redirect("storefront:inbox")
    page = Paginator(selectors.inbox(customer), PER_PAGE).get_page(request.GET.get("page"))
    shown = [
        {
            "id": m.pk,
            "title": events.title(m.event),
            "text": events.body(m.event, m.params),
            "at": m.created_at,
            "unread": m.read_at is None,
        }
        for m in page
    ]
    return render(
        request,
        "storefront/inbox.html",
        {"page": page, "shown": shown, "unread": selectors.unread_count(customer)},
    )


@customer_required
@require_safe
def open_message(request, message_id: int):
    message = services.mark_read(customer=request.customer, message_id=message_id)
    if message is None:
        messages.error(request, _("That message is not in your inbox."))
        return redirect("storefront:inbox")
    return redirect(target(message))
