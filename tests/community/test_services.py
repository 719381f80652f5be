"""The community's acts: each staff act is audited with its actor, bad input is refused with a
message and changes nothing, and a customer joins, changes and leaves his station."""

import pytest
from django.utils import timezone

from weishang.community import services
from weishang.community.errors import CommunityError
from weishang.community.models import (
    CustomerTag,
    OpinionLeader,
    Segment,
    Station,
    StationMembership,
    Tag,
)
from weishang.compliance.models import AuditEntry
from weishang.content.models import Theme

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def actions() -> list[str]:
    return list(AuditEntry.objects.order_by("pk").values_list("action", flat=True))


@pytest.fixture
def station(staff):
    return services.create_station(
        actor=staff, name="郑州站", province="河南省", city="郑州市", intro="枣友会", now=NOW
    )


def refused(act, message_part: str):
    before = (AuditEntry.objects.count(), Station.objects.count(), Segment.objects.count())
    with pytest.raises(CommunityError) as caught:
        act()
    assert message_part in caught.value.message
    assert (AuditEntry.objects.count(), Station.objects.count(), Segment.objects.count()) == before


def test_a_station_is_created_edited_and_closed_each_audited(staff, station):
    assert station.city == "郑州"  # kept without 市, as delivery addresses are matched
    services.edit_station(
        actor=staff,
        station_id=station.pk,
        name="郑州站",
        province="河南省",
        city="郑州",
        intro="新",
    )
    services.close_station(actor=staff, station_id=station.pk)
    station.refresh_from_db()
    assert (station.intro, station.is_open) == ("新", False)
    assert actions() == ["station.create", "station.update", "station.close"]
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {staff.pk}


def test_bad_stations_are_refused_cleanly(staff, station):
    refused(
        lambda: services.create_station(
            actor=staff, name="郑州站", province="河南省", city="郑州", now=NOW
        ),
        "already exists",
    )
    refused(
        lambda: services.create_station(
            actor=staff, name=" ", province="河南省", city="郑州", now=NOW
        ),
        "name, province and city",
    )
    refused(lambda: services.close_station(actor=staff, station_id=999_999), "no such station")
    services.close_station(actor=staff, station_id=station.pk)
    refused(lambda: services.close_station(actor=staff, station_id=station.pk), "already closed")


def test_a_leader_is_appointed_by_mobile_and_removed(
    staff, station, make_customer, make_distributor
):
    distributor = make_distributor()
    leader = services.appoint_leader(
        actor=staff,
        station_id=station.pk,
        mobile=f"+86 {distributor.customer.mobile}",
        title="团长",
        now=NOW,
    )
    assert (leader.customer, leader.title) == (distributor.customer, "团长")
    refused(
        lambda: services.appoint_leader(
            actor=staff, station_id=station.pk, mobile=distributor.customer.mobile, now=NOW
        ),
        "already leads",
    )
    refused(
        lambda: services.appoint_leader(
            actor=staff, station_id=station.pk, mobile="13900000000", now=NOW
        ),
        "No customer has the mobile number 13900000000",
    )
    refused(
        lambda: services.appoint_leader(
            actor=staff, station_id=station.pk, mobile="１３８", now=NOW
        ),
        "11-digit",
    )
    services.remove_leader(actor=staff, leader_id=leader.pk)
    assert not OpinionLeader.objects.exists()
    assert actions() == ["station.create", "leader.appoint", "leader.remove"]


def test_tags_are_created_renamed_put_on_and_taken_off_customers(staff, customer):
    tag = services.create_tag(actor=staff, name="宝妈", now=NOW)
    services.rename_tag(actor=staff, tag_id=tag.pk, name="宝妈群")
    services.tag_customer(actor=staff, customer_id=customer.pk, tag_id=tag.pk, now=NOW)
    with pytest.raises(CommunityError, match="already has this tag"):
        services.tag_customer(actor=staff, customer_id=customer.pk, tag_id=tag.pk, now=NOW)
    services.untag_customer(actor=staff, customer_id=customer.pk, tag_id=tag.pk)
    with pytest.raises(CommunityError, match="does not have this tag"):
        services.untag_customer(actor=staff, customer_id=customer.pk, tag_id=tag.pk)
    with pytest.raises(CommunityError, match="already exists"):
        services.create_tag(actor=staff, name="宝妈群", now=NOW)
    services.tag_customer(actor=staff, customer_id=customer.pk, tag_id=tag.pk, now=NOW)
    services.delete_tag(actor=staff, tag_id=tag.pk)
    assert not Tag.objects.exists() and not CustomerTag.objects.exists()
    assert actions() == [
        "tag.create",
        "tag.rename",
        "customer.tag",
        "customer.untag",
        "customer.tag",
        "tag.delete",
    ]


