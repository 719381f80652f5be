"""The brand's returns and withdrawals over JSON, for a staff API key: the return queue and its
acts (approve, reject, goods received, refund), the withdrawal queue and its acts (approve,
reject, pay) and the payee of one to pay. Each act calls the console's form and service
(``console.views.return_action``, ``console.distribution_views.WITHDRAWAL_ACTIONS``) with the
key's maker as the actor, so it is audited as in the console."""

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from weishang.commissions import payout_accounts
from weishang.commissions import selectors as commission_selectors
from weishang.commissions import services as commissions
from weishang.commissions.models import Commission, Withdrawal
from weishang.console import roles
from weishang.console.distribution_forms import HeldCommissionForm
from weishang.console.distribution_views import HELD_COMMISSION_ACTIONS, WITHDRAWAL_ACTIONS
from weishang.console.forms import ApproveReturnForm, RejectReturnForm
from weishang.orders import selectors as order_selectors
from weishang.orders import services as orders
from weishang.orders.carriers import carrier_name
from weishang.orders.models import ReturnRequest, ReturnStatus
from weishang.sales import services as sales

from . import idempotency
from .brand import ConsoleRoleKeyAuth, console_route
from .brand_fulfilment import actor_of, cleaned, once
from .errors import ERRORS, not_found
from .pagination import PageParams, page
from .schemas import Id, PathKey, Text

router = Router(tags=["brand"], auth=ConsoleRoleKeyAuth())


# Returns -----------------------------------------------------------------------------------------


class ReturnLineOut(Schema):
    product_name: str
    sku_name: str
    quantity: int


class BrandReturn(Schema):
    number: str
    order_number: str
    mobile: str = Field(description="The customer's mobile, masked unless the role takes returns.")
    recipient: str
    status: str
    status_label: str
    reason: str
    lines: list[ReturnLineOut]
    refund_fen: int
    wallet_fen: int
    points: int
    freight_paid_by: str
    freight_paid_by_label: str
    return_address: str = Field(description="Where the goods go back to, once approved.")
    return_carrier: str
    return_carrier_name: str
    return_tracking_no: str
    requested_at: datetime
    approved_at: datetime | None
    return_shipped_at: datetime | None
    received_at: datetime | None
    refund_due_at: datetime | None
    is_overdue: bool = Field(description="Received and its refund is past due.")
    refunded_at: datetime | None
    rejected_at: datetime | None
    reject_reason: str


class BrandReturnPage(Schema):
    items: list[BrandReturn]
    next_cursor: str | None


def _returns(statuses=ReturnStatus.values):
    return order_selectors.returns_queue(statuses=statuses).select_related(
        "order__customer", "return_address"
    )


def _return_row(rr: ReturnRequest, *, full: bool, now) -> dict:
    mobile, recipient = roles.order_contact(rr.order, full=full)
    address = rr.return_address
    return {
        **{
            name: getattr(rr, name)
            for name in (
                "number",
                "status",
                "reason",
                "refund_fen",
                "wallet_fen",
                "points",
                "freight_paid_by",
                "return_carrier",
                "return_tracking_no",
                "requested_at",
                "approved_at",
                "return_shipped_at",
                "received_at",
                "refund_due_at",
                "refunded_at",
                "rejected_at",
                "reject_reason",
            )
        },
        "order_number": rr.order.number,
        "mobile": mobile,
        "recipient": recipient,
        "status_label": str(rr.get_status_display()),
        "freight_paid_by_label": str(rr.get_freight_paid_by_display()),
        "return_address": f"{address.recipient} {address.address}" if address else "",
        "return_carrier_name": carrier_name(rr.return_carrier) if rr.return_carrier else "",
        "lines": [
            {
                "product_name": line.order_line.product_name,
                "sku_name": line.order_line.sku_name,
                "quantity": line.quantity,
            }
            for line in rr.lines.all()
        ],
        "is_overdue": bool(
            rr.status == ReturnStatus.RECEIVED and rr.refund_due_at and rr.refund_due_at < now
        ),
    }


def _full(request) -> bool:
    return roles.role_sees_full_customer_data(request.auth.role)


