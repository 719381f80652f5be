"""A distributor is in one team at most, even when the brand's staff put him in several teams at
the same moment: the acts queue on his row, the first makes him join and each later one moves him,
and the recorded events chain from team to team (PostgreSQL, real parallel transactions)."""

import pytest
from django.utils import timezone

from tests.concurrency import run_in_parallel
from weishang.compliance.models import AuditEntry
from weishang.teams import services as teams
from weishang.teams.models import Membership, TeamEvent

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
TEAMS = 6


def test_parallel_adds_leave_him_in_exactly_one_team(
    postgres_only, brand, staff, make_customer, make_distributor
):
    wanted = make_distributor(make_customer("13900009999"))
    made = [
        teams.create_team(
            actor=staff,
            name=f"队{n}",
            leader_mobile=make_distributor(make_customer(f"1370000{n:04d}")).customer.mobile,
            now=timezone.now(),
        )
        for n in range(TEAMS)
    ]
    results = run_in_parallel(
        lambda i: teams.add_member(
            actor=staff, team_id=made[i].pk, mobile=wanted.customer.mobile, now=timezone.now()
        ),
        TEAMS,
    )
    assert not [result for result in results if isinstance(result, Exception)]
    [membership] = Membership.objects.filter(distributor=wanted)
    events = list(TeamEvent.objects.filter(distributor=wanted).order_by("pk"))
    assert [event.kind for event in events] == ["joined"] + ["moved"] * (TEAMS - 1)
    for earlier, later in zip(events, events[1:], strict=False):
        assert later.from_team_id == earlier.team_id
    assert membership.team_id == events[-1].team_id
    assert AuditEntry.objects.filter(action="team.add_member").count() == TEAMS


def test_a_team_closing_while_a_member_is_added_keeps_no_one_in_a_closed_team(
    postgres_only, brand, staff, make_customer, make_distributor
):
    team = teams.create_team(
        actor=staff, name="一队", leader_username=staff.username, now=timezone.now()
    )
    joining = [make_distributor(make_customer(f"1360000{n:04d}")) for n in range(4)]

    def act(i):
        if i == 0:
            return teams.close_team(actor=staff, team_id=team.pk, now=timezone.now())
        return teams.add_member(
            actor=staff, team_id=team.pk, mobile=joining[i].customer.mobile, now=timezone.now()
        )

    run_in_parallel(act, 4)
    assert not Membership.objects.filter(team=team).exists()
    joined = TeamEvent.objects.filter(team=team, kind="joined").count()
    assert TeamEvent.objects.filter(team=team, kind="left").count() == joined
