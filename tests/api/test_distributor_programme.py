"""Reseller mode and teams over the distributor API: his standing and applying, the open bands
with his prices, a price outside the band refused with the numbers (nothing changed), withdrawing
and his markup; his team, a leader's figures without personal data, courses assigned and
leaving. A distributor who is no reseller or in no team is told so with a 4xx."""

import json

import pytest
from django.utils import timezone

from tests.commissions.conftest import (  # noqa: F401  (fixtures)
    bind,
    buyer,
    make_plan,
    make_seller,
    pay,
    place,
    plan,
    programme,
    seller,
)
from tests.reseller.conftest import band, reseller  # noqa: F401  (fixtures)
from tests.teams.conftest import sold, world  # noqa: F401  (fixtures)
from tests.teams.test_pages import assert_no_personal_data
from weishang.analytics.fold import fold
from weishang.content import courses
from weishang.reseller import services as reseller_services
from weishang.reseller.models import Listing, ListingChange
from weishang.teams import services as teams
from weishang.teams.models import Membership, TeamEvent

from .conftest import new_key

pytestmark = pytest.mark.django_db


# Reseller mode -----------------------------------------------------------------------------------


@pytest.fixture
def his(reseller, as_customer):  # noqa: F811
    """The API as the approved reseller."""
    return as_customer(reseller.customer)


def test_a_distributor_who_is_no_reseller_is_told_so_and_sets_no_price(
    seller,  # noqa: F811
    sku,
    band,  # noqa: F811
    as_customer,
):
    band(sku, 3000, 6000)
    api = as_customer(seller.customer)
    standing = api.get("/distributor/reseller").json()
    assert (standing["status"], standing["status_label"]) == ("none", "not a reseller")
    assert standing["markup"] == {
        "pending_fen": 0,
        "available_fen": 0,
        "reversed_fen": 0,
        "earned_fen": 0,
    }
    offer = api.get("/distributor/reseller/offer")
    assert offer.status_code == 403
    assert offer.json()["code"] == "not_reseller"
    assert "Only a reseller the brand approved" in offer.json()["message"]
    price = api.post(
        "/distributor/reseller/prices", {"sku_id": sku.pk, "price_fen": 4000}, key=new_key()
    )
    assert (price.status_code, price.json()["code"]) == (400, "not_reseller")
    assert not Listing.objects.exists()
    zh = as_customer(seller.customer, "zh-hans").get("/distributor/reseller").json()
    assert zh["status_label"] == "未申请微供"


def test_he_applies_and_the_brand_approves(seller, staff, as_customer):  # noqa: F811
    api = as_customer(seller.customer)
    applied = api.post("/distributor/reseller/apply")
    assert applied.status_code == 200
    assert (applied.json()["status"], applied.json()["status_label"]) == (
        "applied",
        "applied to resell",
    )
    assert applied.json()["applied_at"] is not None
    assert api.post("/distributor/reseller/apply").json()["status"] == "applied"
    assert api.get("/distributor/reseller/offer").status_code == 403
    reseller_services.approve_reseller(actor=staff, distributor=seller)
    assert api.get("/distributor/reseller").json()["status"] == "approved"
    assert api.get("/distributor/reseller/offer").status_code == 200


def test_a_revoked_reseller_sees_why(reseller, staff, his):  # noqa: F811
    reseller_services.revoke_reseller(actor=staff, distributor=reseller, reason="价格违规")
    standing = his.get("/distributor/reseller").json()
    assert (standing["status"], standing["reason"]) == ("revoked", "价格违规")
    assert standing["status_label"] == "reseller standing ended"


def test_the_offer_shows_each_open_band_with_his_price_in_a_fixed_number_of_queries(
    his,
    sku,
    make_product,
    band,  # noqa: F811
    django_assert_max_num_queries,
):
    band(sku, 3000, 6000)
    closed = make_product()
    band(closed, 1000, 2000, is_open=False)
    fold()
    with django_assert_max_num_queries(8) as one:
        offer = his.get("/distributor/reseller/offer").json()
    queries = len(one)  # now: a request clears the log once the block is left
    [row] = offer["rows"]
    assert (row["sku_id"], row["supply_fen"], row["ceiling_fen"], row["listing"]) == (
        sku.pk,
        3000,
        6000,
        None,
    )
    assert offer["suspended"] == []
    for _n in range(4):
        more = make_product()
        band(more, 2000, 5000)
        his.post(
            "/distributor/reseller/prices", {"sku_id": more.pk, "price_fen": 4000}, key=new_key()
        )
    fold()
    with django_assert_max_num_queries(queries):
        offer = his.get("/distributor/reseller/offer").json()
    assert len(offer["rows"]) == 5
    listed = [row["listing"] for row in offer["rows"] if row["listing"]]
    assert [(x["price_fen"], x["status"], x["markup_fen"]) for x in listed] == [
        (4000, "active", 2000)
    ] * 4