def _return(request, number: str) -> dict:
    rr = _returns().filter(number=number).first()
    if rr is None:
        raise not_found()
    return _return_row(rr, full=_full(request), now=timezone.now())


def _return_request(number: str) -> ReturnRequest:
    rr = ReturnRequest.objects.filter(number=number).first()
    if rr is None:
        raise not_found()
    return rr


@router.get("/returns", response={200: BrandReturnPage, **ERRORS})
@console_route("return_list")
def brand_returns(request, params: PageParams, status: ReturnStatus | None = None):
    """Returns oldest first: the open ones (requested, approved, received) unless a status is
    asked for."""
    found = _returns(statuses=[status] if status else ReturnRequest.OPEN)
    full, now = _full(request), timezone.now()
    return page(
        found,
        params,
        ordering=("requested_at", "pk"),
        row=lambda rr: _return_row(rr, full=full, now=now),
    )


@router.get("/returns/{number}", response={200: BrandReturn, **ERRORS})
@console_route("return_list")
def brand_return_detail(request, number: PathKey):
    return _return(request, number)


class ReturnAddressOut(Schema):
    id: int
    recipient: str
    phone: str
    address: str


@router.get("/return-addresses", response={200: list[ReturnAddressOut], **ERRORS})
@console_route("return_list")
def brand_return_addresses(request):
    """The return addresses in use, one of which an approval names."""
    return [
        {"id": a.pk, "recipient": a.recipient, "phone": a.phone, "address": a.address}
        for a in order_selectors.return_addresses_in_use()
    ]


class ApproveReturnIn(Schema):
    return_address_id: Id | None = Field(
        None, description="Where the goods go back to; the only address in use when left out."
    )


@router.post("/returns/{number}/approve", response={200: BrandReturn, **ERRORS})
@console_route("return_approve")
def brand_return_approve(request, number: PathKey, payload: ApproveReturnIn):
    """Approves a requested return; the customer is told where to send the goods."""
    rr = _return_request(number)
    data = cleaned(
        ApproveReturnForm({"return_address": payload.return_address_id or ""}),
        names={"return_address": "return_address_id"},
    )
    orders.approve_return(
        return_request=rr, actor=actor_of(request), return_address=data["return_address"]
    )
    return _return(request, number)


class RejectReturnIn(Schema):
    reason: Text(300) = Field("", description="Shown to the customer.")


@router.post("/returns/{number}/reject", response={200: BrandReturn, **ERRORS})
@console_route("return_reject")
def brand_return_reject(request, number: PathKey, payload: RejectReturnIn):
    """Rejects a requested or approved return, saying why."""
    rr = _return_request(number)
    data = cleaned(RejectReturnForm(payload.dict()))
    orders.reject_return(return_request=rr, actor=actor_of(request), reason=data["reason"])
    return _return(request, number)


@router.post("/returns/{number}/receive", response={200: BrandReturn, **ERRORS})
@console_route("return_receive")
def brand_return_receive(request, number: PathKey, idempotency_key: idempotency.IdempotencyKey):
    """The goods are back: they return to stock and the refund falls due."""
    rr = _return_request(number)

    def act():
        orders.receive_return(return_request=rr, actor=actor_of(request))
        return 200, _return(request, number)

    return once(request, idempotency_key, act)


@router.post("/returns/{number}/refund", response={200: BrandReturn, **ERRORS})
@console_route("return_refund")
def brand_return_refund(request, number: PathKey, idempotency_key: idempotency.IdempotencyKey):
    """Refunds a received return; the returned lines' commission is reversed."""
    rr = _return_request(number)

    def act():
        sales.refund_return(return_request=rr, actor=actor_of(request))
        return 200, _return(request, number)

    return once(request, idempotency_key, act)


# Withdrawals -------------------------------------------------------------------------------------


class BrandWithdrawal(Schema):
    id: int
    distributor_id: int
    store_name: str
    amount_fen: int
    withheld_fen: int
    net_fen: int
    status: str
    status_label: str
    reason: str
    payout_account: str | None = Field(description="The account, masked.")
    payout_reference: str
    reviewed_by: str | None
    requested_at: datetime
    reviewed_at: datetime | None
    paid_at: datetime | None


