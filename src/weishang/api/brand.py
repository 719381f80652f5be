"""The brand's side of the API, for integrations holding a staff API key: each operation belongs
to a console route and is open to the roles the console's matrix (``console.roles``) lets use
that route with the same method, so a key can do exactly what its role can do in the console."""

from datetime import datetime
from functools import wraps

from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from weishang.console import roles
from weishang.orders import selectors as order_selectors
from weishang.orders.models import OrderStatus
from weishang.payments import selectors as payment_selectors

from . import auth
from .errors import ERRORS, ApiError
from .pagination import PageParams, page
from .schemas import Text

router = Router(tags=["brand"], auth=auth.StaffKeyAuth())
# Each operation's console route: its role check is that route's.
CONSOLE_ROUTES: dict[str, str] = {}


def console_route(route: str):
    """Refuses a key whose role may not use ``route`` with this request's method."""

    def decorate(view):
        CONSOLE_ROUTES[view.__name__] = route

        @wraps(view)
        def checked(request, *args, **kwargs):
            if not roles.can(request.auth.role, route, request.method):
                raise ApiError(
                    _("Your role may not do this: %(area)s") % {"area": roles.area_of(route).label},
                    code="forbidden",
                    status=403,
                )
            return view(request, *args, **kwargs)

        return checked

    return decorate


class BrandOrder(Schema):
    number: str
    status: str
    status_label: str
    refund_in_progress: bool
    total_fen: int
    placed_at: datetime
    mobile: str = Field(description="The customer's mobile, masked unless the role ships.")
    recipient: str = Field(description="Masked unless the role ships, takes returns or complaints.")
    line_count: int


class BrandOrderPage(Schema):
    items: list[BrandOrder]
    next_cursor: str | None


def _order_row(order, *, full: bool) -> dict:
    mobile, recipient = roles.order_contact(order, full=full)
    return {
        "number": order.number,
        "status": order.status,
        "status_label": order.get_status_display(),
        "refund_in_progress": order.refund_in_progress,
        "total_fen": order.total_fen,
        "placed_at": order.placed_at,
        "mobile": mobile,
        "recipient": recipient,
        "line_count": order.line_count,
    }


@router.get("/orders", response={200: BrandOrderPage, **ERRORS})
@console_route("order_list")
def brand_orders(
    request,
    params: PageParams,
    status: OrderStatus | None = None,
    q: Text(40) = "",
):
    """Every order, newest first, optionally of one status or matching ``q`` (part of an order
    number or a mobile), as the console's order list."""
    full = roles.role_sees_full_customer_data(request.auth.role)
    found = payment_selectors.with_refund_in_progress(
        order_selectors.search_orders_for_console(status=status, query=q)
    )
    return page(
        found,
        params,
        ordering=("-placed_at", "-pk"),
        row=lambda order: _order_row(order, full=full),
    )
