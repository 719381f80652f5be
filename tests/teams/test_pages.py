"""The team pages: the brand's list and team page, a staff leader's "My team" and a distributor's
/d/team/. A leader sees the team's aggregate figures and each member's own, never a customer's
name or mobile (whole or masked) nor a member's real name or ID number (PIPL Art. 6); the page
says pay is each member's own direct commission; the pages' queries do not grow with the team."""

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from tests.console.conftest import english
from weishang.analytics.fold import fold
from weishang.teams import services as teams
from weishang.teams.models import Membership, TeamEvent

from .conftest import BUYERS, sold

pytestmark = pytest.mark.django_db
PAY_RULE = "Pay stays each member's own direct commission"
ART_7_3 = "《禁止传销条例》Art. 7(3)"


def personal_data(world) -> list[str]:
    """What a leader must never see: the buyers' names and mobiles, whole or masked, and the
    members' real names, ID numbers (whole or masked) and mobiles."""
    secrets = []
    for name, mobile in BUYERS:
        secrets += [name, f"{name[0]}*", mobile, f"{mobile[:3]}****{mobile[-4:]}"]
    for member in world.members:
        secrets += [
            member.real_name,
            member.id_number,
            member.id_number_masked,
            member.customer.mobile,
        ]
    secrets += ["人民路", "世纪大道"]  # addresses
    return secrets


def assert_no_personal_data(html: str, world) -> None:
    for secret in personal_data(world):
        assert secret not in html, f"the page shows {secret!r}"


def signed_in_distributor(client, distributor):
    english(client).force_login(distributor.customer.user)
    return client


def test_a_distributor_leader_sees_the_aggregates_and_each_members_figures(client, world):
    page = signed_in_distributor(client, world.leader).get("/d/team/")
    assert page.status_code == 200
    html = page.content.decode()
    figures = page.context["figures"]
    assert (figures.members, figures.sales_fen, figures.orders, figures.customers) == (
        2,
        20_000,
        2,
        2,
    )
    # One member completed the one assigned course, the other did half of it: 1 of 2.
    assert (figures.courses_assigned, figures.courses_done, figures.training_bp) == (1, 1, 5000)
    rows = {row.store_name: row for row in page.context["members"]}
    assert (rows["小王的枣铺"].sales_fen, rows["小王的枣铺"].orders) == (10_000, 1)
    assert (rows["小王的枣铺"].courses_done, rows["小李的枣铺"].courses_done) == (1, 0)
    assert "¥200.00" in html and ">50%<" in html
    assert "小王的枣铺" in html and "小李的枣铺" in html
    assert PAY_RULE in html and ART_7_3 in html
    assert_no_personal_data(html, world)


