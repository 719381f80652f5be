"""Quality claims over JSON, for a staff API key: the claims queue by status, one claim, and the
console's acts (approve with a remedy, reject, ship the replacement or the repaired goods back),
each through the console's form and act (``console.claims``) with the key's maker as the actor."""

from datetime import datetime
from typing import Literal

from ninja import Router, Schema
from pydantic import Field

from weishang.console import roles
from weishang.console.claims import decide_claim
from weishang.console.forms import ClaimDecisionForm, ShipForm
from weishang.orders import claims as claim_services
from weishang.orders import selectors as order_selectors
from weishang.orders.carriers import carrier_name
from weishang.orders.models import QualityClaim

from . import idempotency
from .brand import ConsoleRoleKeyAuth, console_route
from .brand_fulfilment import ShipIn, actor_of, cleaned, once
from .errors import ERRORS, not_found
from .pagination import PageParams, page
from .schemas import PathKey, Text

router = Router(tags=["brand"], auth=ConsoleRoleKeyAuth())


class BrandClaim(Schema):
    number: str
    order_number: str
    mobile: str = Field(description="The customer's mobile, masked unless the role takes claims.")
    recipient: str
    product_name: str
    sku_name: str
    quantity: int
    remedy: str
    remedy_label: str
    decided_remedy: str
    status: str
    status_label: str
    description: str
    photo_count: int
    refund_fen: int
    requested_at: datetime
    decided_at: datetime | None
    decision_reason: str
    return_carrier_name: str
    return_tracking_no: str
    returned_sent_at: datetime | None
    carrier_name: str
    tracking_no: str
    shipped_at: datetime | None
    refunded_at: datetime | None


class BrandClaimPage(Schema):
    items: list[BrandClaim]
    next_cursor: str | None


def _claim_row(claim: QualityClaim, *, full: bool) -> dict:
    mobile, recipient = roles.order_contact(claim.order, full=full)
    line = claim.order_line
    return {
        **{
            name: getattr(claim, name)
            for name in (
                "number",
                "quantity",
                "remedy",
                "decided_remedy",
                "status",
                "description",
                "refund_fen",
                "requested_at",
                "decided_at",
                "decision_reason",
                "return_tracking_no",
                "returned_sent_at",
                "tracking_no",
                "shipped_at",
                "refunded_at",
            )
        },
        "order_number": claim.order.number,
        "mobile": mobile,
        "recipient": recipient,
        "product_name": line.product_name if line else "",
        "sku_name": line.sku_name if line else "",
        "remedy_label": str(claim.get_remedy_display()),
        "status_label": str(claim.get_status_display()),
        # The queue counts the photos; one claim has them prefetched.
        "photo_count": (
            claim.photo_count if hasattr(claim, "photo_count") else len(claim.photos.all())
        ),
        "return_carrier_name": carrier_name(claim.return_carrier) if claim.return_carrier else "",
        "carrier_name": carrier_name(claim.carrier) if claim.carrier else "",
    }


def _full(request) -> bool:
    return roles.role_sees_full_customer_data(request.auth.role)


def _claim(request, number: str) -> dict:
    try:
        claim = order_selectors.claim_for_staff(number)
    except QualityClaim.DoesNotExist as exc:
        raise not_found() from exc
    return _claim_row(claim, full=_full(request))


def _claim_object(number: str) -> QualityClaim:
    claim = QualityClaim.objects.filter(number=number).first()
    if claim is None:
        raise not_found()
    return claim


ClaimTab = Literal["open", "requested", "approved", "shipped", "refunded", "rejected", "all"]


@router.get("/claims", response={200: BrandClaimPage, **ERRORS})
@console_route("claim_list")
def brand_claims(request, params: PageParams, status: ClaimTab = "open"):
    """Quality claims oldest first: the open ones (to decide or to ship back) unless a status,
    or ``all``, is asked for."""
    full = _full(request)
    return page(
        order_selectors.claims_queue(status="" if status == "all" else status),
        params,
        ordering=("requested_at", "pk"),
        row=lambda claim: _claim_row(claim, full=full),
    )


@router.get("/claims/{number}", response={200: BrandClaim, **ERRORS})
@console_route("claim_detail")
def brand_claim_detail(request, number: PathKey):
    return _claim(request, number)


class ClaimDecisionIn(Schema):
    remedy: Literal["", "refund", "exchange", "repair"] = Field(
        "", description="The remedy granted: return and refund, exchange or repair."
    )
    reason: Text(300) = Field("", description="Shown to the customer.")


def _decide(request, number: str, action: str, payload: ClaimDecisionIn):
    claim = _claim_object(number)
    data = cleaned(ClaimDecisionForm(payload.dict()))
    decide_claim(
        claim=claim,
        actor=actor_of(request),
        action=action,
        remedy=data["remedy"],
        reason=data["reason"],
    )
    return 200, _claim(request, number)


@router.post("/claims/{number}/approve", response={200: BrandClaim, **ERRORS})
@console_route("claim_approve")
def brand_claim_approve(
    request, number: PathKey, payload: ClaimDecisionIn, idempotency_key: idempotency.IdempotencyKey
):
    """Approves the claim with the remedy granted; a return and refund is refunded at once."""
    return once(
        request,
        idempotency_key,
        lambda: _decide(request, number, "approve", payload),
    )


@router.post("/claims/{number}/reject", response={200: BrandClaim, **ERRORS})
@console_route("claim_reject")
def brand_claim_reject(request, number: PathKey, payload: ClaimDecisionIn):
    """Rejects the claim, saying why."""
    return _decide(request, number, "reject", payload)[1]


@router.post("/claims/{number}/ship", response={200: BrandClaim, **ERRORS})
@console_route("claim_ship")
def brand_claim_ship(
    request, number: PathKey, payload: ShipIn, idempotency_key: idempotency.IdempotencyKey
):
    """Ships the replacement or the repaired goods back to the customer; a replacement's stock
    leaves the warehouse."""
    claim = _claim_object(number)

    def act():
        data = cleaned(ShipForm(payload.dict()))
        claim_services.ship_claim(claim=claim, actor=actor_of(request), **data)
        return 200, _claim(request, number)

    return once(request, idempotency_key, act)
