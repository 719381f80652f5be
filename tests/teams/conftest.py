"""Team fixtures: a brand with a commission plan, a published two-lesson course, a distributor
leader and two members who sold to bound customers (their orders paid and in the rollups)."""

from dataclasses import dataclass

import pytest
from django.utils import timezone

from tests.helpers import pay
from weishang.commissions.models import CommissionPlan
from weishang.content import courses
from weishang.content.models import Course
from weishang.distribution.models import Binding, Distributor, ProgrammeSettings
from weishang.sales import services as sales
from weishang.teams import services as teams
from weishang.teams.models import Team

# The buyers of the members: their names and numbers must never reach a leader's page.
BUYERS = (("王秀英", "13712345678"), ("赵敏", "13698765432"))


@dataclass
class World:
    leader: Distributor
    members: list[Distributor]
    outsider: Distributor
    team: Team
    course: Course
    orders: list


def sold(distributor, buyer, sku):
    Binding.objects.create(
        customer=buyer, distributor=distributor, source="qr", bound_at=timezone.now()
    )
    return pay(sales.place_order(customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get()))


@pytest.fixture
def world(brand, staff, make_customer, make_distributor, make_product):
    return make_world(staff, make_customer, make_distributor, make_product)


def make_world(staff, make_customer, make_distributor, make_product) -> World:
    """Made through the services; the browser journey builds the same team."""
    now = timezone.now()
    ProgrammeSettings.objects.create(withdrawal_min_fen=1)
    CommissionPlan.objects.create(version=1, default_rate_bp=1000, created_at=now)
    leader = make_distributor(make_customer("13900000001"), store_name="队长的枣铺")
    members = [
        make_distributor(make_customer("13900000002"), store_name="小王的枣铺"),
        make_distributor(make_customer("13900000003"), store_name="小李的枣铺"),
    ]
    outsider = make_distributor(make_customer("13900000004"), store_name="外人的枣铺")
    for distributor in (leader, *members, outsider):
        # Away from the buyers' address, which fraud review would hold as self-dealing.
        distributor.customer.addresses.update(detail=f"人民路{distributor.pk}号")
    course = courses.create_course(actor=None, title="新人上手", now=now)
    first = courses.add_lesson(actor=None, course=course, title="加好友", body="<p>先问候</p>")
    courses.add_lesson(actor=None, course=course, title="发圈", body="<p>少刷屏</p>")
    courses.publish_course(actor=None, course=course)
    team = teams.create_team(actor=staff, name="直营一队", leader_mobile="13900000001", now=now)
    for member in members:
        teams.add_member(
            actor=staff, team_id=team.pk, mobile=member.customer.mobile, reason="新人", now=now
        )
    teams.assign_course(actor=staff, team_id=team.pk, course_id=course.pk, now=now)
    sku = make_product(price_fen=10_000)
    orders = []
    for member, (name, mobile) in zip(members, BUYERS, strict=True):
        buyer = make_customer(mobile)
        buyer.addresses.update(recipient=name)
        orders.append(sold(member, buyer, sku))
    # The first member completed the course (both lessons); the second did one lesson.
    for lesson in courses.lessons_of(course):
        courses.complete_lesson(distributor=members[0], lesson=lesson, now=now)
    courses.complete_lesson(distributor=members[1], lesson=first, now=now)
    return World(leader, members, outsider, team, course, orders)
