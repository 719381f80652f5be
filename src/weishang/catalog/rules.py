"""Pure pricing and addressing rules: no database access."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

# A product's address carries its id when it has no slug; a slug is therefore never this.
PRODUCT_ID = re.compile(r"[0-9]{1,18}", re.ASCII)


@dataclass(frozen=True)
class Period:
    starts_at: datetime
    ends_at: datetime
    price_fen: int


@dataclass(frozen=True)
class Price:
    amount_fen: int
    list_price_fen: int
    period_ends_at: datetime | None

    @property
    def is_discounted(self) -> bool:
        return self.amount_fen != self.list_price_fen


def active_period(periods: Iterable[Period], at: datetime) -> Period | None:
    """The period covering ``at``; a period includes its start and excludes its end."""
    for period in periods:
        if period.starts_at <= at < period.ends_at:
            return period
    return None


def price_at(list_price_fen: int, periods: Iterable[Period], at: datetime) -> Price:
    period = active_period(periods, at)
    if period is None:
        return Price(list_price_fen, list_price_fen, None)
    return Price(period.price_fen, list_price_fen, period.ends_at)


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end
