"""Customers who sign in with WeChat: the official account's web authorisation (网页授权) and the
mini-program's ``code2session``, each binding an openid (and the unionid, when the brand's apps
are linked on WeChat's open platform) to a customer; and the mobile number such a customer proves
later, which either becomes his or joins him to the account that already has it.

The WeChat calls (``weishang.wechat``) happen before the transaction that records their result.
"""

import logging
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from weishang import wechat

from .models import Customer, Device, WechatIdentity
from .personal_data import assign_mobile, record_own_act
from .services import CustomerError

logger = logging.getLogger("weishang.customers")

NICKNAME_LENGTH = Customer._meta.get_field("nickname").max_length
CODE_LENGTH = 128


@dataclass(frozen=True)
class MiniProgramSignIn:
    customer: Customer
    openid: str
    unionid: str
    # For the mini-program's later calls (decrypting what wx.getPhoneNumber returns); never shown.
    session_key: str


def _identity(appid: str, openid: str) -> WechatIdentity | None:
    return (
        WechatIdentity.objects.select_related("customer__user")
        .filter(appid=appid, openid=openid)
        .first()
    )


def _new_customer(nickname: str) -> Customer:
    user = get_user_model().objects.create_user(username=f"wx-{secrets.token_hex(12)}")
    return Customer.objects.create(user=user, nickname=nickname[:NICKNAME_LENGTH])


@transaction.atomic
def sign_in_with_wechat(
    *, appid: str, openid: str, unionid: str = "", nickname: str = "", now=None
) -> Customer:
    """The customer this WeChat user is: by his openid in this app, else by his unionid in
    another of the brand's apps, else a new customer known by WeChat alone (no mobile yet)."""
    now = now or timezone.now()
    if not appid or not openid:
        raise CustomerError(_("WeChat did not say who you are; please try again."), code="wechat")
    identity = _identity(appid, openid)
    if identity is None:
        sibling = (
            WechatIdentity.objects.select_related("customer__user").filter(unionid=unionid).first()
            if unionid
            else None
        )
        try:
            with transaction.atomic():
                customer = sibling.customer if sibling else _new_customer(nickname.strip())
                identity = WechatIdentity.objects.create(
                    customer=customer,
                    appid=appid,
                    openid=openid,
                    unionid=unionid,
                    created_at=now,
                    last_sign_in_at=now,
                )
        except IntegrityError:
            # The same person's first sign-in on two devices at once: the other one recorded him.
            identity = _identity(appid, openid)
            if identity is None:
                raise
    else:
        updates = {"last_sign_in_at": now}
        if unionid and not identity.unionid:
            updates["unionid"] = unionid
        WechatIdentity.objects.filter(pk=identity.pk).update(**updates)
    customer = identity.customer
    if not customer.user.is_active:
        raise CustomerError(_("This account is closed and cannot sign in."), code="closed")
    if nickname and not customer.nickname:
        customer.nickname = nickname.strip()[:NICKNAME_LENGTH]
        customer.save(update_fields=["nickname"])
    return customer


def sign_in_with_web_code(*, code: str, now=None) -> Customer:
    """The code WeChat's authorisation page sent back to the store: exchanged for the user's
    openid (and, with snsapi_userinfo, his nickname), then signed in. Not inside a transaction."""
    code = (code or "").strip()
    if not code:
        raise CustomerError(
            _("You did not allow WeChat sign-in; sign in with your mobile number instead."),
            code="wechat_refused",
        )
    if len(code) > CODE_LENGTH:  # WeChat's codes are 32 characters: this one is not WeChat's
        raise wechat.InvalidCode(
            _("The WeChat sign-in code is not valid; please sign in with WeChat again.")
        )
    platform = wechat.platform()
    grant = platform.exchange_web_code(code)
    if grant.is_snapshot_user:
        raise CustomerError(
            _("Open this page in WeChat (tap “Open”) to sign in."), code="wechat_snapshot"
        )
    nickname = ""
    if grant.scope == "snsapi_userinfo":
        try:
            nickname = platform.user_info(
                access_token=grant.access_token, openid=grant.openid
            ).nickname
        except wechat.WechatError as exc:
            logger.info("WeChat user info not read (%s): signing in without a nickname", exc.code)
    return sign_in_with_wechat(
        appid=settings.WECHAT_OA_APPID,
        openid=grant.openid,
        unionid=grant.unionid,
        nickname=nickname,
        now=now,
    )


