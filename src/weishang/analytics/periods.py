"""Periods the pages report on, and the period before each to compare with. Pure: dates in,
dates out. A period is a run of whole days in the brand's time zone, both ends included."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.translation import gettext_lazy as _

# The longest custom period a page reads: a year and a day (a leap year's whole year).
LONGEST_DAYS = 366

PRESETS = {
    "today": _("Today"),
    "7d": _("Last 7 days"),
    "30d": _("Last 30 days"),
    "this_month": _("This month"),
    "last_month": _("Last month"),
}


@dataclass(frozen=True)
class Period:
    first: date
    last: date

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> "Period":
        """The period just before, as long; a whole month's is the whole month before."""
        if self.first.day == 1 and (self.last + timedelta(days=1)).day == 1:
            last = self.first - timedelta(days=1)
            return Period(last.replace(day=1), last)
        return Period(self.first - timedelta(days=self.days), self.first - timedelta(days=1))

    def dates(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range(self.days)]


def preset(key: str, today: date) -> Period:
    if key == "today":
        return Period(today, today)
    if key == "7d":
        return Period(today - timedelta(days=6), today)
    if key == "30d":
        return Period(today - timedelta(days=29), today)
    if key == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return Period(last.replace(day=1), last)
    return Period(today.replace(day=1), today)


def months_between(first: date, last: date) -> list[date]:
    """The first days of the months from ``first``'s to ``last``'s, both included."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months
