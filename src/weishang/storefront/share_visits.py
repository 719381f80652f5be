"""A visitor who arrived through a customer's share link (``?share=``) is remembered in his
session for ``share_links.REMEMBER_DAYS``; the order he places then records the sharer. The
sharer opening his own link, and staff browsing the store, are not remembered."""

from datetime import timedelta

from django.utils import timezone

from weishang.customers.models import Customer
from weishang.loyalty.share_links import PARAM, REMEMBER_DAYS, read_token, sharer

SESSION_KEY = "ws_shared_by"


def remember_share(request) -> None:
    token = read_token(request.GET.get(PARAM))
    if token is None:
        return
    user = request.user
    if user.is_authenticated:
        customer = getattr(user, "customer", None)
        if customer is None or customer.pk == token.customer_id:
            return
    request.session[SESSION_KEY] = [token.customer_id, int(timezone.now().timestamp())]


def sharer_for(request, customer: Customer) -> Customer | None:
    """The customer whose link brought this buyer, if it is still remembered, not his own and
    not closed since. No query unless a share is remembered."""
    remembered = request.session.get(SESSION_KEY)
    try:
        sharer_id, at = (int(value) for value in remembered)
    except (TypeError, ValueError):
        return None
    age = timezone.now().timestamp() - at
    if sharer_id == customer.pk or not 0 <= age <= timedelta(days=REMEMBER_DAYS).total_seconds():
        return None
    return sharer(sharer_id)
