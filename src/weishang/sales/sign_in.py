"""Signing a customer in, the same for the store's pages and the API: failures counted per
client, a code sent within the client's budget, and the new-member coupons on his first sign-in
(or, for a customer known by WeChat alone, when his proven mobile number becomes his)."""

from collections.abc import Callable

from django.utils import timezone

from weishang import throttle
from weishang.core_errors import DomainError
from weishang.customers import services as customers
from weishang.customers import wechat_accounts
from weishang.customers.models import Customer
from weishang.loyalty import coupons
from weishang.loyalty.models import CouponRule

from . import accounts

# Failures that count against a client: a wrong code or password, a WeChat code WeChat does not
# know or saw used already (not WeChat being down or busy: that is nobody's guess).
_FAILURES = {"otp_wrong", "bad_password", "wechat_invalid_code", "wechat_code_used"}


def send_code(*, mobile: str, client: str) -> str:
    """Sends a login code, counted against the client's budget of codes; returns the code (the
    demo shows it)."""
    throttle.take((throttle.CODES_SENT_PER_CLIENT, client))
    return customers.send_login_code(mobile=mobile)


def _counting_failures[T](client: str, sign_in: Callable[[], T]) -> T:
    """Signs in unless this client is locked after too many failures; counts each failure."""
    throttle.check((throttle.FAILED_LOGINS_PER_CLIENT, client))
    try:
        return sign_in()
    except DomainError as exc:
        if exc.code in _FAILURES:
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


def with_mini_program(*, js_code: str, client: str) -> wechat_accounts.MiniProgramSignIn:
    """Signs in (or up, known by WeChat alone) with the mini-program's ``wx.login`` code, through
    WeChat's code2session; codes WeChat refuses are counted against the client like wrong
    sign-in codes. Not inside a transaction (WeChat is asked first)."""
    return _counting_failures(
        client, lambda: wechat_accounts.sign_in_with_mini_program(js_code=js_code)
    )


def prove_mobile(
    *, customer: Customer, mobile: str, code: str, kept: tuple = ()
) -> accounts.ProvenMobile:
    """A customer known by WeChat alone proves his mobile number with the code sent to it
    (``accounts.prove_mobile``, ``kept`` the records of his sign-ins that do not stop a join);
    when the number becomes his own account's, he is a new member and gets the new-member
    coupons, as one who signed up with the number would."""
    started = timezone.now()
    proven = accounts.prove_mobile(
        customer=customer, mobile=mobile, code=code, now=started, kept=kept
    )
    if not proven.joined:
        coupons.issue_by_rule(
            rule=CouponRule.Occasion.NEW_MEMBER, customer_id=proven.customer.pk, now=started
        )
    return proven