def test_the_leaders_page_never_carries_personal_data_in_chinese_either(client, world):
    client.force_login(world.leader.customer.user)
    html = client.get("/d/team/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "团队" in html
    assert_no_personal_data(html, world)


def test_a_leaders_page_costs_the_same_however_many_members(
    client,
    world,
    staff,
    make_customer,
    make_distributor,
    make_product,
    django_assert_max_num_queries,
):
    signed_in_distributor(client, world.leader)
    fold()
    with django_assert_max_num_queries(22):
        client.get("/d/team/")
    sku = make_product()
    for n in range(6):
        extra = make_distributor(make_customer(f"1360000{n:04d}"))
        extra.customer.addresses.update(detail=f"东路{n}号")
        teams.add_member(
            actor=staff, team_id=world.team.pk, mobile=extra.customer.mobile, now=timezone.now()
        )
        sold(extra, make_customer(), sku)
    fold()
    with django_assert_max_num_queries(22):
        page = client.get("/d/team/")
    assert page.context["figures"].members == 8


def test_a_member_sees_his_team_and_his_assigned_course_and_may_leave(client, world):
    member = world.members[1]
    signed_in_distributor(client, member)
    page = client.get("/d/team/")
    html = page.content.decode()
    assert "You are in the team 直营一队" in html and "队长的枣铺" in html
    assert "新人上手" in html and PAY_RULE in html
    courses = client.get("/d/courses/").content.decode()
    assert 'data-testid="assigned-by-team"' in courses
    left = client.post("/d/team/", {"action": "leave", "reason": "想自己做"}, follow=True)
    assert "You have left your team." in left.content.decode()
    assert not Membership.objects.filter(distributor=member).exists()
    event = TeamEvent.objects.filter(distributor=member).order_by("pk").last()
    assert (event.kind, event.by_member, event.reason) == ("left", True, "想自己做")
    assert 'data-testid="assigned-by-team"' not in client.get("/d/courses/").content.decode()
    assert "You are in no team" in client.get("/d/team/").content.decode()


def test_a_frozen_member_cannot_leave(client, world):
    member = world.members[0]
    member.status = "frozen"
    member.status_reason = "核查中"
    member.save(update_fields=["status", "status_reason"])
    signed_in_distributor(client, member)
    client.post("/d/team/", {"action": "leave"})
    assert Membership.objects.filter(distributor=member).exists()


def test_a_distributor_leader_assigns_and_unassigns_a_course(client, world):
    signed_in_distributor(client, world.leader)
    client.post("/d/team/", {"action": "unassign", "course": world.course.pk})
    assert not world.team.assignments.exists()
    client.post("/d/team/", {"action": "assign", "course": world.course.pk})
    assert world.team.assignments.get().assigned_by == world.leader.customer.user
    again = client.post("/d/team/", {"action": "assign", "course": "x"}, follow=True)
    assert "published courses." in again.content.decode()


def test_a_member_cannot_assign_courses(client, world):
    signed_in_distributor(client, world.members[0])
    page = client.post("/d/team/", {"action": "assign", "course": world.course.pk}, follow=True)
    assert "You do not lead a team." in page.content.decode()


def test_a_distributor_in_no_team_is_told_so(client, world):
    page = signed_in_distributor(client, world.outsider).get("/d/team/")
    assert "You are in no team" in page.content.decode()
    assert "小王的枣铺" not in page.content.decode()


def test_the_brands_team_page_shows_the_figures_and_history_without_personal_data(
    client, world, staff
):
    english(client).force_login(staff)
    html = client.get(f"/console/teams/{world.team.pk}/").content.decode()
    assert "直营一队" in html and "队长的枣铺" in html and "¥200.00" in html
    assert PAY_RULE in html
    assert html.count('data-testid="team-event"') == 2 and "新人" in html
    assert_no_personal_data(html, world)


def test_the_brand_acts_from_the_team_page(client, world, staff):
    english(client).force_login(staff)
    url = f"/console/teams/{world.team.pk}/"
    client.post(f"{url}members/remove/", {"distributor": world.members[0].pk, "reason": "调岗"})
    assert Membership.objects.filter(team=world.team).count() == 1
    client.post(f"{url}members/add/", {"mobile": world.outsider.customer.mobile, "reason": ""})
    assert Membership.objects.filter(team=world.team).count() == 2
    bad = client.post(f"{url}members/add/", {"mobile": "123"}, follow=True)
    assert "11-digit" in bad.content.decode()
    client.post(url, {"name": "直营二队"})
    world.team.refresh_from_db()
    assert world.team.name == "直营二队"
    client.post(f"{url}close/")
    world.team.refresh_from_db()
    assert not world.team.is_open


def test_the_team_list_and_creating_a_team(client, world, staff, django_assert_max_num_queries):
    english(client).force_login(staff)
    fold()
    with django_assert_max_num_queries(12):
        page = client.get("/console/teams/")
    assert "直营一队" in page.content.decode()
    client.post("/console/teams/", {"name": "客服队", "leader_username": "operator"})
    assert "客服队" in client.get("/console/teams/").content.decode()
    fold()
    with django_assert_max_num_queries(12):
        client.get("/console/teams/")


def test_the_brands_team_page_query_count_is_bounded(
    client, world, staff, django_assert_max_num_queries
):
    english(client).force_login(staff)
    fold()
    with django_assert_max_num_queries(25):
        client.get(f"/console/teams/{world.team.pk}/")


def test_a_staff_leader_reads_his_team_on_my_team(client, world, staff, django_user_model):
    coach = django_user_model.objects.create_user(username="coach", is_staff=True)
    coach.groups.add(Group.objects.get_or_create(name="customer_service")[0])
    teams.set_leader(actor=staff, team_id=world.team.pk, leader_username="coach")
    english(client).force_login(coach)
    html = client.get("/console/teams/mine/").content.decode()
    assert "直营一队" in html and "小王的枣铺" in html and PAY_RULE in html
    assert_no_personal_data(html, world)
    # Customer service may not open the brand's team pages, only his own.
    assert client.get(f"/console/teams/{world.team.pk}/").status_code == 403
    client.force_login(staff)
    assert "You lead no team" in client.get("/console/teams/mine/").content.decode()


def test_my_team_and_the_team_list_cost_the_same_however_many_teams_and_members(
    client, world, staff, make_customer, make_distributor, django_assert_max_num_queries
):
    teams.set_leader(actor=staff, team_id=world.team.pk, leader_username=staff.username)
    english(client).force_login(staff)
    fold()
    with django_assert_max_num_queries(30) as mine:
        client.get("/console/teams/mine/")
    fold()
    with django_assert_max_num_queries(12) as listed:
        client.get("/console/teams/")
    for n in range(4):
        leader = make_distributor(make_customer(f"1340000{n:04d}"))
        team = teams.create_team(
            actor=staff, name=f"队{n}", leader_mobile=leader.customer.mobile, now=timezone.now()
        )
        joining = make_distributor(make_customer(f"1330000{n:04d}"))
        teams.add_member(
            actor=staff, team_id=world.team.pk, mobile=joining.customer.mobile, now=timezone.now()
        )
        assert team.is_open
    fold()
    with django_assert_max_num_queries(len(mine.captured_queries)):
        page = client.get("/console/teams/mine/")
    assert page.context["teams"][0]["figures"].members == 6
    fold()
    with django_assert_max_num_queries(len(listed.captured_queries)):
        page = client.get("/console/teams/")
    assert page.content.decode().count('data-testid="team"') == 5


def test_a_staff_leader_assigns_courses_to_his_own_team_only(
    client, world, staff, django_user_model
):
    coach = django_user_model.objects.create_user(username="coach", is_staff=True)
    coach.groups.add(Group.objects.get_or_create(name="customer_service")[0])
    teams.set_leader(actor=staff, team_id=world.team.pk, leader_username="coach")
    english(client).force_login(coach)
    url = "/console/teams/mine/courses/"
    client.post(url, {"team": world.team.pk, "course": world.course.pk, "action": "unassign"})
    assert not world.team.assignments.exists()
    page = client.get("/console/teams/mine/").content.decode()
    assert 'data-testid="assign-course-form"' in page
    client.post(url, {"team": world.team.pk, "course": world.course.pk, "action": "assign"})
    assert world.team.assignments.get().assigned_by == coach
    other = teams.create_team(
        actor=staff, name="二队", leader_mobile=world.outsider.customer.mobile, now=timezone.now()
    )
    refused = client.post(
        url, {"team": other.pk, "course": world.course.pk, "action": "assign"}, follow=True
    )
    assert "You do not lead this team." in refused.content.decode()
    assert not other.assignments.exists()