def test_he_sets_his_price_inside_the_band_once_per_key(his, reseller, sku, band):  # noqa: F811
    band(sku, 3000, 6000)
    body, key = {"sku_id": sku.pk, "price_fen": 4500}, new_key()
    first = his.post("/distributor/reseller/prices", body, key=key)
    assert first.status_code == 200
    listing = first.json()["listing"]
    assert (listing["price_fen"], listing["status"], listing["markup_fen"]) == (
        4500,
        "active",
        1500,
    )
    assert listing["status_label"] == "on sale at your price"
    again = his.post("/distributor/reseller/prices", body, key=key)
    assert again.json() == first.json()
    assert ListingChange.objects.count() == 1
    other = his.post("/distributor/reseller/prices", {**body, "price_fen": 4600}, key=key)
    assert other.status_code == 409
    assert Listing.objects.get(distributor=reseller).price_fen == 4500
    assert his.post("/distributor/reseller/prices", body).status_code == 422  # no key


@pytest.mark.parametrize(
    ("price_fen", "code", "numbers"),
    [
        (2999, "below_supply", ("¥29.99", "¥30.00", "¥60.00")),
        (6001, "above_ceiling", ("¥60.01", "¥30.00", "¥60.00")),
    ],
)
def test_a_price_outside_the_band_is_refused_with_its_numbers_and_nothing_changes(
    his,
    reseller,  # noqa: F811
    sku,
    band,  # noqa: F811
    price_fen,
    code,
    numbers,
):
    band(sku, 3000, 6000)
    reseller_services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    refused = his.post(
        "/distributor/reseller/prices", {"sku_id": sku.pk, "price_fen": price_fen}, key=new_key()
    )
    assert refused.status_code == 400
    assert refused.json()["code"] == code
    for number in numbers:
        assert number in refused.json()["message"]
    assert Listing.objects.get(distributor=reseller).price_fen == 4000


def test_a_sku_not_offered_or_not_there_is_refused(his, sku, make_product, band):  # noqa: F811
    band(sku, 3000, 6000, is_open=False)
    closed = his.post(
        "/distributor/reseller/prices", {"sku_id": sku.pk, "price_fen": 4000}, key=new_key()
    )
    assert (closed.status_code, closed.json()["code"]) == (400, "band_closed")
    missing = his.post(
        "/distributor/reseller/prices", {"sku_id": 10**9, "price_fen": 4000}, key=new_key()
    )
    assert (missing.status_code, missing.json()["field"]) == (404, "sku_id")
    assert "Choose one of the products offered to resellers." in missing.json()["message"]
    zero = his.post(
        "/distributor/reseller/prices", {"sku_id": sku.pk, "price_fen": 0}, key=new_key()
    )
    assert (zero.status_code, zero.json()["field"]) == (422, "price_fen")
    assert not Listing.objects.exists()


def test_he_withdraws_a_listing_and_the_second_time_is_told_he_does_not_resell_it(
    his,
    reseller,  # noqa: F811
    sku,
    band,  # noqa: F811
):
    band(sku, 3000, 6000)
    reseller_services.set_price(distributor=reseller, sku=sku, price_fen=4000)
    withdrawn = his.post(f"/distributor/reseller/prices/{sku.pk}/withdraw")
    assert withdrawn.status_code == 200
    assert (withdrawn.json()["status"], withdrawn.json()["status_label"]) == (
        "withdrawn",
        "withdrawn",
    )
    [row] = his.get("/distributor/reseller/offer").json()["rows"]
    assert row["listing"] is None
    again = his.post(f"/distributor/reseller/prices/{sku.pk}/withdraw")
    assert (again.status_code, again.json()["code"]) == (400, "not_listed")


def test_his_markup_earned_shows_on_his_standing(
    plan,  # noqa: F811
    reseller,  # noqa: F811
    buyer,  # noqa: F811
    sku,
    band,  # noqa: F811
    his,
):
    band(sku, 3000, 6000)
    reseller_services.set_price(distributor=reseller, sku=sku, price_fen=5000)
    pay(place(buyer, {sku: 3}))
    markup = his.get("/distributor/reseller").json()["markup"]
    assert markup == {
        "pending_fen": 6000,
        "available_fen": 0,
        "reversed_fen": 0,
        "earned_fen": 6000,
    }


