"""From the brand's theme to a completed sale: a distributor makes the theme his post with one
action and downloads its pictures; a friend scans one, signs in and buys; the order is his, counts
on the post, and the brand sees it on the theme's figures."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.console.conftest import english
from tests.helpers import deliver, pay
from tests.storefront.test_cart_and_checkout import place_form
from weishang.content import posts
from weishang.content.models import Post, PostOrder, PostVisit
from weishang.distribution import binding
from weishang.distribution.models import ShareSource
from weishang.orders.models import Order
from weishang.sales import services as sales
from weishang.storefront.post_visits import SESSION_KEY

from .themes import decoded, make_theme, poster_template

pytestmark = pytest.mark.django_db
LATER = timezone.now() + timedelta(days=10)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_purchase_through_his_post_picture_is_his_and_counts_on_the_theme(
    brand, staff, make_distributor, make_customer, make_product
):
    sku = make_product(price_fen=3990, name="若羌灰枣 一级")
    theme = make_theme(title="新年礼", products=[sku.product], images=2, template=poster_template())
    distributor = make_distributor()

    his = english(Client())
    his.force_login(distributor.customer.user)
    post_page = his.post(f"/d/library/{theme.pk}/use/")["Location"]
    post = Post.objects.get()
    assert post_page == f"/d/posts/{post.key}/"
    archive = zipfile.ZipFile(io.BytesIO(his.get(f"/d/posts/{post.key}/images.zip").content))
    links = {decoded(archive.read(name))[0] for name in archive.namelist()}
    assert len(archive.namelist()) == 3 and len({link.split("?")[0] for link in links}) == 1
    link = sorted(links)[0].removeprefix(settings.SITE_URL)
    assert link.startswith(f"/p/{sku.product.url_key}/?ref=") and f"&post={post.key}" in link

    friend = make_customer()
    visitor = english(Client())
    assert visitor.get(link).status_code == 200  # scanned, not signed in yet
    assert PostVisit.objects.filter(post=post).count() == 1
    visitor.force_login(friend.user)
    response = visitor.post("/checkout/place/", place_form(friend, [(sku, "1")], total=3990))
    assert response.status_code == 302
    order = Order.objects.get(customer=friend)
    assert order.distributor == distributor
    assert PostOrder.objects.get(order=order).post == post
    assert binding.current_binding(friend).source == ShareSource.POST

    deliver(pay(order))
    assert sales.complete_orders(now=LATER) == [order.pk]

    brand_console = english(Client())
    brand_console.force_login(staff)
    page = brand_console.get("/console/content/themes/stats/")
    (row,) = page.context["rows"]
    assert (row["title"], row["uses"], row["users"], row["orders"], row["completed"]) == (
        "新年礼",
        1,
        1,
        1,
        1,
    )
    assert row["visits"] >= 1 and row["completed_sales"] == "¥39.90"
    assert "¥39.90" in page.content.decode()


def test_an_order_counts_on_a_post_only_when_the_order_is_the_posts_distributors(
    brand, make_distributor, make_customer, sku
):
    mine, other = make_distributor(), make_distributor()
    theme = make_theme()
    his_post = posts.make_post(
        distributor=mine, theme_id=theme.pk, planned_on=timezone.localdate(), now=timezone.now()
    )
    unbound, bound_elsewhere = make_customer(), make_customer()
    binding.bind_customer(customer=bound_elsewhere, distributor=other, source=ShareSource.QR)
    for buyer in (unbound, bound_elsewhere):
        sales.place_order(
            customer=buyer, items={sku.pk: 1}, address=buyer.addresses.get(), post_id=his_post.pk
        )
    assert not PostOrder.objects.exists()


def test_an_order_without_a_remembered_post_asks_nothing_about_posts(
    client, brand, make_distributor, customer, sku
):
    distributor = make_distributor()
    binding.bind_customer(customer=customer, distributor=distributor, source=ShareSource.QR)
    client.force_login(customer.user)
    with CaptureQueriesContext(connection) as placing:
        response = client.post("/checkout/place/", place_form(customer, [(sku, "1")], total=3990))
    assert response.status_code == 302 and Order.objects.get().distributor == distributor
    assert not any("content_post" in query["sql"] for query in placing.captured_queries)


def test_a_post_remembered_longer_than_seven_days_ago_counts_nothing(
    client, brand, make_distributor, customer, sku
):
    distributor = make_distributor()
    post = posts.make_post(
        distributor=distributor,
        theme_id=make_theme().pk,
        planned_on=timezone.localdate(),
        now=timezone.now(),
    )
    binding.bind_customer(customer=customer, distributor=distributor, source=ShareSource.POST)
    client.force_login(customer.user)
    session = client.session
    session[SESSION_KEY] = [post.pk, int((timezone.now() - timedelta(days=8)).timestamp())]
    session.save()
    client.post("/checkout/place/", place_form(customer, [(sku, "1")], total=3990))
    assert Order.objects.get().distributor == distributor and not PostOrder.objects.exists()
