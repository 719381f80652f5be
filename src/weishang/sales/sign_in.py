"""Signing a customer in, the same for the store's pages and the API: failures counted per
client, a code sent within the client's budget, and the new-member coupons on his first sign-in."""

from django.utils import timezone

from weishang import throttle
from weishang.core_errors import DomainError
from weishang.customers import services as customers
from weishang.customers.models import Customer
from weishang.loyalty import coupons
from weishang.loyalty.models import CouponRule


def send_code(*, mobile: str, client: str) -> str:
    """Sends a login code, counted against the client's budget of codes; returns the code (the
    demo shows it)."""
    throttle.take((throttle.CODES_SENT_PER_CLIENT, client))
    return customers.send_login_code(mobile=mobile)


def _counting_failures(client: str, sign_in) -> Customer:
    """Signs in unless this client is locked after too many failures; counts each failure."""
    throttle.check((throttle.FAILED_LOGINS_PER_CLIENT, client))
    try:
        return sign_in()
    except DomainError as exc:
        if exc.code in {"otp_wrong", "bad_password"}:
            throttle.hit((throttle.FAILED_LOGINS_PER_CLIENT, client))
        raise


def with_code(*, mobile: str, code: str, client: str) -> Customer:
    """Signs in (or up, on the first time) with the code sent to the mobile."""
    started = timezone.now()
    customer = _counting_failures(
        client, lambda: customers.log_in_with_code(mobile=mobile, code=code)
    )
    if customer.created_at >= started:
        coupons.issue_by_rule(
            rule=CouponRule.Occasion.NEW_MEMBER, customer_id=customer.pk, now=customer.created_at
        )
    return customer


def with_password(*, mobile: str, password: str, client: str) -> Customer:
    return _counting_failures(
        client, lambda: customers.log_in_with_password(mobile=mobile, password=password)
    )
