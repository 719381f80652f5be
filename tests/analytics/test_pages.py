"""The brand console's rankings and health pages and the distributor's own figures: in Chinese,
a constant number of queries, bad input told and changing nothing, the CSV the same numbers as
the page, the next page by key, and a distributor sees only his own figures."""

import csv
import io

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from tests.helpers import pay
from weishang.analytics import health
from weishang.analytics.fold import fold
from weishang.money import format_fen
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db

RANKINGS = reverse("console:analytics_rankings")
HEALTH = reverse("console:analytics_health")
MINE = reverse("distributor:analytics")


@pytest.fixture
def chinese(client, staff, brand):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(staff)
    return client


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_the_rankings_page_names_stores_and_products_in_chinese(chinese, shop):
    page = chinese.get(RANKINGS, {"period": "this_month"}).content.decode()
    assert "排行榜" in page and "分销员排行" in page and "商品排行" in page
    assert "阿花的小店" in page and "小李优选" in page
    assert "静静的店" not in page  # sold nothing: not ranked
    commission = chinese.get(RANKINGS, {"by": "commission", "product_by": "refund_rate"})
    html = commission.content.decode()
    assert "¥4.00" in html and "¥2.50" in html  # their commission, in yuan
    assert "20%" in html  # the first product's refund rate


def test_the_rankings_page_reads_in_a_constant_number_of_queries(
    chinese, shop, django_assert_max_num_queries, make_distributor
):
    with django_assert_max_num_queries(12) as few:
        chinese.get(RANKINGS)
    for _n in range(5):
        make_distributor()
    with django_assert_max_num_queries(len(few.captured_queries)):
        chinese.get(RANKINGS)


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "first": "2026-03-01"},
        {"period": "custom", "first": "2026-03-09", "last": "2026-03-01"},
        {"period": "forever"},
        {"first": "not-a-day", "period": "custom", "last": "2026-01-01"},
        {"by": "'; drop table"},
    ],
)
def test_bad_input_is_told_and_the_default_period_is_shown(chinese, shop, query):
    response = chinese.get(RANKINGS, query)
    assert response.status_code == 200
    assert messages_of(response)
    assert "阿花的小店" in response.content.decode()
    response = chinese.get(HEALTH, query)
    assert response.status_code == 200
    # The health page has no "by"; it is left aside like any parameter the page does not read.
    assert bool(messages_of(response)) == ("by" not in query)
    assert "阿花的小店" in response.content.decode()


def test_the_health_page_sorts_and_pages_by_key(chinese, shop, make_distributor):
    for n in range(60):
        make_distributor(store_name=f"新店 {n:02d}")
    first = chinese.get(HEALTH, {"sort": "-orders"})
    rows = first.context["rows"]
    assert len(rows) == 50
    assert [r.store_name for r in rows[:2]] == ["阿花的小店", "小李优选"]
    assert "动销率" in first.content.decode() and "50%" in first.content.decode()
    idle = first.content.decode().split("新店 59")[1].split("</tr>")[0]
    assert "—" in idle and "0%" not in idle
    nxt = first.context["next_after"]
    second = chinese.get(HEALTH, {"sort": "-orders", "after": nxt})
    assert len(second.context["rows"]) == 13
    assert second.context["next_after"] == ""
    seen = [r.distributor_id for r in rows] + [r.distributor_id for r in second.context["rows"]]
    assert len(set(seen)) == 63
    assert messages_of(chinese.get(HEALTH, {"sort": "-orders", "after": "x_y"}))


def test_the_health_page_reads_in_a_constant_number_of_queries(
    chinese, shop, django_assert_max_num_queries, make_distributor
):
    with django_assert_max_num_queries(12) as few:
        chinese.get(HEALTH)
    for _n in range(5):
        make_distributor()
    with django_assert_max_num_queries(len(few.captured_queries)):
        chinese.get(HEALTH, {"sort": "repurchase"})


def test_the_health_csv_has_a_bom_and_the_pages_numbers(chinese, shop):
    response = chinese.get(HEALTH, {"sort": "-orders", "download": "csv"})
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][0] == "分销员" and "动销率" in rows[0]
    a = health.health_of(shop.today, shop.a.pk)
    assert rows[1] == [
        "阿花的小店",
        f"{a.sales_fen / 100:.2f}",
        "2",
        "1",
        "2.00",
        f"{a.aov_fen / 100:.2f}",
        "50.00%",
        "100.00%",
        "0",
    ]
    assert [r[0] for r in rows[1:]] == ["阿花的小店", "小李优选", "静静的店"]
    assert rows[3][-1] == ""  # never sold
    # Who showed no product and had no buyer has no sell-through or repurchase rate, not 0 %.
    assert rows[3][6:8] == ["", ""]


def test_a_distributor_sees_his_own_figures_only(client, shop):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    client.force_login(shop.a.customer.user)
    dashboard = client.get(reverse("distributor:home")).content.decode()
    assert MINE in dashboard
    response = client.get(MINE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "我的数据" in page and "动销率" in page
    assert "小李优选" not in page
    assert response.context["health"].distributor_id == shop.a.pk
    assert [p.product_id for p in response.context["products"]] == [shop.p1]
    # His own GMV factors: the identity gives back his sales, no one else's.
    factors = {row["key"]: row["now"] for row in response.context["rows"]}
    assert factors["gmv"] == format_fen(response.context["health"].sales_fen)
    assert "成交额拆解" in page or "我的成交额拆解" in page
    idle = client
    idle.force_login(shop.idle.customer.user)
    assert "暂无排名" in idle.get(MINE).content.decode()
    assert messages_of(idle.get(MINE, {"period": "custom", "first": "x", "last": "y"}))


def test_the_distributors_page_reads_in_a_constant_number_of_queries(
    client, shop, django_assert_max_num_queries, make_product
):
    client.force_login(shop.a.customer.user)
    with django_assert_max_num_queries(30) as few:
        client.get(MINE)
    buyer = shop.a.bindings.get().customer
    for _n in range(3):
        sku = make_product(price_fen=800, stock=10)
        pay(
            sales.place_order(
                customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get(), clear_cart=False
            )
        )
    fold()
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(MINE)
    assert len(response.context["products"]) == 4


def test_the_top_themes_are_those_whose_posts_sold_in_the_period(
    chinese, shop, settings, tmp_path, make_customer, make_product
):
    from tests.content.themes import make_theme
    from weishang.content import posts
    from weishang.distribution import binding
    from weishang.distribution.models import ShareSource

    settings.MEDIA_ROOT = tmp_path
    sku = make_product(price_fen=2_000, stock=10)
    loved, quiet = make_theme(title="冬枣上新"), make_theme(title="养生小贴士")
    post = posts.make_post(
        distributor=shop.a, theme_id=loved.pk, planned_on=shop.today.first, now=timezone.now()
    )
    buyer = make_customer()
    binding.bind_customer(customer=buyer, distributor=shop.a, source=ShareSource.POST)
    sales.place_order(
        customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get(), post_id=post.pk
    )
    response = chinese.get(RANKINGS, {"theme_by": "orders"})
    assert [t.title for t in response.context["themes"]] == ["冬枣上新"]
    assert quiet.title not in response.content.decode()
    last_month = chinese.get(RANKINGS, {"period": "last_month", "theme_by": "orders"})
    assert last_month.context["themes"] == []
