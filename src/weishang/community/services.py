"""Every write of the community: the brand's stations, opinion leaders, tags and segments (staff
acts, each audited in its own transaction), and a customer joining, changing or leaving his
station (his own act, not audited)."""

from datetime import datetime

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weishang.compliance import audit
from weishang.customers.models import Customer
from weishang.customers.rules import mobile_error, normalise_mobile
from weishang.loyalty.models import MemberTier

from .errors import CommunityError
from .models import CustomerTag, OpinionLeader, Segment, Station, StationMembership, Tag
from .rules import normalise_city

STATION_FIELDS = ("name", "province", "city", "intro")
SEGMENT_FIELDS = (
    "name",
    "min_orders",
    "ordered_within_days",
    "no_order_days",
    "city",
    "station_id",
    "min_tier_id",
    "tag_id",
)
MAX_DAYS = 3650


def _station(station_id: int, *, lock: bool = False) -> Station:
    found = Station.objects.select_for_update() if lock else Station.objects
    station = found.filter(pk=station_id).first()
    if station is None:
        raise CommunityError(_("There is no such station."), code="no_station")
    return station


def _snapshot(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


# Stations ----------------------------------------------------------------------------------------


def _station_terms(*, name: str, province: str, city: str, intro: str, station_id=None) -> dict:
    terms = {
        "name": (name or "").strip(),
        "province": (province or "").strip(),
        "city": normalise_city(city),
        "intro": (intro or "").strip(),
    }
    if not (terms["name"] and terms["province"] and terms["city"]):
        raise CommunityError(_("Give the station's name, province and city."), code="missing")
    if any(len(value) > Station._meta.get_field(key).max_length for key, value in terms.items()):
        raise CommunityError(_("A station field is too long."), code="too_long")
    if Station.objects.filter(name=terms["name"]).exclude(pk=station_id).exists():
        raise CommunityError(
            _("A station named %(name)s already exists.") % {"name": terms["name"]},
            code="duplicate",
        )
    return terms


@transaction.atomic(durable=True)
def create_station(
    *, actor, name: str, province: str, city: str, intro: str = "", now: datetime
) -> Station:
    terms = _station_terms(name=name, province=province, city=city, intro=intro)
    station = Station.objects.create(created_at=now, **terms)
    audit.record(actor=actor, action="station.create", obj=station, after=terms)
    return station


@transaction.atomic(durable=True)
def edit_station(
    *, actor, station_id: int, name: str, province: str, city: str, intro: str = ""
) -> Station:
    station = _station(station_id, lock=True)
    terms = _station_terms(
        name=name, province=province, city=city, intro=intro, station_id=station.pk
    )
    before = _snapshot(station, STATION_FIELDS)
    for key, value in terms.items():
        setattr(station, key, value)
    station.save(update_fields=list(terms))
    audit.record_change(
        actor=actor, action="station.update", obj=station, before=before, after=terms
    )
    return station


@transaction.atomic(durable=True)
def close_station(*, actor, station_id: int) -> Station:
    """Nobody joins a closed station any more; its members and leaders stay on record."""
    station = _station(station_id, lock=True)
    if not station.is_open:
        raise CommunityError(_("This station is already closed."), code="closed")
    station.is_open = False
    station.save(update_fields=["is_open"])
    audit.record(
        actor=actor,
        action="station.close",
        obj=station,
        before={"is_open": True},
        after={"is_open": False},
    )
    return station


# Opinion leaders ---------------------------------------------------------------------------------


def _customer_by_mobile(mobile: str) -> Customer:
    number = normalise_mobile(mobile)
    if number is None:
        raise CommunityError(mobile_error(), code="mobile")
    customer = Customer.objects.filter(mobile=number, user__is_active=True).first()
    if customer is None:
        raise CommunityError(
            _("No customer has the mobile number %(mobile)s.") % {"mobile": number},
            code="no_customer",
        )
    return customer


@transaction.atomic(durable=True)
def appoint_leader(
    *, actor, station_id: int, mobile: str, title: str = "", now: datetime
) -> OpinionLeader:
    """Appoints the customer (a distributor is one too) with this mobile number as an opinion
    leader of an open station."""
    station = _station(station_id, lock=True)
    if not station.is_open:
        raise CommunityError(_("This station is closed."), code="closed")
    title = (title or "").strip()
    if len(title) > 40:
        raise CommunityError(_("The title is at most 40 characters."), code="too_long")
    customer = _customer_by_mobile(mobile)
    if OpinionLeader.objects.filter(station=station, customer=customer).exists():
        raise CommunityError(_("This customer already leads this station."), code="already_leader")
    leader = OpinionLeader.objects.create(
        station=station, customer=customer, title=title, appointed_at=now
    )
    audit.record(
        actor=actor,
        action="leader.appoint",
        obj=leader,
        after={"station": station.pk, "customer": customer.pk, "title": title},
    )
    return leader


@transaction.atomic(durable=True)
def remove_leader(*, actor, leader_id: int) -> None:
    leader = OpinionLeader.objects.select_for_update().filter(pk=leader_id).first()
    if leader is None:
        raise CommunityError(_("There is no such opinion leader."), code="no_leader")
    before = {"station": leader.station_id, "customer": leader.customer_id, "title": leader.title}
    audit.record(actor=actor, action="leader.remove", obj=leader, before=before, after={})
    leader.delete()


# Station membership ------------------------------------------------------------------------------


def _join(*, customer_id: int, station: Station, source: str, now: datetime):
    if not station.is_open:
        raise CommunityError(_("This station is closed; choose another."), code="closed")
    current = StationMembership.objects.select_for_update().filter(customer_id=customer_id)
    membership = current.first()
    if membership is not None and membership.station_id == station.pk:
        raise CommunityError(
            _("Already a member of %(station)s.") % {"station": station.name}, code="same"
        )
    before = membership.station_id if membership else None
    StationMembership.objects.update_or_create(
        customer_id=customer_id,
        defaults={"station": station, "source": source, "joined_at": now},
    )
    return before


@transaction.atomic(durable=True)
def join_station(*, customer: Customer, station_id: int, now: datetime) -> None:
    """The customer chooses his city station, or moves to another."""
    _join(customer_id=customer.pk, station=_station(station_id), source="chosen", now=now)


@transaction.atomic(durable=True)
def leave_station(*, customer: Customer) -> None:
    deleted, _rows = StationMembership.objects.filter(customer=customer).delete()
    if not deleted:
        raise CommunityError(_("You are not in a city station."), code="not_member")


@transaction.atomic(durable=True)
def set_customer_station(*, actor, customer_id: int, station_id: int, now: datetime) -> None:
    """The brand puts a customer in a station (e.g. one who asked by phone)."""
    if not Customer.objects.filter(pk=customer_id).exists():
        raise CommunityError(_("There is no such customer."), code="no_customer")
    station = _station(station_id)
    before = _join(customer_id=customer_id, station=station, source="brand", now=now)
    audit.record(
        actor=actor,
        action="station.set_member",
        object_type="customers.customer",
        object_id=customer_id,
        before={"station": before},
        after={"station": station.pk},
    )


# Tags --------------------------------------------------------------------------------------------


def _tag_name(name: str, *, tag_id=None) -> str:
    name = (name or "").strip()
    if not name:
        raise CommunityError(_("Give the tag a name."), code="missing")
    if len(name) > 20:
        raise CommunityError(_("A tag is at most 20 characters."), code="too_long")
    if Tag.objects.filter(name=name).exclude(pk=tag_id).exists():
        raise CommunityError(
            _("The tag %(name)s already exists.") % {"name": name}, code="duplicate"
        )
    return name


def _tag(tag_id: int) -> Tag:
    tag = Tag.objects.select_for_update().filter(pk=tag_id).first()
    if tag is None:
        raise CommunityError(_("There is no such tag."), code="no_tag")
    return tag


@transaction.atomic(durable=True)
def create_tag(*, actor, name: str, now: datetime) -> Tag:
    tag = Tag.objects.create(name=_tag_name(name), created_at=now)
    audit.record(actor=actor, action="tag.create", obj=tag, after={"name": tag.name})
    return tag


@transaction.atomic(durable=True)
def rename_tag(*, actor, tag_id: int, name: str) -> Tag:
    tag = _tag(tag_id)
    before = {"name": tag.name}
    tag.name = _tag_name(name, tag_id=tag.pk)
    tag.save(update_fields=["name"])
    audit.record_change(
        actor=actor, action="tag.rename", obj=tag, before=before, after={"name": tag.name}
    )
    return tag


@transaction.atomic(durable=True)
def delete_tag(*, actor, tag_id: int) -> None:
    """Takes the tag off every customer; refused while a segment selects by it."""
    tag = _tag(tag_id)
    in_use = list(tag.segments.values_list("name", flat=True)[:3])
    if in_use:
        raise CommunityError(
            _("The segments %(names)s select by this tag; change them first.")
            % {"names": "、".join(in_use)},
            code="in_use",
        )
    audit.record(actor=actor, action="tag.delete", obj=tag, before={"name": tag.name}, after={})
    tag.delete()


@transaction.atomic(durable=True)
def tag_customer(*, actor, customer_id: int, tag_id: int, now: datetime) -> None:
    tag = _tag(tag_id)
    if not Customer.objects.filter(pk=customer_id).exists():
        raise CommunityError(_("There is no such customer."), code="no_customer")
    if CustomerTag.objects.filter(tag=tag, customer_id=customer_id).exists():
        raise CommunityError(_("The customer already has this tag."), code="tagged")
    CustomerTag.objects.create(tag=tag, customer_id=customer_id, tagged_at=now)
    audit.record(
        actor=actor,
        action="customer.tag",
        object_type="customers.customer",
        object_id=customer_id,
        after={"tag": tag.name},
    )


@transaction.atomic(durable=True)
def untag_customer(*, actor, customer_id: int, tag_id: int) -> None:
    tag = _tag(tag_id)
    deleted, _rows = CustomerTag.objects.filter(tag=tag, customer_id=customer_id).delete()
    if not deleted:
        raise CommunityError(_("The customer does not have this tag."), code="not_tagged")
    audit.record(
        actor=actor,
        action="customer.untag",
        object_type="customers.customer",
        object_id=customer_id,
        before={"tag": tag.name},
        after={},
    )


# Segments ----------------------------------------------------------------------------------------


def _days(value, label) -> None:
    if value is not None and not 1 <= value <= MAX_DAYS:
        raise CommunityError(
            _("%(label)s: from 1 to %(max)d days.") % {"label": label, "max": MAX_DAYS},
            code="days",
        )


def _segment_terms(terms: dict, segment_id=None) -> dict:
    clean = {
        "name": (terms.get("name") or "").strip(),
        "min_orders": terms.get("min_orders"),
        "ordered_within_days": terms.get("ordered_within_days"),
        "no_order_days": terms.get("no_order_days"),
        "city": normalise_city(terms.get("city") or ""),
        "station_id": terms.get("station_id"),
        "min_tier_id": terms.get("min_tier_id"),
        "tag_id": terms.get("tag_id"),
    }
    if not clean["name"]:
        raise CommunityError(_("Give the segment a name."), code="missing")
    if len(clean["name"]) > 40 or len(clean["city"]) > 20:
        raise CommunityError(_("The name or the city is too long."), code="too_long")
    if Segment.objects.filter(name=clean["name"]).exclude(pk=segment_id).exists():
        raise CommunityError(
            _("A segment named %(name)s already exists.") % {"name": clean["name"]},
            code="duplicate",
        )
    if clean["min_orders"] is not None and clean["min_orders"] < 1:
        raise CommunityError(_("At least this many orders: 1 or more."), code="min_orders")
    _days(clean["ordered_within_days"], _("Ordered in the last (days)"))
    _days(clean["no_order_days"], _("No order in the last (days)"))
    within, quiet = clean["ordered_within_days"], clean["no_order_days"]
    if within and quiet and quiet >= within:
        raise CommunityError(
            _(
                "Nobody can have ordered in the last %(within)d days and not in the last "
                "%(quiet)d days: the segment would always be empty."
            )
            % {"within": within, "quiet": quiet},
            code="contradiction",
        )
    checks = (
        ("station_id", Station, _("There is no such station.")),
        ("min_tier_id", MemberTier, _("There is no such member tier.")),
        ("tag_id", Tag, _("There is no such tag.")),
    )
    for key, model, message in checks:
        if clean[key] is not None and not model.objects.filter(pk=clean[key]).exists():
            raise CommunityError(message, code="missing_row")
    return clean


@transaction.atomic(durable=True)
def save_segment(*, actor, terms: dict, segment_id: int | None = None, now: datetime) -> Segment:
    """Creates a segment or changes its name and conditions; the unset conditions let everyone
    through (a segment with none is every customer)."""
    if segment_id is None:
        clean = _segment_terms(terms)
        segment = Segment.objects.create(created_at=now, updated_at=now, updated_by=actor, **clean)
        audit.record(actor=actor, action="segment.create", obj=segment, after=clean)
        return segment
    segment = Segment.objects.select_for_update().filter(pk=segment_id).first()
    if segment is None:
        raise CommunityError(_("There is no such segment."), code="no_segment")
    clean = _segment_terms(terms, segment.pk)
    before = _snapshot(segment, SEGMENT_FIELDS)
    for key, value in clean.items():
        setattr(segment, key, value)
    segment.updated_at, segment.updated_by = now, actor
    segment.save()
    audit.record_change(
        actor=actor, action="segment.update", obj=segment, before=before, after=clean
    )
    return segment


@transaction.atomic(durable=True)
def delete_segment(*, actor, segment_id: int) -> None:
    """Refused while a theme (or anything else) has the segment as its audience."""
    segment = Segment.objects.select_for_update().filter(pk=segment_id).first()
    if segment is None:
        raise CommunityError(_("There is no such segment."), code="no_segment")
    name = segment.name
    try:
        with transaction.atomic():
            segment.delete()
    except ProtectedError as error:
        used_by = len(error.protected_objects)
        raise CommunityError(
            ngettext(
                "The segment %(name)s is the audience of %(n)d theme or other item; give it "
                "another audience first.",
                "The segment %(name)s is the audience of %(n)d themes or other items; give them "
                "another audience first.",
                used_by,
            )
            % {"name": name, "n": used_by},
            code="in_use",
        ) from error
    audit.record(
        actor=actor,
        action="segment.delete",
        object_type="community.segment",
        object_id=segment_id,
        before={"name": name},
        after={},
    )
