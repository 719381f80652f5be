"""How many different people were seen over any run of days, exactly, without a scan.

Each time a count sees a person on a day for the first time that day, it records the day before
on which it last saw him (``Presence.since``) and adds one to ``FirstSeen(day, since)``. The people
seen from day ``a`` to day ``b`` are then those whose row in the run has no earlier day in the run:
the sum of ``FirstSeen`` over days ``a``..``b`` with ``since`` before ``a``, a few hundred rows
however many people. A person seen on a day before another already recorded (a payment confirmed
just after midnight) moves that later day's ``since``; a person no longer seen (his only order of
the day refunded) is taken out the same way. ``rebuild`` makes it all again from scratch."""

from collections.abc import Iterable
from datetime import date
from itertools import groupby

from django.db import connection
from django.db.models import Count, Max, Sum
from django.db.models.functions import Abs

from weishang import bulk

from .models import FirstSeen, Presence

NEVER = date(1, 1, 1)
SHARDS = 8
REACHED, VISITOR, BUYER = "reached", "visitor", "buyer"


def _shard(person: int) -> int:
    return abs(person) % SHARDS


def _count(kind: str, day: date, since: date, person: int, change: int) -> None:
    bulk.add_to(
        FirstSeen,
        {"kind": kind, "day": day, "since": since, "shard": _shard(person)},
        {"people": change},
    )


def _next(kind: str, person: int, day: date) -> Presence | None:
    return Presence.objects.filter(kind=kind, person=person, day__gt=day).order_by("day").first()


def seen(kind: str, day: date, person: int) -> None:
    """The count saw the person on the day (again: nothing changes). Most sightings are of the
    person's latest day, answered by reading his latest row alone."""
    latest = (
        Presence.objects.filter(kind=kind, person=person)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    if latest == day:
        return
    if latest is not None and latest > day:
        since = (
            Presence.objects.filter(kind=kind, person=person, day__lt=day)
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
    else:
        since = latest
    since = since or NEVER
    values = {"kind": kind, "day": day, "person": person, "since": since}
    if not bulk.insert_once(Presence, values, unique=["kind", "person", "day"]):
        return
    _count(kind, day, since, person, 1)
    later = _next(kind, person, day) if latest is not None and latest > day else None
    if later is not None:
        _count(kind, later.day, later.since, person, -1)
        _count(kind, later.day, day, person, 1)
        Presence.objects.filter(pk=later.pk).update(since=day)


def seen_all(kind: str, sightings: Iterable[tuple[int, date]]) -> None:
    """``seen`` for many ``(person, day)`` sightings in a few statements: each person's latest
    day is read at once, the days after it are recorded together, and only a day before it (a
    late payment) is recorded on its own, as ``seen`` does."""
    days_of = {
        person: sorted({day for _p, day in group})
        for person, group in groupby(sorted(set(sightings)), key=lambda pair: pair[0])
    }
    latest = dict(
        Presence.objects.filter(kind=kind, person__in=list(days_of))
        .order_by()
        .values("person")
        .annotate(latest=Max("day"))
        .values_list("person", "latest")
    )
    rows, earlier = [], []
    for person, days in days_of.items():
        last = latest.get(person)
        for day in days:
            if last is not None and day <= last:
                if day < last:
                    earlier.append((person, day))
                continue
            rows.append({"kind": kind, "day": day, "person": person, "since": last or NEVER})
            last = day
    since = {(row["person"], row["day"]): row["since"] for row in rows}
    inserted = bulk.insert_new(Presence, rows, unique=["kind", "person", "day"])
    bulk.add_all(
        FirstSeen,
        [
            (
                {"kind": kind, "day": day, "since": since[person, day], "shard": _shard(person)},
                {"people": 1},
            )
            for _kind, person, day in inserted
        ],
    )
    for person, day in earlier:
        seen(kind, day, person)


def unseen(kind: str, day: date, person: int) -> None:
    """The count no longer sees the person on the day."""
    row = Presence.objects.filter(kind=kind, person=person, day=day).first()
    if row is None:
        return
    row.delete()
    _count(kind, day, row.since, person, -1)
    later = _next(kind, person, day)
    if later is not None:
        _count(kind, later.day, day, person, -1)
        _count(kind, later.day, row.since, person, 1)
        Presence.objects.filter(pk=later.pk).update(since=row.since)


def people(kind: str, first: date, last: date) -> int:
    """The different people the count saw from ``first`` to ``last``, both included."""
    return FirstSeen.objects.filter(
        kind=kind, day__gte=first, day__lte=last, since__lt=first
    ).aggregate(n=Sum("people", default=0))["n"]


def rebuild(kind: str, seen_on) -> None:
    """The count made again from ``seen_on``: a queryset of distinct (day, person) pairs, named
    ``d`` and ``p``. One pass: each pair's day before is read with LAG as it is inserted."""
    Presence.objects.filter(kind=kind).delete()
    FirstSeen.objects.filter(kind=kind).delete()
    pairs, params = seen_on.values_list("d", "p").query.sql_with_params()
    table = connection.ops.quote_name(Presence._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {table} (kind, day, person, since)
            SELECT %s, seen.d, seen.p,
                   COALESCE(LAG(seen.d) OVER (PARTITION BY seen.p ORDER BY seen.d), %s)
            FROM ({pairs}) AS seen""",
            [kind, NEVER, *params],
        )
    counts = (
        Presence.objects.filter(kind=kind)
        .order_by()
        .annotate(shard=Abs("person") % SHARDS)
        .values("kind", "day", "since", "shard")
        .annotate(n=Count("pk"))
    )
    bulk.insert_from(FirstSeen, ["kind", "day", "since", "shard", "people"], counts)
