"""The customer's account over JSON (the mini-program's), beyond shopping: signing in with the
mini-program's WeChat code and proving a mobile number, paying with WeChat Pay inside the
mini-program, the inbox, the personal-data rights and applying to become a distributor. Each
endpoint calls the service or selector the store's page calls (``storefront.wechat_login``,
``wechat_pay``, ``inbox``, ``privacy``, ``apply``)."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from weishang import throttle, wechat
from weishang.notifications import events
from weishang.notifications import selectors as notification_reads
from weishang.notifications import services as notifications
from weishang.payments import selectors as payment_reads
from weishang.payments import services as payments
from weishang.sales import sign_in

from . import auth, idempotency, store
from .errors import ERRORS, ApiError, not_found
from .pagination import PageParams, page
from .schemas import Id, PathKey, Text

router = Router(tags=["store"])

# Signing in with WeChat, and the mobile number he proves later -------------------------------


class WechatSignIn(Schema):
    code: Text(128, min_length=1) = Field(description="The code wx.login gave the mini-program.")


@router.post("/auth/wechat", response={200: store.Tokens, **ERRORS}, auth=None)
def wechat_token(request, payload: WechatSignIn):
    """Signs in (or up, known by WeChat alone until he proves a mobile number) with the
    mini-program's wx.login code, exchanged with WeChat (code2session); codes WeChat refuses are
    limited per client like wrong sign-in codes."""
    if not wechat.mini_program_configured():
        raise ApiError(
            _("WeChat sign-in is not available; sign in with your mobile number."),
            code="wechat_not_configured",
            status=404,
        )
    signed_in = sign_in.with_mini_program(js_code=payload.code, client=throttle.client(request))
    return auth.tokens_for(signed_in.customer.user)


class ProveMobile(Schema):
    mobile: Text(20, min_length=1)
    code: Text(6, min_length=1) = Field(description="The code /auth/code sent to the number.")


class ProvenMobileOut(Schema):
    mobile: str
    joined: bool = Field(
        description="The number already had an account: he now uses that one, with new tokens."
    )
    tokens: store.Tokens | None = Field(
        description="When joined: the tokens of the account he now uses (the old ones stop)."
    )


@router.post("/account/mobile", response={200: ProvenMobileOut, **ERRORS})
def prove_mobile(request, payload: ProveMobile):
    """A customer known by WeChat alone proves his mobile number with the code /auth/code sent
    to it: the number becomes his (with the new-member coupons), or, when another account has
    it, he is joined to that account."""
    proven = sign_in.prove_mobile(
        customer=request.customer,
        mobile=payload.mobile,
        code=payload.code,
        kept=auth.SIGN_IN_RECORDS,
    )
    return {
        "mobile": proven.customer.mobile,
        "joined": proven.joined,
        "tokens": auth.tokens_for(proven.customer.user) if proven.joined else None,
    }


# Paying with WeChat Pay inside the mini-program ------------------------------------------------


class WechatPayParams(Schema):
    """What wx.requestPayment takes, under its own names; the order is paid when WeChat Pay's
    signed notification arrives, never on the mini-program's word."""

    number: str = Field(description="The order's number.")
    appId: str  # noqa: N815 - wx.requestPayment's names
    timeStamp: str  # noqa: N815
    nonceStr: str  # noqa: N815
    package: str
    signType: str  # noqa: N815
    paySign: str  # noqa: N815


@router.post("/orders/{number}/pay/wechat", response={200: WechatPayParams, **ERRORS})
def pay_with_wechat(request, number: PathKey, idempotency_key: idempotency.IdempotencyKey):
    """Starts (or resumes) paying the order with WeChat Pay in the mini-program, as the payer
    he is there (his mini-program sign-in)."""
    order = store._own_order(request, number)

    def act():
        openid = payment_reads.wechat_payer(request.customer, channel="miniprogram")
        if openid is None:
            raise ApiError(
                _("To pay with WeChat Pay, sign in with WeChat in the mini-program first."),
                code="no_wechat_identity",
                status=409,
            )
        params = payments.start_wechat_payment(order=order, openid=openid, channel="miniprogram")
        return 200, {"number": order.number, **params}

    return idempotency.run(
        request, principal=store._principal(request), key=idempotency_key, act=act
    )


# The inbox ---------------------------------------------------------------------------------------


class MessageOut(Schema):
    id: int
    event: str
    title: str = Field(description="The event's name in the reader's language.")
    text: str
    at: datetime
    unread: bool
    order: str | None = Field(description="The order's number, when it is about an order.")
    complaint: str | None = Field(description="The complaint's number, when about a complaint.")


class MessagePage(Schema):
    items: list[MessageOut]
    next_cursor: str | None


class Unread(Schema):
    unread: int


def _message(message) -> dict:
    params = message.params
    return {
        "id": message.pk,
        "event": message.event,
        "title": events.title(message.event),
        "text": events.body(message.event, params),
        "at": message.created_at,
        "unread": message.read_at is None,
        "order": str(params["order"]) if "order" in params else None,
        "complaint": str(params["complaint"]) if "complaint" in params else None,
    }


@router.get("/inbox", response={200: MessagePage, **ERRORS})
def inbox(request, params: PageParams):
    """Everything the brand told him, newest first."""
    return page(notification_reads.inbox(request.customer), params, ordering=("-pk",), row=_message)


@router.get("/inbox/unread", response={200: Unread, **ERRORS})
def unread(request):
    return {"unread": notification_reads.unread_count(request.customer)}


@router.post("/inbox/read", response={200: Unread, **ERRORS})
def mark_all_read(request):
    """Marks all his messages read."""
    notifications.mark_all_read(customer=request.customer)
    return {"unread": notification_reads.unread_count(request.customer)}


@router.post("/inbox/{message_id}/open", response={200: MessageOut, **ERRORS})
def open_message(request, message_id: Id):
    """Opens one of his messages, which marks it read; someone else's is not found."""
    message = notifications.mark_read(customer=request.customer, message_id=message_id)
    if message is None:
        raise not_found()
    return _message(message)
