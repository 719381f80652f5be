"""The customers domain's part of a customer's personal data: the copy it holds (profile,
addresses, devices) and erasing it when the account is closed (PIPL Art. 45, 47). The reporting
layer (``weishang.privacy``) puts every domain's parts together."""

import secrets

from django.db import IntegrityError, transaction

from weishang.compliance import audit

from .models import Customer, Device, OneTimeCode, WechatIdentity
from .services import CustomerError


def closed_mobile(customer_id: int) -> str:
    """What replaces a closed account's mobile: unique, 11 characters (the column's width), and
    never a real number, which is all digits and starts with 1."""
    return f"X{customer_id:010d}"


# What closing replaces on the account itself (``erase_personal_data``), named in its audit entry.
ERASED_FIELDS = ("mobile", "nickname", "birthday", "password")


def record_own_act(
    *, customer: Customer, action: str, obj=None, fields=(), after=None, reason: str = ""
) -> None:
    """Audits an act the customer did on his own data like a staff act, naming him by account id
    and the fields by name only: the log is never erased, so it holds no value of his."""
    audit.record(
        actor=customer.user,
        actor_label=f"customer #{customer.pk}",
        action=action,
        obj=obj if obj is not None else customer,
        after={"fields": sorted(fields), **(after or {})},
        reason=reason,
    )


def assign_mobile(*, customer: Customer, mobile: str, action: str, taken_message) -> Customer:
    """The proven number becomes the customer's: another account's number is refused with
    ``taken_message``, his sign-in name follows the number, and the act is recorded as his own.
    Inside the code's transaction (``services.redeem_code``)."""
    old = customer.mobile
    customer.mobile = mobile
    try:
        with transaction.atomic():
            customer.save(update_fields=["mobile"])
    except IntegrityError as exc:
        raise CustomerError(taken_message, code="mobile_taken") from exc
    user = customer.user
    if not old or user.username == f"m{old}":
        user.username = f"m{mobile}"
        user.save(update_fields=["username"])
    record_own_act(customer=customer, action=action, fields=["mobile"])
    return customer


@transaction.atomic
def note_full_view(*, actor, customer: Customer) -> None:
    """A staff member opened the customer's full mobile, names and addresses: the log says who saw
    whose, and holds none of the values."""
    audit.record(actor=actor, action="customer.view_personal_data", obj=customer)


def lock_for_closure(customer: Customer) -> Customer:
    """The account row, locked so that two closures (or a closure and a mobile change) serialise.
    ``no_key`` lets a row that refers to the account (a red packet bought meanwhile) be written,
    so that act, which holds his points account, cannot deadlock with the closure waiting for it.
    """
    return (
        Customer.objects.select_for_update(no_key=True).select_related("user").get(pk=customer.pk)
    )


def is_closed(customer: Customer) -> bool:
    return customer.user.is_active is False and customer.mobile == closed_mobile(customer.pk)


def personal_data_for(customer: Customer) -> dict:
    customer = Customer.objects.select_related("user").get(pk=customer.pk)
    return {
        "profile": {
            "customer_id": customer.pk,
            "mobile": customer.mobile,
            "nickname": customer.nickname,
            "birthday": customer.birthday,
            "signed_up_at": customer.created_at,
            "last_login_at": customer.user.last_login,
            "has_password": customer.user.has_usable_password(),
        },
        "addresses": [
            {
                "id": a.pk,
                "recipient": a.recipient,
                "phone": a.phone,
                "province": a.province,
                "city": a.city,
                "district": a.district,
                "street_address": a.detail,
                "division_code": a.district_code,
                "is_default": a.is_default,
            }
            for a in customer.addresses.all()
        ],
        "devices": [
            {"device_id": d.device_id, "first_seen": d.first_seen, "last_seen": d.last_seen}
            for d in Device.objects.filter(customer=customer).order_by("first_seen", "pk")
        ],
        "wechat_identities": [
            {"appid": w.appid, "openid": w.openid, "unionid": w.unionid, "since": w.created_at}
            for w in WechatIdentity.objects.filter(customer=customer).order_by("pk")
        ],
    }


def erase_personal_data(customer: Customer) -> dict[str, int]:
    """Deletes addresses, devices, WeChat identities and login codes and anonymises the account,
    which can no longer sign in; returns how many rows of each kind went. The caller holds the
    account's lock."""
    deleted = {
        "addresses": customer.addresses.all().delete()[0],
        "devices": Device.objects.filter(customer=customer).delete()[0],
        "wechat_identities": WechatIdentity.objects.filter(customer=customer).delete()[0],
        "login_codes": OneTimeCode.objects.filter(mobile=customer.mobile).delete()[0],
    }
    customer.mobile = closed_mobile(customer.pk)
    customer.nickname = ""
    customer.birthday = None
    customer.save(update_fields=["mobile", "nickname", "birthday"])
    user = customer.user
    user.username = f"closed-{secrets.token_hex(12)}"
    user.first_name = user.last_name = user.email = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    return deleted