def test_a_suspended_listing_is_listed_with_the_brands_note(
    his,
    reseller,  # noqa: F811
    sku,
    band,  # noqa: F811
):
    band(sku, 3000, 6000)
    reseller_services.set_price(distributor=reseller, sku=sku, price_fen=5900)
    band(sku, 3000, 5000)
    offer = his.get("/distributor/reseller/offer").json()
    [suspended] = offer["suspended"]
    assert (suspended["sku_id"], suspended["price_fen"]) == (sku.pk, 5900)
    [row] = offer["rows"]
    assert (row["listing"]["status"], row["listing"]["markup_fen"]) == ("suspended", None)


# Teams -------------------------------------------------------------------------------------------


def test_a_member_sees_his_team_its_leader_the_pay_rule_and_his_courses(world, as_customer):  # noqa: F811
    mine = as_customer(world.members[0].customer).get("/distributor/team").json()
    assert (mine["name"], mine["role"], mine["role_label"]) == ("直营一队", "member", "member")
    assert mine["leader"] == {
        "kind": "distributor",
        "kind_label": "distributor",
        "name": "队长的枣铺",
    }
    assert "Pay stays each member's own direct commission" in mine["pay_rule"]
    assert [(c["title"], c["lesson_count"]) for c in mine["courses"]] == [("新人上手", 2)]
    assert mine["courses_to_assign"] == []
    zh = as_customer(world.members[0].customer, "zh-hans").get("/distributor/team").json()
    assert (zh["role_label"], zh["leader"]["kind_label"]) == ("成员", "分销员")
    assert "《禁止传销条例》" in zh["pay_rule"]


def test_a_distributor_in_no_team_is_told_so(world, as_customer):  # noqa: F811
    api = as_customer(world.outsider.customer)
    team = api.get("/distributor/team")
    assert (team.status_code, team.json()["code"]) == (404, "no_team")
    assert team.json()["message"].startswith("You are in no team.")
    figures = api.get("/distributor/team/figures")
    assert (figures.status_code, figures.json()["code"]) == (403, "not_leader")
    left = api.post("/distributor/team/leave", {}, key=new_key())
    assert (left.status_code, left.json()["code"]) == (400, "not_member")
    assign = api.post("/distributor/team/courses", {"course_id": world.course.pk})
    assert (assign.status_code, assign.json()["code"]) == (400, "not_leader")


def test_a_leader_sees_the_teams_figures_and_each_members_without_personal_data(
    world,  # noqa: F811
    as_customer,
):
    api = as_customer(world.leader.customer)
    mine = api.get("/distributor/team").json()
    assert (mine["role"], mine["role_label"]) == ("leader", "leader")
    response = api.get("/distributor/team/figures")
    assert response.status_code == 200
    page = response.json()
    assert page["team"] == {
        "members": 2,
        "sales_fen": 20_000,
        "orders": 2,
        "customers": 2,
        "courses_assigned": 1,
        "courses_done": 1,
        "training_bp": 5000,
    }
    rows = {row["store_name"]: row for row in page["members"]}
    assert (rows["小王的枣铺"]["sales_fen"], rows["小王的枣铺"]["orders"]) == (10_000, 1)
    assert (rows["小王的枣铺"]["courses_done"], rows["小李的枣铺"]["courses_done"]) == (1, 0)
    assert set(page["members"][0]) == {
        "distributor_id",
        "store_name",
        "active",
        "status_label",
        "joined_at",
        "sales_fen",
        "orders",
        "customers",
        "courses_done",
        "courses_assigned",
    }
    assert_no_personal_data(json.dumps(page, ensure_ascii=False), world)
    assert_no_personal_data(json.dumps(mine, ensure_ascii=False), world)


def test_a_leaders_figures_check_the_period(world, as_customer):  # noqa: F811
    api = as_customer(world.leader.customer)
    bad = api.get("/distributor/team/figures", {"period": "custom"})
    assert (bad.status_code, bad.json()["code"]) == (422, "invalid_period")
    last_month = api.get("/distributor/team/figures", {"period": "last_month"}).json()
    assert last_month["team"]["sales_fen"] == 0 and len(last_month["members"]) == 2


def test_a_leaders_figures_cost_the_same_however_many_members(
    world,  # noqa: F811
    staff,
    as_customer,
    make_customer,
    make_distributor,
    make_product,
    django_assert_max_num_queries,
):
    api = as_customer(world.leader.customer)
    fold()
    with django_assert_max_num_queries(14) as one:
        api.get("/distributor/team/figures")
    queries = len(one)
    sku = make_product()
    for n in range(5):
        extra = make_distributor(make_customer(f"1360000{n:04d}"))
        extra.customer.addresses.update(detail=f"东路{n}号")
        teams.add_member(
            actor=staff, team_id=world.team.pk, mobile=extra.customer.mobile, now=timezone.now()
        )
        sold(extra, make_customer(), sku)
    fold()
    with django_assert_max_num_queries(queries):
        page = api.get("/distributor/team/figures").json()
    assert page["team"]["members"] == 7
    fold()
    with django_assert_max_num_queries(10):
        assert api.get("/distributor/team").json()["role"] == "leader"


