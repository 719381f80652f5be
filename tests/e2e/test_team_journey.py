"""A team in the browser (团队): the brand's operator puts a distributor in a team from the
console; the team's leader, on his phone, sees the team's aggregate figures and each member's own
(in Chinese, with the sentence that pay stays each member's own direct commission) and never a
customer's name or mobile nor a member's ID number; a member sees the course his leader assigned
marked in his training and leaves the team himself, and the leader's figures follow."""

import re

import pytest

from tests.teams.conftest import BUYERS, make_world
from tests.teams.test_pages import personal_data
from weishang.teams.models import Membership, TeamEvent

from .test_buy_ship_return import sign_in_with_code

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def team_world(settings, brand, staff, make_customer, make_distributor, make_product, live_server):
    settings.OTP_SHOW_ON_PAGE = True
    staff.set_password("pw-operator-1")
    staff.save()
    return make_world(staff, make_customer, make_distributor, make_product)


def signed_in_distributor(new_page, store, mobile):
    page = new_page(phone=True)
    page.goto(store + "/login/?next=/d/team/")
    sign_in_with_code(page, mobile)
    page.wait_for_url(re.compile(r"/d/team/"))
    return page


def figures(page) -> dict[str, str]:
    return {
        name: page.inner_text(f"[data-testid=team-{name}]")
        for name in ("members", "sales", "orders", "customers", "training")
    }


def test_a_leader_sees_his_teams_aggregates_and_no_personal_data(
    team_world, live_server, new_page, screenshot
):
    store, world = live_server.url, team_world

    # The operator adds a distributor to the team from the console.
    console = new_page(phone=False)
    console.goto(store + "/console/login/")
    console.fill("#id_username", "operator")
    console.fill("#id_password", "pw-operator-1")
    console.click("form button[type=submit]")
    console.wait_for_url(re.compile(r"/console/$"))
    console.goto(f"{store}/console/teams/{world.team.pk}/")
    console.fill("[data-testid=member-form] input[name=mobile]", world.outsider.customer.mobile)
    console.fill("[data-testid=member-form] input[name=reason]", "新人入队")
    console.click("[data-testid=member-form] button[type=submit]")
    console.wait_for_selector("text=该分销员已加入团队。")
    assert "新人入队" in console.inner_text("[data-testid=team-events]")
    screenshot(console, "console-team")

    # The leader, on his phone, reads the team's figures.
    leader = signed_in_distributor(new_page, store, world.leader.customer.mobile)
    assert figures(leader) == {
        "members": "3",
        "sales": "¥200.00",
        "orders": "2",
        "customers": "2",
        "training": "33.33%",
    }
    pay_rule = leader.inner_text("[data-testid=team-pay-rule]")
    assert "直接佣金" in pay_rule and "《禁止传销条例》第七条第（三）项" in pay_rule
    rows = leader.inner_text("[data-testid=team-member-figures]")
    assert "小王的枣铺" in rows and "小李的枣铺" in rows and "外人的枣铺" in rows
    html = leader.content()
    for secret in personal_data(world):
        assert secret not in html, f"the leader's page shows {secret!r}"
    assert not [name for name, _mobile in BUYERS if name in leader.inner_text("body")]
    screenshot(leader, "distributor-team-leader")

    # A member sees the assigned course in his training and leaves the team himself.
    member = signed_in_distributor(new_page, store, world.members[1].customer.mobile)
    assert "直营一队" in member.inner_text("[data-testid=team-name]")
    member.goto(store + "/d/courses/")
    member.wait_for_selector("[data-testid=assigned-by-team]")
    member.goto(store + "/d/team/")
    member.fill("[data-testid=leave-form] input[name=reason]", "想自己做")
    member.click("[data-testid=leave-form] button[type=submit]")
    member.wait_for_selector("[data-testid=no-team]")
    assert not Membership.objects.filter(distributor=world.members[1]).exists()
    left = TeamEvent.objects.filter(distributor=world.members[1], kind="left").get()
    assert (left.by_member, left.reason) == (True, "想自己做")

    leader.reload()
    assert figures(leader)["members"] == "2"
    assert "小李的枣铺" not in leader.inner_text("[data-testid=team-member-figures]")