def sign_in_with_mini_program(*, js_code: str, now=None) -> MiniProgramSignIn:
    """A mini-program's ``wx.login`` code: exchanged (jscode2session) and signed in. Not inside
    a transaction; the JSON API hands the result to the mini-program."""
    js_code = (js_code or "").strip()
    if not js_code or len(js_code) > CODE_LENGTH:
        raise CustomerError(_("WeChat did not say who you are; please try again."), code="wechat")
    session = wechat.platform().code_to_session(js_code)
    customer = sign_in_with_wechat(
        appid=settings.WECHAT_MP_APPID, openid=session.openid, unionid=session.unionid, now=now
    )
    return MiniProgramSignIn(customer, session.openid, session.unionid, session.session_key)


# A WeChat customer proves his mobile number --------------------------------------------------


def _owns_anything(customer: Customer, kept: tuple) -> bool:
    """Whether any row anywhere, other than the ``kept`` history, still refers to the account or
    its user (orders, points, coupons, addresses, a station, an application, …), read from the
    models' own relations."""
    for owner, relations in (
        (customer, Customer._meta.related_objects),
        (customer.user, get_user_model()._meta.related_objects),
    ):
        for relation in relations:
            if relation.related_model is Customer or relation.related_model in kept:
                continue
            if relation.related_model._default_manager.filter(
                **{relation.field.name: owner}
            ).exists():
                return True
    return False


def take_mobile(*, customer: Customer, mobile: str) -> Customer:
    """The proven, unused number becomes the WeChat customer's own. Inside the code's
    transaction (``redeem_code``)."""
    return assign_mobile(
        customer=customer,
        mobile=mobile,
        action="customer.verify_mobile",
        taken_message=_("This number was just taken by another account; please try again."),
    )


def join_mobile_account(*, shell: Customer, into: Customer, kept: tuple = ()) -> Customer:
    """The WeChat customer proved the number of an existing account: his WeChat identities and
    devices move to that account, and the WeChat-only account is retired (it can no longer sign
    in; it keeps only the ``kept`` history, e.g. the binding log). Whatever else he did under
    WeChat alone (cart, binding) the caller has moved before; anything left (an order, points,
    an address) refuses the join, changing nothing. Inside the code's transaction."""
    if not into.user.is_active:
        raise CustomerError(_("This account is closed and cannot sign in."), code="closed")
    WechatIdentity.objects.filter(customer=shell).update(customer=into)
    known = set(Device.objects.filter(customer=into).values_list("device_id", flat=True))
    for device in Device.objects.filter(customer=shell):
        if device.device_id in known:
            device.delete()
        else:
            Device.objects.filter(pk=device.pk).update(customer=into)
    if _owns_anything(shell, kept):
        raise CustomerError(
            _(
                "This number already has an account, and the account you opened with WeChat "
                "already has orders, points or addresses of its own, so the two cannot be "
                "joined. Sign in with the number to use that account, or ask customer service "
                "to join them."
            ),
            code="cannot_join",
        )
    user = shell.user
    user.is_active = False
    user.username = f"joined-{shell.pk}-{secrets.token_hex(6)}"
    user.set_unusable_password()
    user.save(update_fields=["is_active", "username", "password"])
    record_own_act(
        customer=into,
        action="customer.join_wechat_account",
        fields=["wechat_identities"],
        after={"joined_customer": shell.pk},
    )
    return into
