"""Distributor health (seed 004) for a period, one row per distributor, from the rollups only:

- order frequency: his orders per buyer (hundredths: 150 = 1.5 orders a buyer);
- AOV: what his orders kept on average (fen);
- sell-through (动销率): the share of the products his opened links showed that he sold in the
  period (basis points);
- repurchase rate: the share of his buyers in the period with two orders or more from him in
  the period (basis points);
- days since his last sale, counted to the period's last day (None: no sale up to then).

Sortable by any column, read a page at a time after a key (the sort value and the distributor's
id), so that a page costs the same wherever it is in the list."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from django.db import connection

from weishang.distribution.models import Distributor, SharedProductDay

from .models import BuyerDay, SoldProductDay
from .periods import Period

PAGE = 50
# The sortable columns; "days" sorts by the day of the last sale, the other way round.
COLUMNS = ("sales", "orders", "buyers", "frequency", "aov", "sell_through", "repurchase", "days")
NEVER = date(1, 1, 1)
# A ratio over nothing (no product shown, no buyer) in the sorted list: below every real ratio.
NO_RATIO = -1


@dataclass(frozen=True)
class Health:
    distributor_id: int
    store_name: str
    sales_fen: int
    orders: int
    buyers: int
    frequency: int
    aov_fen: int
    sell_through_bp: int | None  # None: his links showed no product in the period
    repurchase_bp: int | None  # None: no buyer in the period
    last_sale: date | None
    days_since_sale: int | None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _sql(order_by: str, after: str, only: bool, by_days: bool) -> str:
    """The list's query. For one distributor (``only``) every part reads his rows alone. The day
    of the last sale is looked up, through the (distributor, day) index, for the rows of the page
    only, unless the list is sorted by it (then it is read for everybody)."""
    mine = "AND distributor = %(only)s" if only else ""
    latest = f"""
        SELECT distributor, MAX(day) AS day FROM {_table(BuyerDay)}
        WHERE orders > 0 AND day <= %(last)s AND distributor > 0 {mine}
        GROUP BY distributor"""
    last_sale = f"""(
        SELECT MAX(b.day) FROM {_table(BuyerDay)} b
        WHERE b.distributor = page.distributor AND b.day <= %(last)s AND b.orders > 0)"""
    return f"""
    WITH buys AS (
        SELECT distributor, customer, CAST(SUM(orders) AS BIGINT) AS n,
               CAST(SUM(gmv_fen) AS BIGINT) AS gmv
        FROM {_table(BuyerDay)}
        WHERE day >= %(first)s AND day <= %(last)s AND distributor > 0 {mine}
        GROUP BY distributor, customer
    ), per AS (
        -- Whole numbers throughout (PostgreSQL sums bigints as numeric), so that the ratios
        -- below divide as integers and a page's key compares exactly.
        SELECT distributor, CAST(SUM(n) AS BIGINT) AS orders, CAST(SUM(gmv) AS BIGINT) AS gmv,
               CAST(SUM(CASE WHEN n > 0 THEN 1 ELSE 0 END) AS BIGINT) AS buyers,
               CAST(SUM(CASE WHEN n >= 2 THEN 1 ELSE 0 END) AS BIGINT) AS repeaters
        FROM buys GROUP BY distributor
    ), shared AS (
        SELECT DISTINCT distributor, product FROM {_table(SharedProductDay)}
        WHERE day >= %(first)s AND day <= %(last)s {mine}
    ), sold AS (
        SELECT DISTINCT distributor, product FROM {_table(SoldProductDay)}
        WHERE day >= %(first)s AND day <= %(last)s {mine}
    ), through AS (
        SELECT s.distributor, COUNT(*) AS shared,
               CAST(SUM(CASE WHEN d.product IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS sold
        FROM shared s LEFT JOIN sold d
          ON d.distributor = s.distributor AND d.product = s.product
        GROUP BY s.distributor
    ), health AS (
        SELECT d.id AS distributor, d.store_name AS store_name,
               COALESCE(p.gmv, 0) AS sales, COALESCE(p.orders, 0) AS orders,
               COALESCE(p.buyers, 0) AS buyers,
               CASE WHEN p.buyers > 0 THEN p.orders * 100 / p.buyers ELSE 0 END AS frequency,
               CASE WHEN p.orders > 0 THEN p.gmv / p.orders ELSE 0 END AS aov,
               CASE WHEN t.shared > 0 THEN t.sold * 10000 / t.shared ELSE %(none)s END
                   AS sell_through,
               CASE WHEN p.buyers > 0 THEN p.repeaters * 10000 / p.buyers ELSE %(none)s END
                   AS repurchase
               {", COALESCE(l.day, %(never)s) AS days" if by_days else ""}
        FROM {_table(Distributor)} d
        LEFT JOIN per p ON p.distributor = d.id
        LEFT JOIN through t ON t.distributor = d.id
        {f"LEFT JOIN ({latest}) l ON l.distributor = d.id" if by_days else ""}
    ), page AS (
        SELECT * FROM health {after} ORDER BY {order_by} LIMIT %(limit)s
    )
    SELECT distributor, store_name, sales, orders, buyers, frequency, aov, sell_through,
           repurchase, {"days" if by_days else f"COALESCE({last_sale}, %(never)s)"}
    FROM page ORDER BY {order_by}"""


def _direction(sort: str) -> tuple[str, bool]:
    """The column and whether the list runs from the highest down. "days" runs on the last
    sale's day the other way round: fewest days since the last sale is the latest day."""
    column, descending = sort.lstrip("-"), sort.startswith("-")
    if column not in COLUMNS:
        raise ValueError(sort)
    return column, descending != (column == "days")


def _rows(
    period: Period, sort: str, after: tuple | None, limit: int | None, only: int | None = None
) -> Iterator[Health]:
    column, descending = _direction(sort)
    way, beyond = ("DESC", "<") if descending else ("ASC", ">")
    params = {
        "first": period.first,
        "last": period.last,
        "never": NEVER,
        "none": NO_RATIO,
        "limit": limit,
    }
    where = "WHERE true"
    if after is not None:
        params["after_value"], params["after_id"] = after
        where += (
            f" AND ({column} {beyond} %(after_value)s"
            f" OR ({column} = %(after_value)s AND distributor {beyond} %(after_id)s))"
        )
    if only is not None:
        params["only"] = only
        where += " AND distributor = %(only)s"
    sql = _sql(f"{column} {way}, distributor {way}", where, only is not None, column == "days")
    if limit is None:
        sql = sql.replace("LIMIT %(limit)s", "")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(1_000):
            for row in rows:
                yield _health(period, row)


def _health(period: Period, row) -> Health:
    distributor, name, sales, orders, buyers, frequency, aov, through, repurchase, day = row
    if isinstance(day, str):  # SQLite hands dates back as text
        day = date.fromisoformat(day)
    last_sale = None if day == NEVER else day
    return Health(
        distributor_id=distributor,
        store_name=name,
        sales_fen=int(sales),
        orders=int(orders),
        buyers=int(buyers),
        frequency=int(frequency),
        aov_fen=int(aov),
        sell_through_bp=_ratio(through),
        repurchase_bp=_ratio(repurchase),
        last_sale=last_sale,
        days_since_sale=None if last_sale is None else (period.last - last_sale).days,
    )


def _ratio(value) -> int | None:
    return None if int(value) == NO_RATIO else int(value)


def sort_value(row: Health, sort: str):
    """The value of the row's sort column, as the next page's key holds it."""
    column = sort.lstrip("-")
    return {
        "sales": row.sales_fen,
        "orders": row.orders,
        "buyers": row.buyers,
        "frequency": row.frequency,
        "aov": row.aov_fen,
        "sell_through": NO_RATIO if row.sell_through_bp is None else row.sell_through_bp,
        "repurchase": NO_RATIO if row.repurchase_bp is None else row.repurchase_bp,
        "days": row.last_sale or NEVER,
    }[column]


def health_page(
    period: Period, sort: str = "-sales", after: tuple | None = None, size: int = PAGE
) -> tuple[list[Health], tuple | None]:
    """A page of the list after the key ``after`` (sort value, distributor id), and the key of
    the next page (None on the last)."""
    rows = list(_rows(period, sort, after, size + 1))
    if len(rows) <= size:
        return rows, None
    last = rows[size - 1]
    return rows[:size], (sort_value(last, sort), last.distributor_id)


def health_of(period: Period, distributor_id: int) -> Health | None:
    """One distributor's row."""
    return next(_rows(period, "-sales", None, None, only=distributor_id), None)


def all_health(period: Period, sort: str = "-sales") -> Iterator[Health]:
    """The whole sorted list, read as it is written out (the CSV download)."""
    return _rows(period, sort, None, None)