class BrandWithdrawalPage(Schema):
    items: list[BrandWithdrawal]
    next_cursor: str | None


def _withdrawals():
    return commission_selectors.withdrawal_queue(statuses=Withdrawal.Status.values).select_related(
        "payout_account"
    )


def _withdrawal_row(w: Withdrawal) -> dict:
    return {
        **{
            name: getattr(w, name)
            for name in (
                "id",
                "distributor_id",
                "amount_fen",
                "withheld_fen",
                "net_fen",
                "status",
                "reason",
                "payout_reference",
                "requested_at",
                "reviewed_at",
                "paid_at",
            )
        },
        "store_name": w.distributor.store_name,
        "status_label": str(w.get_status_display()),
        "payout_account": payout_accounts.describe(w.payout_account) if w.payout_account else None,
        "reviewed_by": w.reviewed_by.get_username() if w.reviewed_by else None,
    }


def _withdrawal(withdrawal_id: int) -> dict:
    w = _withdrawals().filter(pk=withdrawal_id).first()
    if w is None:
        raise not_found()
    return _withdrawal_row(w)


@router.get("/withdrawals", response={200: BrandWithdrawalPage, **ERRORS})
@console_route("withdrawal_list")
def brand_withdrawals(request, params: PageParams, status: Withdrawal.Status | None = None):
    """Withdrawals oldest first: those waiting for the brand or for their payout unless a status
    is asked for."""
    found = commission_selectors.withdrawal_queue(
        **({"statuses": [status]} if status else {})
    ).select_related("payout_account")
    return page(found, params, ordering=("requested_at", "pk"), row=_withdrawal_row)


@router.get("/withdrawals/{withdrawal_id}", response={200: BrandWithdrawal, **ERRORS})
@console_route("withdrawal_list")
def brand_withdrawal_detail(request, withdrawal_id: Id):
    return _withdrawal(withdrawal_id)


class Payee(Schema):
    kind: str
    bank: str
    holder_name: str
    number: str = Field(description="The account number in full.")
    withheld_fen: int = Field(description="The tax paying it now would withhold.")
    net_fen: int = Field(description="What to transfer.")


@router.get("/withdrawals/{withdrawal_id}/payee", response={200: Payee, **ERRORS})
@console_route("withdrawal_payee")
def brand_withdrawal_payee(request, withdrawal_id: Id):
    """The payee of an approved withdrawal in full, to pay it; each look is audited."""
    withdrawal = (
        Withdrawal.objects.select_related("distributor", "payout_account")
        .filter(pk=withdrawal_id)
        .first()
    )
    if withdrawal is None:
        raise not_found()
    payee = payout_accounts.reveal_payee(withdrawal=withdrawal, actor=actor_of(request))
    withheld = commissions.withholding_preview(withdrawal=withdrawal)
    return {**payee, "withheld_fen": withheld, "net_fen": withdrawal.amount_fen - withheld}


def _withdrawal_act(request, withdrawal_id: int, action: str, fields: dict) -> tuple[int, dict]:
    withdrawal = Withdrawal.objects.filter(pk=withdrawal_id).first()
    if withdrawal is None:
        raise not_found()
    service, form_class, _success = WITHDRAWAL_ACTIONS[action]
    service(withdrawal=withdrawal, actor=actor_of(request), **cleaned(form_class(fields)))
    return 200, _withdrawal(withdrawal_id)


@router.post("/withdrawals/{withdrawal_id}/approve", response={200: BrandWithdrawal, **ERRORS})
@console_route("withdrawal_act")
def brand_withdrawal_approve(request, withdrawal_id: Id):
    """Approves a requested withdrawal; pay it next."""
    return _withdrawal_act(request, withdrawal_id, "approve", {})[1]


class RejectWithdrawalIn(Schema):
    reason: Text(300) = Field("", description="Shown to the distributor.")