def test_a_leader_assigns_and_unassigns_a_course_and_a_member_cannot(
    world,  # noqa: F811
    as_customer,
):
    course = courses.create_course(actor=None, title="发圈技巧", now=timezone.now())
    courses.add_lesson(actor=None, course=course, title="少刷屏", body="<p>一天三条</p>")
    courses.publish_course(actor=None, course=course)
    api = as_customer(world.leader.customer)
    offered = api.get("/distributor/team").json()["courses_to_assign"]
    assert [c["title"] for c in offered] == ["发圈技巧"]
    assigned = api.post("/distributor/team/courses", {"course_id": course.pk})
    assert assigned.status_code == 201
    assert (assigned.json()["title"], assigned.json()["lesson_count"]) == ("发圈技巧", 1)
    again = api.post("/distributor/team/courses", {"course_id": course.pk})
    assert (again.status_code, again.json()["code"]) == (400, "already_assigned")
    member = as_customer(world.members[0].customer)
    assert [c["title"] for c in member.get("/distributor/team").json()["courses"]] == [
        "新人上手",
        "发圈技巧",
    ]
    refused = member.post("/distributor/team/courses", {"course_id": course.pk})
    assert (refused.status_code, refused.json()["code"]) == (400, "not_leader")
    assert api.delete(f"/distributor/team/courses/{course.pk}").status_code == 204
    gone = api.delete(f"/distributor/team/courses/{course.pk}")
    assert (gone.status_code, gone.json()["code"]) == (400, "not_assigned")
    unknown = api.post("/distributor/team/courses", {"course_id": 10**9})
    assert (unknown.status_code, unknown.json()["code"]) == (400, "no_course")


def test_a_member_leaves_his_team_once_per_key(world, as_customer):  # noqa: F811
    leaving = world.members[1]
    api = as_customer(leaving.customer)
    key = new_key()
    first = api.post("/distributor/team/leave", {"reason": "换个团队"}, key=key)
    assert first.status_code == 200
    assert first.json()["team"] == "直营一队"
    assert api.post("/distributor/team/leave", {"reason": "换个团队"}, key=key).json() == (
        first.json()
    )
    assert not Membership.objects.filter(distributor=leaving).exists()
    [event] = TeamEvent.objects.filter(distributor=leaving, kind="left")
    assert (event.by_member, event.reason) == (True, "换个团队")
    assert api.get("/distributor/team").status_code == 404
    assert api.post("/distributor/team/leave", {}).status_code == 422  # no key
    long = api.post("/distributor/team/leave", {"reason": "长" * 301}, key=new_key())
    assert (long.status_code, long.json()["field"]) == (422, "reason")


def test_pricing_a_sku_taken_off_sale_answers_its_row_not_an_error(
    his,
    sku,
    band,  # noqa: F811
):
    band(sku, 3000, 6000)
    type(sku).objects.filter(pk=sku.pk).update(is_active=False)
    priced = his.post(
        "/distributor/reseller/prices", {"sku_id": sku.pk, "price_fen": 3500}, key=new_key()
    )
    assert priced.status_code == 200
    assert (priced.json()["sku_id"], priced.json()["listing"]["price_fen"]) == (sku.pk, 3500)
    assert his.get("/distributor/reseller/offer").json()["rows"] == []


def test_a_member_of_a_staff_led_team_sees_the_staff_leader(world, staff, as_customer):  # noqa: F811
    led = teams.create_team(
        actor=staff, name="品牌带教队", leader_username=staff.username, now=timezone.now()
    )
    teams.add_member(
        actor=staff, team_id=led.pk, mobile=world.outsider.customer.mobile, now=timezone.now()
    )
    mine = as_customer(world.outsider.customer).get("/distributor/team").json()
    assert (mine["name"], mine["role"]) == ("品牌带教队", "member")
    assert mine["leader"] == {"kind": "staff", "kind_label": "brand staff", "name": "operator"}
    assert mine["courses"] == []


def test_a_frozen_member_reads_his_team_but_cannot_leave_it(world, as_customer):  # noqa: F811
    frozen = world.members[0]
    type(frozen).objects.filter(pk=frozen.pk).update(status="frozen", status_reason="核查中")
    api = as_customer(frozen.customer)
    assert api.get("/distributor/team").status_code == 200
    refused = api.post("/distributor/team/leave", {}, key=new_key())
    assert (refused.status_code, refused.json()["code"]) == (403, "distributor_frozen")
    assert Membership.objects.filter(distributor=frozen).exists()
