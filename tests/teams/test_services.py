"""The brand's team acts each leave one audit entry naming the staff member, in their own
transaction; joining, leaving and moving are recorded as team events with who did it and why; a
refused act changes nothing."""

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from weishang.compliance.models import AuditEntry
from weishang.teams import selectors
from weishang.teams import services as teams
from weishang.teams.errors import TeamError
from weishang.teams.models import CourseAssignment, Membership, Team, TeamEvent

pytestmark = pytest.mark.django_db


def audited(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_creating_a_team_with_a_distributor_leader_is_audited(world, staff):
    [entry] = audited("team.create")
    assert (entry.actor_id, entry.actor_label) == (staff.pk, staff.username)
    assert entry.after == {
        "name": "直营一队",
        "leader_distributor": world.leader.pk,
        "leader_staff": None,
    }
    assert world.team.leader_distributor == world.leader and world.team.leader_staff is None


def test_a_staff_member_may_lead_a_team(world, staff, django_user_model):
    coach = django_user_model.objects.create_user(username="coach", is_staff=True)
    team = teams.create_team(
        actor=staff, name="客服带队", leader_username="coach", now=timezone.now()
    )
    assert team.leader_staff == coach and team.leader_distributor is None
    assert selectors.teams_led_by_staff(coach) == [team]


@pytest.mark.parametrize(
    ("leader_mobile", "leader_username", "code"),
    [
        ("", "", "one_leader"),
        ("13900000004", "operator", "one_leader"),
        ("139", "", "mobile"),
        ("13911112222", "", "no_distributor"),
        ("", "nobody", "no_staff"),
        # He leads a team already; a member of a team cannot lead one.
        ("13900000001", "", "leads_another"),
        ("13900000002", "", "is_member"),
    ],
)
def test_a_team_needs_exactly_one_leader_who_leads_nothing_else(
    world, staff, leader_mobile, leader_username, code
):
    before = (Team.objects.count(), AuditEntry.objects.count())
    with pytest.raises(TeamError) as refused:
        teams.create_team(
            actor=staff,
            name="二队",
            leader_mobile=leader_mobile,
            leader_username=leader_username,
            now=timezone.now(),
        )
    assert refused.value.code == code
    assert (Team.objects.count(), AuditEntry.objects.count()) == before


def test_the_database_refuses_a_team_with_two_leaders_or_none(world, staff):
    for leaders in ({}, {"leader_distributor": world.outsider, "leader_staff": staff}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Team.objects.create(name="无头", created_at=timezone.now(), **leaders)


def test_an_open_team_name_is_used_once(world, staff):
    with pytest.raises(TeamError, match="already exists"):
        teams.create_team(
            actor=staff, name="直营一队", leader_username="operator", now=timezone.now()
        )


def test_rename_and_leader_change_are_audited(world, staff):
    teams.rename_team(actor=staff, team_id=world.team.pk, name="直营二队")
    teams.set_leader(actor=staff, team_id=world.team.pk, leader_username="operator")
    [renamed] = audited("team.rename")
    assert (renamed.before, renamed.after) == ({"name": "直营一队"}, {"name": "直营二队"})
    [changed] = audited("team.set_leader")
    assert changed.before == {"leader_distributor": world.leader.pk, "leader_staff": None}
    assert changed.after == {"leader_distributor": None, "leader_staff": staff.pk}
    # The distributor who led it may now join a team as a member.
    teams.add_member(
        actor=staff, team_id=world.team.pk, mobile=world.leader.customer.mobile, now=timezone.now()
    )


def test_joining_is_recorded_with_who_and_why(world, staff):
    events = TeamEvent.objects.filter(team=world.team).order_by("pk")
    assert [(e.distributor, e.kind, e.actor, e.reason, e.by_member) for e in events] == [
        (member, "joined", staff, "新人", False) for member in world.members
    ]
    assert len(audited("team.add_member")) == 2


def test_adding_a_member_of_another_team_moves_him_and_records_the_move(world, staff):
    other = teams.create_team(
        actor=staff, name="二队", leader_mobile=world.outsider.customer.mobile, now=timezone.now()
    )
    moving = world.members[0]
    event = teams.add_member(
        actor=staff,
        team_id=other.pk,
        mobile=moving.customer.mobile,
        reason="就近",
        now=timezone.now(),
    )
    assert (event.kind, event.from_team, event.team) == ("moved", world.team, other)
    assert Membership.objects.get(distributor=moving).team == other
    assert Membership.objects.filter(distributor=moving).count() == 1
    assert audited("team.add_member")[-1].before == {"team": world.team.pk}


@pytest.mark.parametrize(
    ("who", "code"),
    [("member", "already_member"), ("leader", "is_leader"), ("bad", "mobile")],
)
def test_a_refused_add_changes_nothing(world, staff, who, code):
    mobile = {
        "member": world.members[0].customer.mobile,
        "leader": world.leader.customer.mobile,
        "bad": "12345",
    }[who]
    before = (TeamEvent.objects.count(), AuditEntry.objects.count(), Membership.objects.count())
    with pytest.raises(TeamError) as refused:
        teams.add_member(actor=staff, team_id=world.team.pk, mobile=mobile, now=timezone.now())
    assert refused.value.code == code
    assert (
        TeamEvent.objects.count(),
        AuditEntry.objects.count(),
        Membership.objects.count(),
    ) == before


def test_a_blacklisted_distributor_cannot_join(world, staff):
    world.outsider.status = "blacklisted"
    world.outsider.save(update_fields=["status"])
    with pytest.raises(TeamError, match="blacklisted"):
        teams.add_member(
            actor=staff,
            team_id=world.team.pk,
            mobile=world.outsider.customer.mobile,
            now=timezone.now(),
        )


def test_the_brand_removes_a_member_with_a_reason(world, staff):
    leaving = world.members[1]
    event = teams.remove_member(
        actor=staff,
        team_id=world.team.pk,
        distributor_id=leaving.pk,
        reason="长期不活跃",
        now=timezone.now(),
    )
    assert (event.kind, event.actor, event.reason, event.by_member) == (
        "left",
        staff,
        "长期不活跃",
        False,
    )
    assert not Membership.objects.filter(distributor=leaving).exists()
    [entry] = audited("team.remove_member")
    assert entry.reason == "长期不活跃" and entry.actor == staff


def test_a_member_leaves_himself_and_it_is_recorded_as_his_act(world):
    member = world.members[0]
    before = AuditEntry.objects.count()
    event = teams.leave_team(distributor=member, reason="想自己做", now=timezone.now())
    assert (event.kind, event.by_member, event.actor, event.team) == (
        "left",
        True,
        member.customer.user,
        world.team,
    )
    assert selectors.membership_of(member) is None
    assert AuditEntry.objects.count() == before  # his own act, not a staff act
    with pytest.raises(TeamError, match="not in a team"):
        teams.leave_team(distributor=member, now=timezone.now())


def test_closing_a_team_lets_every_member_go_and_keeps_its_history(world, staff):
    teams.close_team(actor=staff, team_id=world.team.pk, now=timezone.now())
    assert not Membership.objects.filter(team=world.team).exists()
    left = TeamEvent.objects.filter(team=world.team, kind="left")
    assert {event.distributor for event in left} == set(world.members)
    [entry] = audited("team.close")
    assert entry.before == {"is_open": True, "members": 2}
    with pytest.raises(TeamError, match="closed"):
        teams.add_member(
            actor=staff,
            team_id=world.team.pk,
            mobile=world.outsider.customer.mobile,
            now=timezone.now(),
        )
    # Its leader is free to lead a new team, under the same name.
    teams.create_team(
        actor=staff, name="直营一队", leader_mobile=world.leader.customer.mobile, now=timezone.now()
    )


def test_courses_are_assigned_once_and_only_published_ones(world, staff):
    with pytest.raises(TeamError, match="already has"):
        teams.assign_course(
            actor=staff, team_id=world.team.pk, course_id=world.course.pk, now=timezone.now()
        )
    with pytest.raises(TeamError, match="published"):
        teams.assign_course(
            actor=staff, team_id=world.team.pk, course_id=999_999, now=timezone.now()
        )
    teams.unassign_course(actor=staff, team_id=world.team.pk, course_id=world.course.pk)
    assert not CourseAssignment.objects.exists()
    actions = AuditEntry.objects.filter(action__startswith="team.").order_by("pk")
    assert [entry.action for entry in actions if "course" in entry.action] == [
        "team.assign_course",
        "team.unassign_course",
    ]


def test_a_distributor_leader_assigns_courses_to_his_own_team_only(world, staff):
    teams.unassign_course(actor=staff, team_id=world.team.pk, course_id=world.course.pk)
    assignment = teams.leader_assigns_course(
        leader=world.leader, course_id=world.course.pk, now=timezone.now()
    )
    assert assignment.team == world.team
    assert assignment.assigned_by == world.leader.customer.user
    assert selectors.assigned_course_ids(world.members[0]) == {world.course.pk}
    assert selectors.assigned_course_ids(world.outsider) == set()
    with pytest.raises(TeamError, match="do not lead"):
        teams.leader_assigns_course(
            leader=world.members[0], course_id=world.course.pk, now=timezone.now()
        )


def test_team_events_are_append_only(world):
    event = TeamEvent.objects.first()
    event.reason = "改写"
    with pytest.raises(ValueError, match="append-only"):
        event.save()


def test_postgresql_refuses_changing_or_deleting_a_team_event(postgres_only, world):
    from django.db import DatabaseError

    event = TeamEvent.objects.first()
    for change in (
        lambda: TeamEvent.objects.filter(pk=event.pk).update(reason="改写"),
        lambda: TeamEvent.objects.filter(pk=event.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            change()
    assert connection.vendor == "postgresql"
    assert TeamEvent.objects.get(pk=event.pk).reason == "新人"


def test_the_brand_tells_a_distributor_it_put_him_in_a_team_or_took_him_out(world, staff):
    from weishang.notifications.events import body
    from weishang.notifications.models import Message

    first, second = world.members
    assert list(Message.objects.filter(customer=first.customer).values_list("event", "params")) == [
        ("team_joined", {"team": "直营一队"})
    ]
    teams.remove_member(
        actor=staff, team_id=world.team.pk, distributor_id=first.pk, now=timezone.now()
    )
    teams.close_team(actor=staff, team_id=world.team.pk, now=timezone.now())
    told = Message.objects.filter(event="team_left").order_by("pk")
    assert [message.customer_id for message in told] == [first.customer_id, second.customer_id]
    text = body("team_left", told[0].params)
    assert "直营一队" in text and "direct commission" in text


def test_leaving_himself_tells_him_nothing(world):
    from weishang.notifications.models import Message

    member = world.members[0]
    before = Message.objects.filter(customer=member.customer).count()
    teams.leave_team(distributor=member, now=timezone.now())
    assert Message.objects.filter(customer=member.customer).count() == before