@router.post("/withdrawals/{withdrawal_id}/reject", response={200: BrandWithdrawal, **ERRORS})
@console_route("withdrawal_act")
def brand_withdrawal_reject(
    request,
    withdrawal_id: Id,
    payload: RejectWithdrawalIn,
    idempotency_key: idempotency.IdempotencyKey,
):
    """Rejects it, saying why; the amount is available to the distributor again."""
    return once(
        request,
        idempotency_key,
        lambda: _withdrawal_act(request, withdrawal_id, "reject", payload.dict()),
    )


class PayWithdrawalIn(Schema):
    payout_reference: Text(64) = Field("", description="The bank's or the payout's reference.")


@router.post("/withdrawals/{withdrawal_id}/pay", response={200: BrandWithdrawal, **ERRORS})
@console_route("withdrawal_act")
def brand_withdrawal_pay(
    request,
    withdrawal_id: Id,
    payload: PayWithdrawalIn,
    idempotency_key: idempotency.IdempotencyKey,
):
    """Pays an approved withdrawal: the payout is sent after this commits, less the tax
    withheld."""
    return once(
        request,
        idempotency_key,
        lambda: _withdrawal_act(request, withdrawal_id, "pay", payload.dict()),
    )


# Commissions held for review ---------------------------------------------------------------------


class HeldCommission(Schema):
    id: int
    order_number: str
    product_name: str
    distributor_id: int
    store_name: str
    level: int
    amount_fen: int
    reversed_fen: int
    hold_reason: str
    created_at: datetime


class HeldCommissionPage(Schema):
    items: list[HeldCommission]
    next_cursor: str | None


def _held(commission: Commission) -> dict:
    return {
        "id": commission.pk,
        "order_number": commission.order.number,
        "product_name": commission.order_line.product_name,
        "distributor_id": commission.distributor_id,
        "store_name": commission.distributor.store_name,
        "level": commission.level,
        "amount_fen": commission.amount_fen,
        "reversed_fen": commission.reversed_fen,
        "hold_reason": commission.hold_reason,
        "created_at": commission.created_at,
    }


@router.get("/held-commissions", response={200: HeldCommissionPage, **ERRORS})
@console_route("held_commission_list")
def brand_held_commissions(request, params: PageParams):
    """Commissions held for review (a large order, a high refund rate), oldest first."""
    return page(
        commission_selectors.held_commissions(),
        params,
        ordering=("created_at", "pk"),
        row=_held,
    )


class HeldCommissionDecision(Schema):
    reason: Text(300) = Field("", description="Kept as the commission's review note.")


def _decide(request, commission_id: int, action: str, payload: HeldCommissionDecision):
    commission = Commission.objects.filter(pk=commission_id).first()
    if commission is None:
        raise not_found()
    act, _success = HELD_COMMISSION_ACTIONS[action]
    act(commission, actor_of(request), cleaned(HeldCommissionForm(payload.dict()))["reason"])
    commission.refresh_from_db()
    return 200, {
        "id": commission.pk,
        "status": commission.status,
        "status_label": str(commission.get_status_display()),
        "review_note": commission.review_note,
    }


class DecidedCommission(Schema):
    id: int
    status: str
    status_label: str
    review_note: str


@router.post(
    "/held-commissions/{commission_id}/release", response={200: DecidedCommission, **ERRORS}
)
@console_route("held_commission_act")
def brand_held_commission_release(
    request,
    commission_id: Id,
    payload: HeldCommissionDecision,
    idempotency_key: idempotency.IdempotencyKey,
):
    """Releases it: pending until the return window closes, then settled."""
    return once(
        request,
        idempotency_key,
        lambda: _decide(request, commission_id, "release", payload),
    )


@router.post(
    "/held-commissions/{commission_id}/reject", response={200: DecidedCommission, **ERRORS}
)
@console_route("held_commission_act")
def brand_held_commission_reject(
    request,
    commission_id: Id,
    payload: HeldCommissionDecision,
    idempotency_key: idempotency.IdempotencyKey,
):
    """Rejects it: it never becomes available to the distributor."""
    return once(
        request,
        idempotency_key,
        lambda: _decide(request, commission_id, "reject", payload),
    )
