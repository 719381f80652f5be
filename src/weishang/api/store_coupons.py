"""The customer's coupons over JSON: "my coupons" by tab and the coupon centre (领券中心), where
he claims the coupons the brand offers there. Each endpoint calls the selectors and the service
the store's coupon pages call (``storefront.coupons``)."""

from datetime import datetime

from django.utils import timezone
from ninja import Router, Schema, Status
from pydantic import Field

from weishang.loyalty import coupon_selectors, coupons
from weishang.loyalty.models import Coupon

from .errors import ERRORS
from .pagination import PageParams, page
from .schemas import Id

router = Router(tags=["store"])

# Coupons -----------------------------------------------------------------------------------------


class CouponTerms(Schema):
    name: str
    gives: str = Field(description="What it takes off, in words.")
    applies: str = Field(description="Which products it covers, in words.")
    stackable: bool


class CouponOut(CouponTerms):
    id: int
    status: str
    status_label: str
    valid_from: datetime
    valid_until: datetime
    used_at: datetime | None
    order_number: str = Field(description="The order that used it, if any.")


class CouponPage(Schema):
    items: list[CouponOut]
    next_cursor: str | None


class CentreCoupon(CouponTerms):
    id: int
    lasts: str = Field(description="How long a coupon claimed now is valid, in words.")
    per_customer_limit: int
    held: int = Field(description="How many of it he holds.")
    sold_out: bool
    can_claim: bool


# Each tab's order, as ``coupon_selectors.coupons_in_tab`` sorts it, ending with the primary key.
TAB_ORDERING = {
    Coupon.Status.AVAILABLE: ("valid_until", "pk"),
    Coupon.Status.USED: ("-used_at", "-pk"),
    Coupon.Status.EXPIRED: ("-valid_until", "-pk"),
    Coupon.Status.VOIDED: ("-voided_at", "-pk"),
}


def _terms(template) -> dict:
    coupon_selectors.described(template)
    return {
        "name": template.name,
        "gives": template.gives,
        "applies": template.applies,
        "stackable": template.stackable,
    }


def _coupon(coupon: Coupon, now) -> dict:
    status = Coupon.Status(coupon.status_at(now))
    return {
        **_terms(coupon.template),
        "id": coupon.pk,
        "status": status.value,
        "status_label": str(status.label),
        "valid_from": coupon.valid_from,
        "valid_until": coupon.valid_until,
        "used_at": coupon.used_at,
        "order_number": coupon.order_number,
    }


def _centre_coupon(template) -> dict:
    return {
        **_terms(template),
        "id": template.pk,
        "lasts": template.lasts,
        "per_customer_limit": template.per_customer_limit,
        "held": template.held,
        "sold_out": template.sold_out,
        "can_claim": template.can_claim,
    }


@router.get("/coupons", response={200: CouponPage, **ERRORS})
def my_coupons(request, params: PageParams, tab: Coupon.Status = Coupon.Status.AVAILABLE) -> dict:
    """His coupons in one tab, as "my coupons" shows them: ``available`` (soonest expiry
    first), ``used``, ``expired`` or ``voided`` (taken back with a share reward)."""
    now = timezone.now()
    return page(
        coupon_selectors.coupons_in_tab(request.customer.pk, tab, now),
        params,
        ordering=TAB_ORDERING[tab],
        row=lambda coupon: _coupon(coupon, now),
    )


@router.get("/coupon-centre", response={200: list[CentreCoupon], **ERRORS})
def coupon_centre(request):
    """The coupons the brand offers to claim (领券中心), with whether he still may."""
    return [
        _centre_coupon(template)
        for template in coupon_selectors.coupon_centre(request.customer.pk, timezone.now())
    ]


@router.post("/coupon-centre/{template_id}/claim", response={201: CouponOut, **ERRORS})
def claim_coupon(request, template_id: Id):
    """Takes one coupon of the template, up to his limit and the brand's quota."""
    now = timezone.now()
    coupon = coupons.claim_coupon(customer_id=request.customer.pk, template_id=template_id, now=now)
    coupon = coupon_selectors.coupons_of_customer(request.customer.pk).get(pk=coupon.pk)
    return Status(201, _coupon(coupon, now))
