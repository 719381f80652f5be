"""Who a distributor greets today (老客户维护), chosen from his customers' facts without the
database; ``today`` is always passed in.

Three reasons, in this order, each customer at most once (under his first reason):

1. a repurchase is due: for a product with a repurchase interval, his last purchase's day plus
   the interval falls from 30 days ago to 3 days ahead; the earliest due day first (the one
   waiting longest);
2. a birthday within the next 7 days (today included; 29 February is kept on 28 February in
   other years); the soonest first;
3. not greeted for at least ``gap_days`` days, or never greeted; the longest first, counting a
   never-greeted customer from the day he was bound.

The gap protects customers from being greeted too often, except for an occasion: a due
repurchase or a birthday brings a customer back within the gap, but only once per occasion — he
is not chosen for it when he was greeted on or after the day its window opened (due day minus 3
days, birthday minus 7 days), so a greeted customer does not come back every day of the window.
Ties go to the lower customer id, so the same facts always give the same list.
"""

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

REPURCHASE = "repurchase"
BIRTHDAY = "birthday"
NO_CONTACT = "no_contact"

DUE_AHEAD_DAYS = 3
OVERDUE_DAYS = 30
BIRTHDAY_AHEAD_DAYS = 7


@dataclass(frozen=True)
class Due:
    product_id: int
    on: date  # the last purchase's day plus the product's repurchase interval


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    bound_since: date
    last_greeted: date | None = None
    birthday: date | None = None
    dues: tuple[Due, ...] = field(default=())


@dataclass(frozen=True)
class Pick:
    customer_id: int
    reason: str
    product_id: int | None = None


def birthday_in(year: int, birthday: date) -> date:
    if birthday.month == 2 and birthday.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return birthday.replace(year=year)


def next_birthday(birthday: date, today: date) -> date:
    """The first day from today on that is his birthday."""
    this_year = birthday_in(today.year, birthday)
    return this_year if this_year >= today else birthday_in(today.year + 1, birthday)


def _greeted_since(candidate: Candidate, day: date) -> bool:
    return candidate.last_greeted is not None and candidate.last_greeted >= day


def due_repurchase(candidate: Candidate, today: date) -> Due | None:
    """The earliest due repurchase he was not greeted for since its window opened."""
    open_dues = [
        due
        for due in candidate.dues
        if today - timedelta(days=OVERDUE_DAYS) <= due.on <= today + timedelta(days=DUE_AHEAD_DAYS)
        and not _greeted_since(candidate, due.on - timedelta(days=DUE_AHEAD_DAYS))
    ]
    return min(open_dues, key=lambda due: (due.on, due.product_id), default=None)


def coming_birthday(candidate: Candidate, today: date) -> date | None:
    if candidate.birthday is None:
        return None
    day = next_birthday(candidate.birthday, today)
    if day > today + timedelta(days=BIRTHDAY_AHEAD_DAYS):
        return None
    if _greeted_since(candidate, day - timedelta(days=BIRTHDAY_AHEAD_DAYS)):
        return None
    return day


def last_contact(candidate: Candidate) -> date:
    return candidate.last_greeted or candidate.bound_since


def choose(candidates: Iterable[Candidate], *, today: date, size: int, gap_days: int) -> list[Pick]:
    """Up to ``size`` customers to greet today, each once, in the order of the module's rules."""
    candidates = {candidate.customer_id: candidate for candidate in candidates}.values()
    ranked = []
    for candidate in candidates:
        due = due_repurchase(candidate, today)
        if due is not None:
            ranked.append(
                (
                    (0, due.on, candidate.customer_id),
                    Pick(candidate.customer_id, REPURCHASE, due.product_id),
                )
            )
            continue
        birthday = coming_birthday(candidate, today)
        if birthday is not None:
            ranked.append(
                ((1, birthday, candidate.customer_id), Pick(candidate.customer_id, BIRTHDAY))
            )
            continue
        if candidate.last_greeted is None or (today - candidate.last_greeted).days >= gap_days:
            ranked.append(
                (
                    (2, last_contact(candidate), candidate.customer_id),
                    Pick(candidate.customer_id, NO_CONTACT),
                )
            )
    ranked.sort(key=lambda item: item[0])
    return [pick for _key, pick in ranked[: max(size, 0)]]
