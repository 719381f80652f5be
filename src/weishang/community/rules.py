"""Pure rules of the community: who is in a segment, told from one customer's facts, and which
station a delivery city suggests. ``selectors.customers_in`` says the same as ``in_segment`` in
one query; the tests hold the two to each other."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

CITY_SUFFIX = "市"


@dataclass(frozen=True)
class Conditions:
    """A segment's conditions; an unset one (None, "") lets every customer through."""

    min_orders: int | None = None
    ordered_within_days: int | None = None
    no_order_days: int | None = None
    city: str = ""
    station_id: int | None = None
    min_tier_threshold_fen: int | None = None
    tag_id: int | None = None


@dataclass(frozen=True)
class CustomerFacts:
    """What segments look at in one customer. ``order_paid_at``: when each of his counted orders
    (paid, not cancelled or refunded in full) was paid; ``tier_threshold_fen``: the spend that
    reaches the tier he holds (None: no tier reviewed yet)."""

    active: bool = True
    order_paid_at: tuple[datetime, ...] = ()
    city: str | None = None
    station_id: int | None = None
    tier_threshold_fen: int | None = None
    tag_ids: frozenset[int] = field(default_factory=frozenset)


def normalise_city(raw: str) -> str:
    """A city as the brand types it for a station or a segment: 郑州 for 郑州 and 郑州市."""
    city = (raw or "").strip()
    return city[: -len(CITY_SUFFIX)] if city.endswith(CITY_SUFFIX) and len(city) > 1 else city


def city_names(city: str) -> tuple[str, str]:
    """The address city names a normalised city matches: 郑州 and 郑州市."""
    return (city, city + CITY_SUFFIX)


def in_segment(conditions: Conditions, facts: CustomerFacts, now: datetime) -> bool:
    if not facts.active:
        return False
    paid = facts.order_paid_at
    if conditions.min_orders and len(paid) < conditions.min_orders:
        return False
    if conditions.ordered_within_days:
        since = now - timedelta(days=conditions.ordered_within_days)
        if not any(at >= since for at in paid):
            return False
    if conditions.no_order_days:
        since = now - timedelta(days=conditions.no_order_days)
        if any(at >= since for at in paid):
            return False
    if conditions.city and facts.city not in city_names(conditions.city):
        return False
    if conditions.station_id and facts.station_id != conditions.station_id:
        return False
    if conditions.min_tier_threshold_fen and (
        facts.tier_threshold_fen is None
        or facts.tier_threshold_fen < conditions.min_tier_threshold_fen
    ):
        return False
    return not conditions.tag_id or conditions.tag_id in facts.tag_ids


class _Station(Protocol):
    city: str
    is_open: bool


def suggest_station[S: _Station](city: str | None, stations: Iterable[S]) -> S | None:
    """The first open station of the delivery city (stations' cities are kept normalised)."""
    if not city:
        return None
    for station in stations:
        if station.is_open and city in city_names(station.city):
            return station
    return None


def public_name(nickname: str, masked_mobile: str) -> str:
    """How another customer sees an opinion leader: his nickname, else his masked mobile."""
    return nickname.strip() or masked_mobile
