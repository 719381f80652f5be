"""Who the programme reached: one row per person, distributor and day (``models.Reach``).

A person is a customer's id, or, for a visitor not signed in, minus a 56-bit hash of his device
cookie (so the two never collide). A visitor who opens a link before signing in and then buys
counts as two people that day: his device and his account."""

import hashlib
from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import F, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from weishang import bulk
from weishang.orders.models import Order

from . import presence
from .models import Reach, SharedProductDay, ShareVisit


def person_of(*, customer_id: int | None, device_id: str) -> int | None:
    if customer_id is not None:
        return customer_id
    if not device_id:
        return None
    digest = hashlib.blake2b(device_id.encode(), digest_size=7).digest()
    return -(int.from_bytes(digest, "big") + 1)


def link_opened(*, distributor_id: int, person: int, at: datetime) -> None:
    day = timezone.localdate(at)
    Reach.objects.bulk_create(
        [Reach(day=day, distributor=distributor_id, person=person, opened=True)],
        update_conflicts=True,
        unique_fields=["day", "distributor", "person"],
        update_fields=["opened"],
    )
    presence.seen(presence.REACHED, day, person)
    presence.seen(presence.VISITOR, day, person)


def buyers_reached(buyers: Iterable[tuple[int | None, int, date]]) -> None:
    """Paid orders' buyers, each ``(distributor_id or None, customer_id, day paid)``, were
    reached that day by the distributor who sold (0: the brand)."""
    reached = sorted({(seller or 0, person, day) for seller, person, day in buyers})
    Reach.objects.bulk_create(
        [Reach(day=day, distributor=seller, person=person) for seller, person, day in reached],
        ignore_conflicts=True,
    )
    presence.seen_all(presence.REACHED, [(person, day) for _s, person, day in reached])


def product_shared(*, distributor_id: int, product_id: int, at: datetime) -> None:
    bulk.insert_once(
        SharedProductDay,
        {"day": timezone.localdate(at), "distributor": distributor_id, "product": product_id},
        unique=["distributor", "day", "product"],
    )


def rebuild() -> None:
    """The reach from scratch: every recorded visit's opener, every paid order's buyer; and the
    products each distributor's opened links showed, once a day."""
    SharedProductDay.objects.all().delete()
    shared = (
        ShareVisit.objects.filter(product__isnull=False)
        .order_by()
        .annotate(d=TruncDate("created_at"))
        .values_list("d", "distributor_id", "product_id")
        .distinct()
    )
    bulk.insert_from(SharedProductDay, ["day", "distributor", "product"], shared)
    Reach.objects.all().delete()
    opened = (
        ShareVisit.objects.filter(person__isnull=False)
        .order_by()
        .annotate(d=TruncDate("created_at"), yes=Value(True))
        .values_list("d", "distributor_id", "person", "yes")
        .distinct()
    )
    bulk.insert_from(Reach, ["day", "distributor", "person", "opened"], opened)
    buyers = (
        Order.objects.filter(paid_at__isnull=False)
        .order_by()
        .annotate(d=TruncDate("paid_at"), seller=Coalesce("distributor_id", 0), no=Value(False))
        .values_list("d", "seller", "customer_id", "no")
        .distinct()
    )
    bulk.insert_from(
        Reach,
        ["day", "distributor", "person", "opened"],
        buyers,
        skip_existing=["day", "distributor", "person"],
    )
    people_seen()


def people_seen() -> None:
    """From the reach: the people reached and the visitors seen each day."""
    people = Reach.objects.order_by().annotate(d=F("day"), p=F("person")).values("d", "p")
    presence.rebuild(presence.REACHED, people.distinct())
    presence.rebuild(presence.VISITOR, people.filter(opened=True).distinct())
