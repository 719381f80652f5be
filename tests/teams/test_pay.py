"""Pay stays each member's own direct commission (《禁止传销条例》Art. 7(3)): a team's existence
changes no commission — a member's order pays him exactly what the same order pays a distributor
in no team, and his leader nothing — and the plan check keeps refusing team-based ranks."""

import pytest
from django.utils import timezone

from weishang.commissions import selectors as commission_selectors
from weishang.commissions.models import Commission
from weishang.commissions.rules import PlanDraft, check_plan
from weishang.teams import services as teams

from .conftest import sold

pytestmark = pytest.mark.django_db


def test_a_team_members_order_pays_only_his_own_direct_commission(
    world, staff, make_customer, make_product
):
    sku = make_product(price_fen=10_000)
    in_team = sold(world.members[0], make_customer(), sku)
    no_team = sold(world.outsider, make_customer(), sku)
    mine = Commission.objects.filter(order=in_team)
    theirs = Commission.objects.filter(order=no_team)
    assert [(c.distributor, c.level, c.amount_fen) for c in mine] == [(world.members[0], 1, 1000)]
    assert [(c.level, c.amount_fen) for c in theirs] == [(1, 1000)]
    # The leader earns nothing from his members' sales: no commission row, no balance.
    assert not Commission.objects.filter(distributor=world.leader).exists()
    assert all(value == 0 for value in commission_selectors.balances(world.leader).values())


def test_a_team_and_its_size_change_nothing_a_member_earns(
    world, staff, make_customer, make_distributor, make_product
):
    sku = make_product(price_fen=10_000)
    before = sold(world.members[1], make_customer(), sku)
    for n in range(5):
        extra = make_distributor(make_customer(f"1350000{n:04d}"))
        teams.add_member(
            actor=staff, team_id=world.team.pk, mobile=extra.customer.mobile, now=timezone.now()
        )
    after = sold(world.members[1], make_customer(), sku)
    teams.remove_member(
        actor=staff, team_id=world.team.pk, distributor_id=world.members[1].pk, now=timezone.now()
    )
    alone = sold(world.members[1], make_customer(), sku)
    amounts = [
        list(Commission.objects.filter(order=order).values_list("distributor", "amount_fen"))
        for order in (before, after, alone)
    ]
    assert amounts == [[(world.members[1].pk, 1000)]] * 3


@pytest.mark.parametrize(
    ("flag", "code"),
    [("team_size_ranks", "team_size_rank"), ("team_sales_ranks", "team_sales_rank")],
)
def test_the_plan_check_still_refuses_team_based_pay(flag, code):
    verdict = check_plan(PlanDraft(**{flag: True}))
    assert not verdict.ok and code in verdict.codes()
    [finding] = [f for f in verdict.refusals if f.code == code]
    assert "《禁止传销条例》第七条" in finding.article
