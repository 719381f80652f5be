"""A distributor's copy of his data names his team and his joining, leaving and moving; closing
his account takes him out of his team (recorded as his own act); a leader cannot close his
account while he leads an open team."""

import pytest
from django.utils import timezone

from weishang.privacy import data_rights
from weishang.teams import services as teams
from weishang.teams.models import Membership, TeamEvent

pytestmark = pytest.mark.django_db


def test_his_copy_names_his_team_and_its_history(world):
    data = data_rights.personal_data(world.members[0].customer)
    assert data["team"] == {
        "name": "直营一队",
        "leader": "队长的枣铺",
        "joined_at": Membership.objects.get(distributor=world.members[0]).joined_at,
    }
    [joined] = data["team_history"]
    assert (joined["team"], joined["kind"], joined["what"], joined["reason"]) == (
        "直营一队",
        "joined",
        "joined",
        "新人",
    )
    assert data_rights.personal_data(world.outsider.customer)["team"] is None


def test_a_leader_cannot_close_his_account_while_he_leads(world):
    [reason] = data_rights.closure_blockers(world.leader.customer)
    assert "You lead the team 直营一队" in reason


def test_closing_his_account_takes_him_out_of_his_team(world, staff):
    joining = world.outsider
    teams.add_member(
        actor=staff, team_id=world.team.pk, mobile=joining.customer.mobile, now=timezone.now()
    )
    summary = data_rights.close_account(customer=joining.customer, confirmation="CLOSE")
    assert summary["deleted"]["team_membership"] == 1
    assert not Membership.objects.filter(distributor=joining).exists()
    left = TeamEvent.objects.filter(distributor=joining, kind="left").get()
    assert (left.by_member, left.reason) == (True, "Account closed.")
