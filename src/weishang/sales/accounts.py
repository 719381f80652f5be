"""A customer known by WeChat alone proves his mobile number: the number becomes his, or, when
another account already has it, the two become one. Joining spans domains (his cart in
``orders``, his binding in ``distribution``, his WeChat identities in ``customers``), so it is
put together here, in the code's one transaction."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from weishang.customers import wechat_accounts
from weishang.customers.models import Customer
from weishang.customers.rules import mobile_error, normalise_mobile
from weishang.customers.services import CustomerError, redeem_code
from weishang.distribution.binding import hand_over_binding
from weishang.distribution.models import BindingEvent
from weishang.orders.services import hand_over_cart


@dataclass(frozen=True)
class ProvenMobile:
    customer: Customer  # the account he is signed in to afterwards
    joined: bool  # True when he now uses the account that already had the number


def prove_mobile(
    *, customer: Customer, mobile: str, code: str, now=None, kept: tuple = ()
) -> ProvenMobile:
    """Checks the code sent to ``mobile`` (``redeem_code``: wrong guesses counted). A number no
    account has becomes his; a number another account has joins him to it: his WeChat sign-in,
    cart and binding move there, and the WeChat-only account is retired, provided it owns nothing
    else yet (``wechat_accounts.join_mobile_account``) than its binding log and the ``kept``
    records of his sign-ins (the API's tokens, which stop working with it); otherwise nothing
    changes."""
    if customer.mobile:
        raise CustomerError(_("Your account already has a mobile number."), code="has_mobile")
    number = normalise_mobile(mobile)
    if not number:
        raise CustomerError(mobile_error(), code="bad_mobile")

    def settle(verified: str) -> ProvenMobile:
        owner = Customer.objects.select_related("user").filter(mobile=verified).first()
        if owner is None:
            return ProvenMobile(
                wechat_accounts.take_mobile(customer=customer, mobile=verified), False
            )
        hand_over_cart(from_customer=customer, to_customer=owner)
        hand_over_binding(from_customer=customer, to_customer=owner)
        joined = wechat_accounts.join_mobile_account(
            shell=customer, into=owner, kept=(BindingEvent, *kept)
        )
        return ProvenMobile(joined, True)

    return redeem_code(mobile=number, code=code, now=now or timezone.now(), on_success=settle)
