"""The brand's figures per theme: posts made, distributors, visits, orders and completed sales
through its posts, for the last 30 days or all time, in one query however many themes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.content.themes import make_theme
from tests.helpers import deliver, pay
from weishang.content import posts
from weishang.content.models import Post, PostOrder, PostVisit, Theme
from weishang.distribution import binding
from weishang.distribution.models import ShareSource
from weishang.orders.models import Order
from weishang.sales import services as sales

pytestmark = pytest.mark.django_db
NOW = timezone.now()
LATER = NOW + timedelta(days=10)
PATH = "/console/content/themes/stats/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post_of(distributor, theme, *, at=NOW):
    post = posts.make_post(
        distributor=distributor, theme_id=theme.pk, planned_on=at.date(), now=NOW
    )
    Post.objects.filter(pk=post.pk).update(created_at=at)
    return post


def order_through(post, buyer, sku, *, quantity=1):
    binding.bind_customer(customer=buyer, distributor=post.distributor, source=ShareSource.POST)
    return sales.place_order(
        customer=buyer, items={sku.pk: quantity}, address=buyer.addresses.get(), post_id=post.pk
    )


def rows(console, query=""):
    return {row["title"]: row for row in console.get(PATH + query).context["rows"]}


def test_each_theme_shows_its_uses_visits_orders_and_completed_sales(
    console, make_distributor, make_customer, make_product
):
    sku = make_product(price_fen=2000)
    a, b = make_distributor(), make_distributor()
    theme = make_theme(title="甲")
    make_theme(title="乙")
    make_theme(title="草稿", status=Theme.Status.DRAFT)
    first, second = post_of(a, theme), post_of(b, theme)
    post_of(a, theme, at=NOW - timedelta(days=1))  # another day, another post
    PostVisit.objects.create(post=first, created_at=NOW)
    PostVisit.objects.create(post=second, created_at=NOW)
    completed = deliver(pay(order_through(first, make_customer(), sku, quantity=2)))
    order_through(second, make_customer(), sku)  # placed, never paid
    sales.complete_orders(now=LATER)
    assert Order.objects.get(pk=completed.pk).completed_at is not None
    Order.objects.filter(pk=completed.pk).update(refunded_fen=500)

    figures = rows(console)
    assert set(figures) == {"甲", "乙"}
    row = figures["甲"]
    assert (row["uses"], row["users"], row["visits"], row["orders"], row["completed"]) == (
        3,
        2,
        2,
        2,
        1,
    )
    assert row["completed_sales"] == "¥35.00"  # 2 × ¥20.00 paid, ¥5.00 refunded
    assert (figures["乙"]["uses"], figures["乙"]["completed_sales"]) == (0, "¥0.00")


def test_the_last_30_days_by_default_all_time_on_request(console, make_distributor):
    theme = make_theme(title="老主题")
    old = post_of(make_distributor(), theme, at=NOW - timedelta(days=40))
    PostVisit.objects.create(post=old, created_at=NOW - timedelta(days=40))
    recent = rows(console)["老主题"]
    assert (recent["uses"], recent["visits"]) == (0, 0)
    for query in ("?period=all", "?period=bogus&period=all"):
        every = rows(console, query)["老主题"]
        assert (every["uses"], every["visits"]) == (1, 1)
    assert console.get(PATH + "?period=<b>").status_code == 200
    assert "Last 30 days" in console.get(PATH).content.decode()


def test_one_query_for_the_figures_however_many_themes(
    console, make_distributor, make_customer, sku, django_assert_max_num_queries
):
    distributor = make_distributor()
    theme = make_theme(title="一")
    post = post_of(distributor, theme)
    order_through(post, make_customer(), sku)
    with django_assert_max_num_queries(8) as first:
        assert console.get(PATH).status_code == 200
    first = len(first.captured_queries)
    for n in range(5):
        order_through(post_of(distributor, make_theme(title=f"主题{n}")), make_customer(), sku)
    assert PostOrder.objects.count() == 6
    with django_assert_max_num_queries(first):
        console.get(PATH)


def test_a_theme_title_with_markup_is_shown_inert(console):
    make_theme(title="<script>alert(1)</script>")
    page = console.get(PATH).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
