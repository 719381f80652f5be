"""A customer's right to correct his personal data (PIPL Art. 46): nickname, birthday, addresses,
mobile. The copy of his data and closing the account span every domain: ``weishang.privacy``."""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Address, Customer
from .personal_data import assign_mobile, record_own_act
from .rules import mobile_error, normalise_mobile
from .services import CustomerError, redeem_code, send_login_code

# Corrections -------------------------------------------------------------------------------------


@transaction.atomic
def update_nickname(*, customer: Customer, nickname: str) -> Customer:
    nickname = (nickname or "").strip()
    if len(nickname) > 40:
        raise CustomerError(_("A nickname has at most 40 characters."))
    if nickname != customer.nickname:
        customer.nickname = nickname
        customer.save(update_fields=["nickname"])
        record_own_act(customer=customer, action="customer.correct_nickname", fields=["nickname"])
    return customer


@transaction.atomic
def set_birthday(*, customer: Customer, birthday: date | None, today: date) -> Customer:
    """Sets or clears the optional birthday the brand's birthday coupon is sent on."""
    if birthday is not None and not date(1900, 1, 1) <= birthday <= today:
        raise CustomerError(_("Enter a birthday that has already come."))
    if birthday != customer.birthday:
        customer.birthday = birthday
        customer.save(update_fields=["birthday"])
        record_own_act(customer=customer, action="customer.set_birthday", fields=["birthday"])
    return customer


def _own_address(customer: Customer, address_id) -> Address:
    address = (
        customer.addresses.filter(pk=address_id).first() if isinstance(address_id, int) else None
    )
    if address is None:
        raise CustomerError(_("This address does not exist or is not yours."), code="no_address")
    return address


@transaction.atomic
def update_address(
    *,
    customer: Customer,
    address_id,
    recipient: str,
    phone: str,
    province: str,
    city: str,
    district: str = "",
    detail: str,
) -> Address:
    """Corrects a saved address; orders already placed keep the address they were sent to."""
    address = _own_address(customer, address_id)
    values = {"recipient": recipient, "province": province, "city": city, "detail": detail}
    if any(not (value or "").strip() for value in values.values()):
        raise CustomerError(_("Please fill in the recipient, province, city and street address."))
    phone_number = normalise_mobile(phone)
    if not phone_number:
        raise CustomerError(mobile_error(), code="bad_mobile")
    limits = {"recipient": 40, "province": 20, "city": 20, "district": 20, "detail": 200}
    values["district"] = district or ""
    values = {name: value.strip() for name, value in values.items()}
    if any(len(value) > limits[name] for name, value in values.items()):
        raise CustomerError(_("One of the address fields is too long."))
    values["phone"] = phone_number
    changed = [name for name, value in values.items() if getattr(address, name) != value]
    if {"province", "city", "district"} & set(changed) and address.district_code:
        # Typed names no longer match the picked code: the province is found by name instead.
        values["district_code"] = ""
        changed.append("district_code")
    if changed:
        for name in changed:
            setattr(address, name, values[name])
        address.save(update_fields=changed)
        record_own_act(
            customer=customer, action="customer.correct_address", obj=address, fields=changed
        )
    return address


@transaction.atomic
def delete_address(*, customer: Customer, address_id) -> None:
    address = _own_address(customer, address_id)
    was_default = address.is_default
    record_own_act(customer=customer, action="customer.delete_address", obj=address)
    address.delete()
    if was_default:
        following = customer.addresses.order_by("pk").first()
        if following:
            Address.objects.filter(pk=following.pk).update(is_default=True)


def request_mobile_change(*, customer: Customer, new_mobile: str, now=None) -> str:
    """Sends a one-time code to the NEW number, which must prove it is his."""
    mobile = normalise_mobile(new_mobile)
    if not mobile:
        raise CustomerError(mobile_error(), code="bad_mobile")
    if mobile == customer.mobile:
        raise CustomerError(_("This is already your mobile number."), code="same_mobile")
    if Customer.objects.filter(mobile=mobile).exists():
        raise CustomerError(
            _("This number belongs to another account; close that account first."),
            code="mobile_taken",
        )
    return send_login_code(mobile=mobile, now=now)


def change_mobile(*, customer: Customer, new_mobile: str, code: str, now=None) -> Customer:
    """Moves the account to a new number once the code sent to that number is entered."""
    mobile = normalise_mobile(new_mobile)
    if not mobile:
        raise CustomerError(mobile_error(), code="bad_mobile")
    return redeem_code(
        mobile=mobile,
        code=code,
        now=now or timezone.now(),
        on_success=lambda verified: _move_to(customer, verified),
    )


def _move_to(customer: Customer, mobile: str) -> Customer:
    return assign_mobile(
        customer=customer,
        mobile=mobile,
        action="customer.change_mobile",
        taken_message=_("This number belongs to another account; close that account first."),
    )