def _terms(**fields):
    return {"name": "复购三次", "min_orders": 3} | fields


def test_segments_are_saved_checked_and_deleted(staff, station):
    segment = services.save_segment(actor=staff, terms=_terms(city="郑州市 "), now=NOW)
    assert (segment.city, segment.updated_by) == ("郑州", staff)
    services.save_segment(
        actor=staff, terms=_terms(no_order_days=60), segment_id=segment.pk, now=NOW
    )
    segment.refresh_from_db()
    assert segment.no_order_days == 60
    refused(
        lambda: services.save_segment(actor=staff, terms=_terms(), now=NOW),
        "already exists",
    )
    refused(
        lambda: services.save_segment(
            actor=staff,
            terms=_terms(name="矛盾", ordered_within_days=30, no_order_days=30),
            now=NOW,
        ),
        "always be empty",
    )
    refused(
        lambda: services.save_segment(actor=staff, terms=_terms(name="x", tag_id=999_999), now=NOW),
        "no such tag",
    )
    refused(
        lambda: services.save_segment(
            actor=staff, terms=_terms(name="x", no_order_days=4000), now=NOW
        ),
        "from 1 to 3650 days",
    )
    services.delete_segment(actor=staff, segment_id=segment.pk)
    assert not Segment.objects.exists()
    assert actions() == ["station.create", "segment.create", "segment.update", "segment.delete"]


def test_a_segment_in_use_is_not_deleted_and_says_why(staff):
    segment = services.save_segment(actor=staff, terms=_terms(), now=NOW)
    Theme.objects.create(title="春节", copy="年货", segment=segment, created_at=NOW)
    refused(
        lambda: services.delete_segment(actor=staff, segment_id=segment.pk),
        "is the audience of 1 theme or other item",
    )
    assert Segment.objects.filter(pk=segment.pk).exists()


def test_a_tag_a_segment_selects_by_is_not_deleted(staff):
    tag = services.create_tag(actor=staff, name="高复购", now=NOW)
    services.save_segment(actor=staff, terms=_terms(tag_id=tag.pk), now=NOW)
    with pytest.raises(CommunityError, match="复购三次"):
        services.delete_tag(actor=staff, tag_id=tag.pk)
    assert Tag.objects.filter(pk=tag.pk).exists()


def test_a_customer_joins_changes_and_leaves_his_station_unaudited(staff, station, customer):
    other = services.create_station(
        actor=staff, name="上海站", province="上海市", city="上海", now=NOW
    )
    before = AuditEntry.objects.count()
    services.join_station(customer=customer, station_id=station.pk, now=NOW)
    with pytest.raises(CommunityError, match="Already a member"):
        services.join_station(customer=customer, station_id=station.pk, now=NOW)
    services.join_station(customer=customer, station_id=other.pk, now=NOW)
    membership = StationMembership.objects.get(customer=customer)
    assert (membership.station, membership.source) == (other, "chosen")
    services.leave_station(customer=customer)
    assert not StationMembership.objects.exists()
    with pytest.raises(CommunityError, match="not in a city station"):
        services.leave_station(customer=customer)
    services.close_station(actor=staff, station_id=station.pk)
    with pytest.raises(CommunityError, match="closed"):
        services.join_station(customer=customer, station_id=station.pk, now=NOW)
    assert AuditEntry.objects.count() == before + 1  # the closing only


def test_the_brand_sets_a_customers_station_audited(staff, station, customer):
    services.set_customer_station(
        actor=staff, customer_id=customer.pk, station_id=station.pk, now=NOW
    )
    assert StationMembership.objects.get(customer=customer).source == "brand"
    entry = AuditEntry.objects.get(action="station.set_member")
    assert (entry.object_id, entry.after) == (str(customer.pk), {"station": station.pk})
