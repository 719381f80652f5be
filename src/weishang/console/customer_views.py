"""Brand console: customers (CRM). The list shows every customer minimised (masked mobile, city
only) to every role; his page shows the full mobile, names and addresses only to the roles that
need them (``roles.FULL_CUSTOMER_DATA``), and each such view is written to the audit log. His
page also shows his member tier, points and wallet, with the form to award points."""

import uuid

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from weishang.compliance import selectors as compliance_selectors
from weishang.customers import personal_data as customer_data
from weishang.customers import selectors as customer_selectors
from weishang.customers.models import Customer
from weishang.customers.rules import mask_mobile, mask_name
from weishang.distribution import binding
from weishang.loyalty import selectors as loyalty_selectors
from weishang.orders import selectors as order_selectors
from weishang.replicas import replica_reads

from . import roles
from .community_views import customer_community_context
from .coupons import customer_coupons_context
from .views import _page, staff_required

SHOWN_PER_SECTION = 50


@staff_required
@replica_reads
def customer_list(request):
    query = request.GET.get("q", "").strip()[:40]
    page = _page(request, customer_selectors.search_customers(query))
    for customer in page:
        customer.mobile_shown = mask_mobile(customer.mobile)
        customer.name_shown = mask_name(customer.nickname)
    return render(
        request,
        "console/customers/list.html",
        {"page": page, "query": query, "nav": "customers"},
    )


def _address(address, full: bool) -> dict:
    if full:
        return {
            "recipient": address.recipient,
            "phone": address.phone,
            "place": address.one_line(),
            "is_default": address.is_default,
        }
    return {
        "recipient": mask_name(address.recipient),
        "phone": mask_mobile(address.phone),
        "place": f"{address.province}{address.city}",
        "is_default": address.is_default,
    }


@staff_required
def customer_detail(request, customer_id: int):
    try:
        customer = customer_selectors.customer_for_console(customer_id)
    except Customer.DoesNotExist:
        raise Http404 from None
    full = roles.sees_full_customer_data(request.user)
    if full:
        customer_data.note_full_view(actor=request.user, customer=customer)
    orders = order_selectors.orders_of_customer_for_console(customer)
    shown_orders = list(orders[:SHOWN_PER_SECTION])
    for order in shown_orders:
        order.recipient_shown = order.recipient if full else mask_name(order.recipient)
    return render(
        request,
        "console/customers/detail.html",
        {
            "customer": customer,
            "full": full,
            "mobile": customer.mobile if full else mask_mobile(customer.mobile),
            "nickname": customer.nickname if full else mask_name(customer.nickname),
            "addresses": [_address(a, full) for a in customer.addresses.all()],
            "orders": shown_orders,
            "order_count": orders.count() if len(shown_orders) == SHOWN_PER_SECTION else None,
            "returns": list(order_selectors.returns_of_customer(customer)[:SHOWN_PER_SECTION]),
            "complaints": list(
                compliance_selectors.complaints_for_customer(customer).order_by("-filed_at")[
                    :SHOWN_PER_SECTION
                ]
            ),
            "binding": binding.current_binding(customer),
            "binding_history": binding.binding_history(customer),
            "member": loyalty_selectors.member_summary(customer.pk, timezone.now()),
            "request_key": uuid.uuid4().hex,
            "nav": "customers",
            **customer_community_context(request.user, customer.pk),
            **customer_coupons_context(
                roles.user_can(request.user, "coupon_issue", "POST"), customer.pk
            ),
        },
    )
