"""Repurchase cohorts: the customers whose first paid order fell in a month, and the share of them
who paid for an order again in each later month. Read from the cohort counts the rollups keep
(``CohortMonth``, summed over its shards), one query whatever the range."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Sum

from .models import CohortMonth
from .periods import months_between


@dataclass(frozen=True)
class CohortRow:
    cohort: date
    # Customers whose first paid order fell in the cohort's month.
    size: int
    # Customers of the cohort who paid in its month 0, 1, 2 … up to the range's last month.
    counts: list[int]

    @property
    def shares(self) -> list[float | None]:
        """Each month's customers as a percentage of the cohort, one decimal (None: no cohort)."""
        if not self.size:
            return [None for _ in self.counts]
        return [round(count * 100 / self.size, 1) for count in self.counts]


@dataclass(frozen=True)
class CohortTable:
    rows: list[CohortRow]

    @property
    def width(self) -> int:
        """How many months the oldest cohort's row runs: the columns month 0, 1, 2 …"""
        return max((len(row.counts) for row in self.rows), default=0)


def cohort_table(first_month: date, last_month: date) -> CohortTable:
    """The cohorts of the months from ``first_month``'s to ``last_month``'s, each followed up to
    ``last_month`` (a triangle: a later cohort has had fewer months)."""
    months = months_between(first_month.replace(day=1), last_month)
    if not months:
        return CohortTable([])
    last = months[-1]
    counts = {
        (row["cohort"], row["month"]): row["customers"]
        for row in CohortMonth.objects.filter(
            cohort__gte=months[0], cohort__lte=last, month__lte=last
        )
        .values("cohort", "month")
        .annotate(customers=Sum("customers"))
        .order_by()
    }
    rows = []
    for cohort in months:
        followed = months_between(cohort, last)
        rows.append(
            CohortRow(
                cohort=cohort,
                size=counts.get((cohort, cohort), 0),
                counts=[counts.get((cohort, month), 0) for month in followed],
            )
        )
    return CohortTable(rows)
