"""Customer reads for the brand console's customer pages (CRM)."""

import re

from django.db.models import Count, F, Max, OuterRef, Q, QuerySet, Subquery

from .models import Address, Customer, WechatIdentity

DIGITS = re.compile(r"^[0-9]{3,11}$")  # ASCII: `\d` would take "１３８…" too


def wechat_openid(customer_id: int, appid: str) -> str | None:
    """The customer's openid in one of the brand's WeChat apps, if he signed in with it there."""
    if not appid:
        return None
    return (
        WechatIdentity.objects.filter(customer_id=customer_id, appid=appid)
        .values_list("openid", flat=True)
        .first()
    )


def search_customers(query: str = "") -> QuerySet[Customer]:
    """Customers newest first, each with his order count, last order and bound distributor's store
    name; ``query`` is the last digits of his mobile (3 or more), his nickname, a recipient's name
    on one of his addresses, or one of his order numbers. One query per page."""
    customers = Customer.objects.annotate(
        order_count=Count("orders", distinct=True),
        last_order_at=Max("orders__placed_at"),
        city=Subquery(
            Address.objects.filter(customer=OuterRef("pk"))
            .order_by("-is_default", "pk")
            .values("city")[:1]
        ),
        distributor_id=F("binding__distributor_id"),
        distributor_name=F("binding__distributor__store_name"),
    ).order_by("-created_at", "-pk")
    query = (query or "").strip()
    if not query:
        return customers
    matches = (
        Q(nickname__icontains=query)
        | Q(addresses__recipient__icontains=query)
        | Q(orders__number=query.upper())
    )
    if DIGITS.match(query):
        matches |= Q(mobile__endswith=query)
    return customers.filter(pk__in=Customer.objects.filter(matches).values("pk"))


def customer_for_console(customer_id: int) -> Customer:
    """One customer with his addresses; raises Customer.DoesNotExist."""
    return Customer.objects.select_related("user").prefetch_related("addresses").get(pk=customer_id)
