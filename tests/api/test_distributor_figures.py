"""The distributor's figures and daily work over the API: his own analytics with the period
checked as the page checks it, his monthly statements (and their CSV), his level, the posting
planner with its cadence warning, and the care list masked; nobody else's rows."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.analytics.conftest import shop  # noqa: F401
from tests.helpers import bought
from weishang.analytics.fold import fold
from weishang.commissions.models import CommissionPlan
from weishang.content import courses, posts
from weishang.content.models import CareTask, ContentSettings, Post
from weishang.distribution.models import Binding, Distributor
from weishang.money import format_fen

pytestmark = pytest.mark.django_db


@pytest.fixture
def mine(shop, as_customer):  # noqa: F811
    """The API as distributor A, who sold product 1."""
    return as_customer(shop.a.customer)


@pytest.fixture
def idle(shop, as_customer):  # noqa: F811
    return as_customer(shop.idle.customer)


def today():
    return timezone.localdate()


# His dashboard -----------------------------------------------------------------------------------


def test_his_dashboard_counts_his_orders_commission_and_onboarding(
    mine,
    shop,  # noqa: F811
    staff,
    django_assert_max_num_queries,
):
    course = courses.create_course(
        actor=staff, title="新人上手", is_onboarding=True, now=timezone.now()
    )
    courses.add_lesson(actor=staff, course=course, title="加好友", body="<p>要点</p>")
    courses.publish_course(actor=staff, course=course)
    fold()
    with django_assert_max_num_queries(10):
        home = mine.get("/distributor/dashboard").json()
    assert home["activity"]["orders_today"] == 2
    assert home["activity"]["visits_month"] == 3
    money = home["money"]
    assert money["pending_today_fen"] == money["pending"] + money["held"] == 400
    assert money["available"] == 0
    assert [(c["title"], c["lesson_count"], c["done"]) for c in home["onboarding"]] == [
        ("新人上手", 1, 0)
    ]


def test_an_idle_distributors_dashboard_is_his_own(idle):
    home = idle.get("/distributor/dashboard").json()
    assert home["activity"] == {
        "visits_today": 0,
        "visits_month": 0,
        "orders_today": 0,
        "orders_month": 0,
    }
    assert home["money"]["pending_month_fen"] == 0 and home["onboarding"] == []


# Analytics ---------------------------------------------------------------------------------------


def test_his_figures_are_his_own(mine, shop):  # noqa: F811
    figures = mine.get("/distributor/analytics").json()
    assert figures["period"] == {"first": f"{today():%Y-%m}-01", "last": today().isoformat()}
    assert figures["rank"] == {"place": 1, "of": 2}  # ¥40 against B's ¥25
    assert [p["product_id"] for p in figures["products"]] == [shop.p1]
    assert figures["health"]["sales_fen"] == shop.a_sales_fen
    assert figures["factors"]["gmv_fen"] == shop.a_sales_fen
    rows = {row["key"]: row for row in figures["rows"]}
    assert rows["gmv"]["now"] == format_fen(shop.a_sales_fen)
    assert "小李优选" not in str(figures)


def test_a_distributor_who_sold_nothing_has_no_rank(idle):
    figures = idle.get("/distributor/analytics", {"period": "7d"}).json()
    assert figures["rank"] is None
    assert figures["products"] == []
    assert figures["period"]["first"] == (today() - timedelta(days=6)).isoformat()


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"period": "custom", "first": "2026-03-09", "last": "2026-03-01"}, None),
        ({"period": "custom", "first": "2026-03-01"}, None),
        ({"period": "custom", "first": "2025-01-01", "last": "2026-06-01"}, None),
        ({"period": "custom", "first": "0001-01-01", "last": "0001-01-01"}, "first"),
        ({"period": "custom", "first": "2026-03-01", "last": "9999-12-31"}, "last"),
    ],
)
def test_a_bad_period_is_refused_as_the_page_refuses_it(mine, query, field):
    refused = mine.get("/distributor/analytics", query)
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_period"
    assert refused.json()["field"] == field
    assert refused.json()["message"]


def test_a_period_in_another_format_is_bad_input(mine):
    refused = mine.get("/distributor/analytics", {"period": "year"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "period"


def test_a_custom_period_is_read_in_chinese(shop, as_customer):  # noqa: F811
    chinese = as_customer(shop.a.customer, language="zh-hans")
    first = today().replace(day=1)
    figures = chinese.get(
        "/distributor/analytics",
        {"period": "custom", "first": first.isoformat(), "last": today().isoformat()},
    ).json()
    assert figures["factors"]["orders"] == 2
    assert {row["label"] for row in figures["rows"]} >= {"客单价"}
    refused = chinese.get(
        "/distributor/analytics", {"period": "custom", "first": "2026-03-09", "last": "2026-03-01"}
    )
    assert refused.json()["message"] != "The first day must come before the last."


def test_his_figures_cost_a_fixed_number_of_queries(
    mine,
    shop,  # noqa: F811
    make_product,
    django_assert_max_num_queries,
):
    fold()
    with django_assert_max_num_queries(30) as few:
        mine.get("/distributor/analytics")
    buyer = shop.a.bindings.get().customer
    for _n in range(3):
        bought(buyer, make_product(price_fen=800, stock=10))
    fold()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(mine.get("/distributor/analytics").json()["products"]) == 4


# Statements --------------------------------------------------------------------------------------


def test_he_reads_the_last_twelve_months_statements(mine, shop):  # noqa: F811
    months = mine.get("/distributor/statements").json()
    assert len(months) == 12
    assert months[0] == {"month": f"{today():%Y-%m}", "first_day": f"{today():%Y-%m}-01"}
    statement = mine.get(f"/distributor/statements/{months[0]['month']}").json()
    assert statement["store_name"] == "阿花的小店"
    assert statement["earned_fen"] > 0
    assert statement["events"] and all(isinstance(e["event"], str) for e in statement["events"])
    earlier = mine.get(f"/distributor/statements/{months[-1]['month']}").json()
    assert (earlier["earned_fen"], earlier["events"]) == (0, [])


def test_a_statement_is_his_own(idle):
    statement = idle.get(f"/distributor/statements/{today():%Y-%m}").json()
    assert statement["store_name"] == "静静的店"
    assert (statement["earned_fen"], statement["events"]) == (0, [])


@pytest.mark.parametrize("month", ["2000-01", "2999-01", "2026-13", "2026-00"])
def test_a_month_not_offered_is_not_found(mine, month):
    assert mine.get(f"/distributor/statements/{month}").status_code == 404


def test_a_month_in_another_format_is_bad_input(mine):
    refused = mine.get("/distributor/statements/2026-1x")
    assert refused.status_code == 422
    assert refused.json()["field"] == "month"


def test_the_statement_downloads_as_the_pages_csv(mine, shop):  # noqa: F811
    month = f"{today():%Y-%m}"
    download = mine.client.get(f"/api/v1/distributor/statements/{month}/csv", **mine._headers({}))
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    assert f"statement-{month}.csv" in download["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert rows[1] == ["Store", "阿花的小店"]
    pdf = mine.client.get(f"/api/v1/distributor/statements/{month}/pdf", **mine._headers({}))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


# His level ---------------------------------------------------------------------------------------


def test_his_level_is_null_without_levels_and_shown_with_them(mine, shop):  # noqa: F811
    assert mine.get("/distributor/earnings/level").json() is None
    CommissionPlan.objects.create(
        version=2,
        mode="strict",
        default_rate_bp=1_000,
        sales_levels=[
            {"name": "银牌", "threshold_fen": 1, "extra_rate_bp": 100},
            {"name": "金牌", "threshold_fen": 10_000_000, "extra_rate_bp": 200},
        ],
        created_at=timezone.now(),
    )
    level = mine.get("/distributor/earnings/level").json()
    assert level["own_sales_fen"] == 0  # nothing completed yet
    assert level["level"] is None
    assert level["next_level"] == {"name": "银牌", "threshold_fen": 1, "extra_rate_bp": 100}
    assert level["to_next_fen"] == 1


# The posting planner -----------------------------------------------------------------------------


def planned(distributor, day, about_products=False, text="今天的枣"):
    return Post.objects.create(
        distributor=distributor,
        key=posts.new_post_key(),
        text=text,
        about_products=about_products,
        planned_on=day,
        created_at=timezone.now(),
    )


def test_the_planner_shows_his_posts_and_the_days_check(
    mine,
    shop,  # noqa: F811
    django_assert_max_num_queries,
):
    planned(shop.a, today(), text="我自己写的")
    planned(shop.b, today(), text="别人的帖子")
    fold()
    with django_assert_max_num_queries(8) as few:
        plan = mine.get("/distributor/planner").json()
    assert plan["day"] == today().isoformat() and plan["plannable"] is True
    assert [(p["title"], p["excerpt"]) for p in plan["posts"]] == [("Own post", "我自己写的")]
    assert plan["problems"][0]["code"] == "too_few"
    assert plan["problems"][0]["breaks_rule"] is False
    for _n in range(5):
        planned(shop.a, today())
    fold()
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(mine.get("/distributor/planner").json()["posts"]) == 6
    past = mine.get("/distributor/planner", {"day": (today() - timedelta(days=1)).isoformat()})
    assert past.json()["plannable"] is False


def test_a_day_out_of_range_is_refused(mine):
    refused = mine.get("/distributor/planner", {"day": "0001-01-01"})
    assert refused.status_code == 422
    assert refused.json()["field"] == "day"


def test_a_move_that_breaks_the_cadence_warns_then_moves_when_confirmed(mine, shop):  # noqa: F811
    ContentSettings.objects.update_or_create(
        pk=1, defaults={"posts_min_per_day": 1, "posts_max_per_day": 1}
    )
    tomorrow = today() + timedelta(days=1)
    planned(shop.a, tomorrow)
    moving = planned(shop.a, today())
    warned = mine.put(f"/distributor/planner/posts/{moving.key}", {"day": tomorrow.isoformat()})
    assert warned.status_code == 400
    assert warned.json()["code"] == "cadence"
    moving.refresh_from_db()
    assert moving.planned_on == today()
    moved = mine.put(
        f"/distributor/planner/posts/{moving.key}", {"day": tomorrow.isoformat(), "confirm": True}
    )
    assert moved.status_code == 200
    assert moved.json()["key"] == moving.key
    moving.refresh_from_db()
    assert moving.planned_on == tomorrow


def test_he_cannot_move_anothers_post(mine, shop):  # noqa: F811
    theirs = planned(shop.b, today())
    refused = mine.put(f"/distributor/planner/posts/{theirs.key}", {"day": today().isoformat()})
    assert refused.status_code == 400
    theirs.refresh_from_db()
    assert theirs.planned_on == today()
    bad = mine.put(f"/distributor/planner/posts/{theirs.key}", {"day": "not a day"})
    assert bad.status_code == 422


def test_a_frozen_distributor_reads_the_planner_but_cannot_move(mine, shop):  # noqa: F811
    post = planned(shop.a, today())
    Distributor.objects.filter(pk=shop.a.pk).update(status="frozen", status_reason="核查中")
    assert mine.get("/distributor/planner").status_code == 200
    refused = mine.put(f"/distributor/planner/posts/{post.key}", {"day": today().isoformat()})
    assert refused.status_code == 403


# The care list -----------------------------------------------------------------------------------


@pytest.fixture
def greeted(shop, make_customer):  # noqa: F811
    """Three of A's customers, bound long ago and named 王小明."""
    made = []
    for n in range(3):
        customer = make_customer(f"1391234{n:04d}")
        customer.nickname = "王小明"
        customer.save()
        Binding.objects.create(
            customer=customer,
            distributor=shop.a,
            source="qr",
            bound_at=timezone.now() - timedelta(days=100),
        )
        made.append(customer)
    return made


def test_the_care_list_is_masked_and_marked_done(mine, greeted, django_assert_max_num_queries):
    fold()
    with django_assert_max_num_queries(20):
        rows = mine.get("/distributor/care").json()
    assert len(rows) >= 3
    assert all(person.mobile not in str(rows) for person in greeted)
    assert "王小明" not in str(rows)
    assert {"王*"} <= {row["name"] for row in rows}
    assert all(row["reason_label"] and not row["done"] for row in rows)
    done = mine.post(f"/distributor/care/{rows[0]['id']}/done")
    assert done.status_code == 204
    assert CareTask.objects.get(pk=rows[0]["id"]).done_at is not None
    assert mine.get("/distributor/care").json()[0]["done"] is True
    fold()
    with django_assert_max_num_queries(8):
        mine.get("/distributor/care")


def test_he_cannot_mark_anothers_task(mine, idle, greeted):
    [task, *_rest] = mine.get("/distributor/care").json()
    refused = idle.post(f"/distributor/care/{task['id']}/done")
    assert refused.status_code == 400
    assert CareTask.objects.get(pk=task["id"]).done_at is None
    assert idle.post("/distributor/care/0/done").status_code == 422
