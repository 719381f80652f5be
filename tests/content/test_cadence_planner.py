"""The posting planner's services: his own posts planned, moved and deleted, warned (nothing
saved) before a post would break the brand's cadence, saved anyway when he confirms; the
brand's list of who broke the rule, in one query."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from weishang.content import cadence, planner, posts
from weishang.content.errors import ContentError
from weishang.content.models import ContentSettings, Post

pytestmark = pytest.mark.django_db
TODAY = date(2026, 12, 2)
NOW = timezone.now()
DEFAULT = cadence.CadenceRule(5, 8, 5000)


def post(distributor, day, about_products=False, **fields):
    return Post.objects.create(
        distributor=distributor,
        key=posts.new_post_key(),
        text="今天的枣",
        about_products=about_products,
        planned_on=day,
        created_at=NOW,
        **fields,
    )


def plan(distributor, day=TODAY, about_products=False, confirm=False, text="早安"):
    return planner.plan_own_post(
        distributor=distributor,
        text=text,
        about_products=about_products,
        day=day,
        now=NOW,
        today=TODAY,
        confirm=confirm,
    )


def test_his_own_post_is_planned_with_a_16_character_key(make_distributor):
    distributor = make_distributor()
    saved = plan(distributor, text="  早安，新疆的太阳  ")
    assert saved.text == "早安，新疆的太阳" and saved.theme is None
    assert len(saved.key) == 16 and saved.planned_on == TODAY


def test_the_ninth_post_is_warned_and_not_saved_until_confirmed(make_distributor):
    distributor = make_distributor()
    for _n in range(8):
        post(distributor, TODAY)
    with pytest.raises(planner.CadenceWarning) as warning:
        plan(distributor)
    assert [problem.code for problem in warning.value.problems] == [cadence.TOO_MANY]
    assert "9 posts planned for the day" in warning.value.problems[0].message
    assert Post.objects.filter(distributor=distributor).count() == 8
    plan(distributor, confirm=True)
    assert Post.objects.filter(distributor=distributor).count() == 9


def test_the_brand_settings_are_the_rule(make_distributor):
    ContentSettings.objects.create(pk=1, posts_min_per_day=1, posts_max_per_day=2)
    distributor = make_distributor()
    post(distributor, TODAY)
    post(distributor, TODAY)
    with pytest.raises(planner.CadenceWarning):
        plan(distributor)


def test_a_product_post_breaking_the_share_is_warned(make_distributor):
    distributor = make_distributor()
    post(distributor, TODAY, about_products=True)
    post(distributor, TODAY, about_products=True)
    post(distributor, TODAY)
    with pytest.raises(planner.CadenceWarning) as warning:
        plan(distributor, about_products=True)
    assert [problem.code for problem in warning.value.problems] == [cadence.TOO_MANY_ABOUT_PRODUCTS]
    assert plan(distributor, about_products=False).planned_on == TODAY


def test_moving_into_a_full_day_is_warned_then_confirmed(make_distributor):
    distributor = make_distributor()
    tomorrow = TODAY + timedelta(days=1)
    for _n in range(8):
        post(distributor, tomorrow)
    moving = post(distributor, TODAY)
    with pytest.raises(planner.CadenceWarning):
        planner.move_post(distributor=distributor, key=moving.key, day=tomorrow, today=TODAY)
    moving.refresh_from_db()
    assert moving.planned_on == TODAY
    planner.move_post(
        distributor=distributor, key=moving.key, day=tomorrow, today=TODAY, confirm=True
    )
    moving.refresh_from_db()
    assert moving.planned_on == tomorrow


@pytest.mark.parametrize(
    "text,day,message",
    [
        ("", TODAY, "Write the post's text."),
        ("x" * 2001, TODAY, "at most 2000 characters"),
        ("早安", TODAY - timedelta(days=1), "from today up to 90 days ahead"),
        ("早安", TODAY + timedelta(days=91), "from today up to 90 days ahead"),
    ],
)
def test_bad_posts_are_refused_and_nothing_saved(make_distributor, text, day, message):
    distributor = make_distributor()
    with pytest.raises(ContentError, match=message):
        plan(distributor, day=day, text=text)
    assert not Post.objects.exists()


def test_only_his_posts_can_be_moved_or_deleted(make_distributor):
    mine, other = make_distributor(), make_distributor()
    theirs = post(other, TODAY)
    with pytest.raises(ContentError, match="not in your plan"):
        planner.move_post(distributor=mine, key=theirs.key, day=TODAY, today=TODAY)
    with pytest.raises(ContentError, match="not in your plan"):
        planner.delete_post(distributor=mine, key=theirs.key)
    assert Post.objects.filter(pk=theirs.pk, planned_on=TODAY).exists()


def test_a_past_post_stays_and_a_deleted_one_goes(make_distributor):
    distributor = make_distributor()
    old = post(distributor, TODAY - timedelta(days=2))
    with pytest.raises(ContentError, match="earlier day"):
        planner.move_post(distributor=distributor, key=old.key, day=TODAY, today=TODAY)
    planner.delete_post(distributor=distributor, key=old.key)
    assert not Post.objects.exists()


def test_the_brand_sees_who_broke_the_rule(make_distributor, django_assert_num_queries):
    heavy, salesy, polite = make_distributor(), make_distributor(), make_distributor()
    for _n in range(10):
        post(heavy, TODAY - timedelta(days=1))
    for _n in range(9):
        post(heavy, TODAY - timedelta(days=3))
    for n in range(4):
        post(salesy, TODAY, about_products=n < 3)  # 3 of a day counted as 5: over half
    for n in range(6):
        post(polite, TODAY, about_products=n < 3)
    post(heavy, TODAY - timedelta(days=20))
    for _n in range(12):
        post(polite, TODAY - timedelta(days=10))
    with django_assert_num_queries(1):
        rows = planner.cadence_breakers(rule=DEFAULT, since=TODAY - timedelta(days=6), until=TODAY)
    assert [
        (row.store_name, row.days_over_max, row.days_over_share, row.most_in_a_day, row.last_day)
        for row in rows
    ] == [
        (heavy.store_name, 2, 0, 10, TODAY - timedelta(days=1)),
        (salesy.store_name, 0, 1, 4, TODAY),
    ]
    by_share = planner.cadence_breakers(
        rule=DEFAULT, since=TODAY - timedelta(days=6), until=TODAY, sort="days_over_share"
    )
    assert [row.distributor_id for row in by_share] == [salesy.pk, heavy.pk]
    month = planner.cadence_breakers(rule=DEFAULT, since=TODAY - timedelta(days=29), until=TODAY)
    assert {row.distributor_id for row in month} == {heavy.pk, salesy.pk, polite.pk}


def test_the_breakers_query_stays_one_as_distributors_grow(
    make_distributor, django_assert_num_queries
):
    for _n in range(6):
        distributor = make_distributor()
        for _m in range(9):
            post(distributor, TODAY)
    with django_assert_num_queries(1):
        rows = planner.cadence_breakers(rule=DEFAULT, since=TODAY, until=TODAY, sort="last_day")
    assert len(rows) == 6
