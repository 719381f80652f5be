"""Pure order rules: the state machine, the return window. No database access."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from weishang.catalog.models import ReturnClass
from weishang.core_errors import DomainError

from .models import OrderStatus as S
from .models import ReturnFreightPayer

TRANSITIONS: dict[str, frozenset[str]] = {
    S.PENDING_PAYMENT: frozenset({S.PAID, S.CANCELLED}),
    S.PAID: frozenset({S.SHIPPED, S.REFUNDED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset({S.COMPLETED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.PARTIALLY_REFUNDED: frozenset({S.COMPLETED, S.REFUNDED, S.PARTIALLY_REFUNDED}),
    # A quality claim or a complaint may still refund a completed order:
    # Consumer Protection Law Art. 24.
    S.COMPLETED: frozenset({S.REFUNDED, S.PARTIALLY_REFUNDED}),
    S.CANCELLED: frozenset(),
    S.REFUNDED: frozenset(),
}


class IllegalTransition(DomainError):
    code = "illegal_transition"


def check_transition(current: str, target: str) -> None:
    if target not in TRANSITIONS[current]:
        raise IllegalTransition(
            _("An order that is “%(current)s” cannot become “%(target)s”.")
            % {"current": S(current).label, "target": S(target).label}
        )


def return_window_closes(delivered_at: datetime, tz: ZoneInfo, days: int = 7) -> datetime:
    """The window runs ``days`` full days from the day after sign-for (Online 7-day Returns
    Measures Art. 10)."""
    signed_day = delivered_at.astimezone(tz).date()
    return datetime.combine(signed_day + timedelta(days=days + 1), time.min, tzinfo=tz)


def line_is_returnable(return_class: str, exclusion_confirmed: bool) -> bool:
    if return_class in ReturnClass.excluded_by_law():
        return False
    if return_class == ReturnClass.EXCLUDABLE:
        return not exclusion_confirmed
    return True


def auto_confirm_at(shipped_at: datetime, days: int) -> datetime:
    """When a shipped order the customer has not confirmed counts as received."""
    return shipped_at + timedelta(days=days)


def no_reason_return_freight_payer(brand_pays: bool) -> str:
    """No-reason returns: the customer pays the shipping back unless the brand says it does
    (Online 7-day Returns Measures Art. 18)."""
    return ReturnFreightPayer.BRAND if brand_pays else ReturnFreightPayer.CUSTOMER
