"""Every write about customers: sign-up and login by one-time code, passwords, addresses."""

import secrets
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from weishang import throttle
from weishang.core_errors import DomainError

from . import divisions, sms
from .models import Address, Customer, Device, OneTimeCode
from .rules import mobile_error, normalise_mobile

RESEND_INTERVAL = timedelta(seconds=60)


class CustomerError(DomainError):
    pass


def _code_hash(mobile: str, code: str) -> str:
    """Keyed hash of a short-lived code: cheap to check, useless without the secret key."""
    return salted_hmac("weishang.login-code", f"{mobile}:{code}", algorithm="sha256").hexdigest()


def _mobile(raw: str) -> str:
    mobile = normalise_mobile(raw)
    if not mobile:
        raise CustomerError(mobile_error(), code="bad_mobile")
    return mobile


@transaction.atomic
def send_login_code(*, mobile: str, now=None) -> str:
    """Sends a 6-digit code; at most one a minute and a few an hour per number, within the site's
    budget of messages (the page adds the client's). Returns the code for the demo page."""
    mobile = _mobile(mobile)
    now = now or timezone.now()
    # Only a code still waiting to be used makes the next one wait: once used (a sign-in, or
    # the demo signing its own accounts up), the number may ask again at once.
    waiting = OneTimeCode.objects.filter(mobile=mobile, used_at__isnull=True)
    if waiting.filter(created_at__gt=now - RESEND_INTERVAL).exists():
        raise CustomerError(
            _("A code was sent less than a minute ago; please wait before asking again.")
        )
    throttle.take((throttle.CODES_SENT_PER_MOBILE, mobile), (throttle.CODES_SENT_IN_ALL, "all"))
    code = f"{secrets.randbelow(1_000_000):06d}"
    OneTimeCode.objects.create(
        mobile=mobile,
        code_hash=_code_hash(mobile, code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    transaction.on_commit(lambda: sms.sender().send_login_code(mobile=mobile, code=code))
    return code


def _customer_for(mobile: str) -> Customer:
    customer = Customer.objects.select_related("user").filter(mobile=mobile).first()
    if customer:
        return customer
    user = get_user_model().objects.create_user(username=f"m{mobile}")
    return Customer.objects.create(user=user, mobile=mobile)


def redeem_code[T](*, mobile: str, code: str, now, on_success: Callable[[str], T]) -> T:
    """Checks the newest unused code sent to ``mobile`` and, if it is right, marks it used and
    returns ``on_success(mobile)`` in the same transaction. A wrong guess is counted, on the code
    and on the number, so sending a new code does not allow new guesses."""
    throttle.check((throttle.WRONG_CODES_PER_MOBILE, mobile))
    with transaction.atomic():
        otp = (
            OneTimeCode.objects.select_for_update()
            .filter(mobile=mobile, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        if otp is None or otp.expires_at <= now:
            raise CustomerError(
                _("The code has expired or was never sent; ask for a new one."), code="otp_expired"
            )
        if otp.attempts >= settings.OTP_MAX_ATTEMPTS:
            raise CustomerError(_("Too many wrong codes; ask for a new one."), code="otp_locked")
        if constant_time_compare(_code_hash(mobile, (code or "").strip()), otp.code_hash):
            OneTimeCode.objects.filter(pk=otp.pk).update(used_at=now)
            return on_success(mobile)
        # A wrong guess is counted (and committed) before the error is raised.
        OneTimeCode.objects.filter(pk=otp.pk).update(attempts=otp.attempts + 1)
    throttle.hit((throttle.WRONG_CODES_PER_MOBILE, mobile))
    raise CustomerError(_("The code is not correct."), code="otp_wrong")


def log_in_with_code(*, mobile: str, code: str, now=None) -> Customer:
    """Checks the newest unused code for the number; signs the customer up on first login."""
    return redeem_code(
        mobile=_mobile(mobile), code=code, now=now or timezone.now(), on_success=_customer_for
    )


def log_in_with_password(*, mobile: str, password: str) -> Customer:
    """Refuses a number locked after repeated wrong passwords before checking the password."""
    mobile = _mobile(mobile)
    limits = (
        (throttle.FAILED_LOGINS_PER_ACCOUNT, mobile),
        (throttle.FAILED_LOGINS_IN_ALL, "all"),
    )
    throttle.check(*limits)
    customer = Customer.objects.select_related("user").filter(mobile=mobile).first()
    if (
        not customer
        or not customer.user.has_usable_password()
        or not customer.user.check_password(password)
    ):
        throttle.hit(*limits)
        raise CustomerError(_("Mobile number or password is not correct."), code="bad_password")
    return customer


@transaction.atomic
def set_password(*, customer: Customer, password: str) -> None:
    try:
        validate_password(password, customer.user)
    except ValidationError as exc:
        raise CustomerError(" ".join(exc.messages)) from exc
    customer.user.set_password(password)
    customer.user.save(update_fields=["password"])


@transaction.atomic
def add_address(
    *,
    customer: Customer,
    recipient: str,
    phone: str,
    province: str = "",
    city: str = "",
    district: str = "",
    detail: str,
    district_code: str = "",
    make_default: bool = True,
) -> Address:
    """Saves an address. With ``district_code`` (the store's picker) the province, city and
    district are those the GB/T 2260 code names, and an unknown code is refused."""
    if district_code:
        place = divisions.place(district_code)
        if place is None:
            raise CustomerError(
                _("Choose the province, city and district from the lists."), code="bad_division"
            )
        province, city, district = place.province, place.city, place.district
    fields = {"recipient": recipient, "province": province, "city": city, "detail": detail}
    missing = [name for name, value in fields.items() if not (value or "").strip()]
    if missing:
        raise CustomerError(_("Please fill in the recipient, province, city and street address."))
    phone_number = normalise_mobile(phone)
    if not phone_number:
        raise CustomerError(mobile_error(), code="bad_mobile")
    has_any = customer.addresses.exists()
    if make_default or not has_any:
        customer.addresses.filter(is_default=True).update(is_default=False)
    return Address.objects.create(
        customer=customer,
        recipient=recipient.strip(),
        phone=phone_number,
        province=province.strip(),
        city=city.strip(),
        district=(district or "").strip(),
        detail=detail.strip(),
        district_code=district_code or "",
        is_default=make_default or not has_any,
    )


@transaction.atomic
def set_default_address(*, customer: Customer, address_id: int) -> Address:
    """Makes one of the customer's addresses the one checkout offers first."""
    address = customer.addresses.select_for_update().filter(pk=address_id).first()
    if address is None:
        raise CustomerError(_("This address does not exist or is not yours."), code="no_address")
    if not address.is_default:
        customer.addresses.filter(is_default=True).update(is_default=False)
        address.is_default = True
        address.save(update_fields=["is_default"])
    return address


def record_device(*, customer: Customer, device_id: str, now=None) -> Device | None:
    """Remembers the browser (device cookie) a customer signed in from, for fraud review."""
    device_id = (device_id or "").strip()[:64]
    if not device_id:
        return None
    now = now or timezone.now()
    with transaction.atomic():
        device, created = Device.objects.get_or_create(
            customer=customer, device_id=device_id, defaults={"first_seen": now, "last_seen": now}
        )
        if not created and device.last_seen < now:
            device.last_seen = now
            device.save(update_fields=["last_seen"])
    return device
