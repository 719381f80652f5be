"""The customer's account over JSON (the mini-program's), beyond shopping: signing in with the
mini-program's WeChat code and proving a mobile number, paying with WeChat Pay inside the
mini-program, the inbox and applying to become a distributor (his personal-data rights are in
``store_privacy``). Each endpoint calls the service or selector the store's page calls
(``storefront.wechat_login``, ``wechat_pay``, ``inbox``, ``apply``)."""

from datetime import datetime

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from pydantic import Field

from weishang import throttle, wechat
from weishang.distribution import selectors as distribution_reads
from weishang.distribution import services as distribution
from weishang.notifications import events
from weishang.notifications import selectors as notification_reads
from weishang.notifications import services as notifications
from weishang.payments import selectors as payment_reads
from weishang.payments import services as payments
from weishang.payments.errors import PaymentError
from weishang.sales import sign_in
from weishang.storefront.forms import ApplyForm

from . import auth, idempotency, store
from .errors import ERRORS, ApiError, not_found
from .pagination import PageParams, page
from .schemas import Id, PathKey, Text

router = Router(tags=["store"])

# Signing in with WeChat, and the mobile number he proves later -------------------------------


class WechatSignIn(Schema):
    code: Text(128, min_length=1) = Field(description="The code wx.login gave the mini-program.")
    share: Text(1000) | None = store.SHARE_KEPT


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
    return store.signed_in_tokens(signed_in.customer, payload.share)


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
        try:
            params = payments.start_wechat_payment(
                order=order, openid=openid or "", channel="miniprogram"
            )
        except PaymentError as exc:
            if exc.code != "no_openid":
                raise
            raise ApiError(
                _("To pay with WeChat Pay, sign in with WeChat in the mini-program first."),
                code="no_wechat_identity",
                status=409,
            ) from exc
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


# Applying to become a distributor ----------------------------------------------------------------


class ApplicationOut(Schema):
    status: str
    status_label: str
    store_name: str
    business_kind: str
    business_kind_label: str
    reject_reason: str
    submitted_at: datetime
    reviewed_at: datetime | None


class DistributorOut(Schema):
    store_name: str
    slug: str
    status: str
    status_label: str


class ApplicationStatus(Schema):
    can_apply: bool = Field(description="Neither a distributor nor waiting for a review.")
    application: ApplicationOut | None = Field(description="His latest application.")
    distributor: DistributorOut | None = Field(description="His distributor account, once open.")


class NewApplication(Schema):
    real_name: Text(40)
    id_number: Text(40)
    mobile: Text(20) = Field("", description="Left empty, his account's number.")
    business_kind: Text(16, min_length=1) = Field(description="small_trade or registered.")
    credit_code: Text(40) = ""
    store_name: Text(40)
    invite_code: Text(40) = Field("", description="The inviting distributor's store address.")


def _application_status(customer) -> dict:
    distributor = distribution_reads.distributor_for_customer(customer)
    application = distribution_reads.latest_application(customer)
    return {
        "can_apply": distribution_reads.may_apply(distributor, application),
        "application": application
        and {
            "status": application.status,
            "status_label": str(application.get_status_display()),
            "store_name": application.store_name,
            "business_kind": application.business_kind,
            "business_kind_label": str(application.get_business_kind_display()),
            "reject_reason": application.reject_reason,
            "submitted_at": application.submitted_at,
            "reviewed_at": application.reviewed_at,
        },
        "distributor": distributor
        and {
            "store_name": distributor.store_name,
            "slug": distributor.slug,
            "status": distributor.status,
            "status_label": str(distributor.get_status_display()),
        },
    }


@router.get("/account/distributor-application", response={200: ApplicationStatus, **ERRORS})
def application_status(request):
    """His latest application to become a distributor and where it stands."""
    return _application_status(request.customer)


@router.post("/account/distributor-application", response={201: ApplicationStatus, **ERRORS})
def apply(request, payload: NewApplication):
    """Applies to become a distributor (C to B), checked as the store's form checks it; the
    first wrong field is named, and every wrong field's message is in ``message``."""
    data = payload.dict()
    data["mobile"] = data["mobile"] or request.customer.mobile or ""
    checked = ApplyForm(data)
    try:
        if not checked.is_valid():
            raise distribution.ApplicationInvalid(
                {name: field_errors[0] for name, field_errors in checked.errors.items()}
            )
        distribution.apply_to_distribute(customer=request.customer, **checked.cleaned_data)
    except distribution.ApplicationInvalid as exc:
        raise ApiError(
            exc.message, code=exc.code, status=422, field=next(iter(exc.errors), None)
        ) from exc
    return Status(201, _application_status(request.customer))
