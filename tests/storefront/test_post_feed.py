"""A distributor's posts on his micro-store, and what a visit through a post's link records: a
visit of his post (never of a forged or foreign key), remembered until the visitor orders."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.content.themes import make_theme
from weishang.content import post_material, posts
from weishang.content import selectors as content
from weishang.content.models import PostVisit
from weishang.storefront.post_visits import SESSION_KEY

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def distributor(make_distributor):
    return make_distributor()


def post_for(distributor, theme, day=None):
    return posts.make_post(
        distributor=distributor,
        theme_id=theme.pk,
        planned_on=day or timezone.localdate(),
        now=timezone.now(),
    )


def link_of(post, product=None):
    return post_material.link(content.post_of(post.distributor_id, post.key), product)


def test_his_store_shows_his_posts_escaped_with_line_breaks_and_his_post_links(
    client, brand, distributor, make_product
):
    product = make_product().product
    post = post_for(distributor, make_theme(products=[product], images=2))
    posts.edit_post(distributor=distributor, key=post.key, text=f"第一行\n{XSS}")
    before = link_of(post, product)
    page = client.get(f"/s/{distributor.slug}/").content.decode()
    after = link_of(post, product)  # the link's signature counts seconds: one may have passed
    assert "第一行<br>" in page
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert page.count('class="post-images"') == 1 and "theme-1" in page
    assert any(link.replace("&", "&amp;") in page for link in (before, after))


def test_a_post_planned_for_a_later_day_is_not_shown_yet(client, brand, distributor):
    post_for(distributor, make_theme(copy="明天的话"), timezone.localdate() + timedelta(days=1))
    assert "明天的话" not in client.get(f"/s/{distributor.slug}/").content.decode()


def test_ten_posts_on_the_store_then_a_more_page(client, brand, distributor):
    for n in range(12):
        post_for(distributor, make_theme(copy=f"第{n}条", images=0))
    page = client.get(f"/s/{distributor.slug}/").content.decode()
    assert page.count('data-testid="store-post"') == 10
    assert "第11条" in page and "第1条" not in page and 'data-testid="more-posts"' in page
    more = client.get(f"/s/{distributor.slug}/posts/").content.decode()
    assert more.count('data-testid="store-post"') == 10
    older = client.get(f"/s/{distributor.slug}/posts/?page=2").content.decode()
    assert "第0条" in older and "第1条" in older


def test_store_and_feed_query_counts_do_not_grow_with_posts(
    client, brand, distributor, make_product, django_assert_max_num_queries
):
    product = make_product().product
    post_for(distributor, make_theme(products=[product], images=1))
    paths = [f"/s/{distributor.slug}/", f"/s/{distributor.slug}/posts/"]
    counts = {}
    for path in paths:
        with CaptureQueriesContext(connection) as first:
            assert client.get(path).status_code == 200
        counts[path] = len(first.captured_queries)
    for n in range(5):
        post_for(distributor, make_theme(products=[make_product().product], images=2, title=str(n)))
    for path in paths:
        with django_assert_max_num_queries(counts[path]):
            client.get(path)
    # the store's own 7, then posts, theme pictures, theme products, products, their pictures,
    # SKUs and price periods; the feed page: distributor, count, the same 7 and the brand; each
    # reads the store's reseller prices once
    assert counts == {paths[0]: 15, paths[1]: 11}


def test_a_post_page_shows_one_post_and_404s_for_another_store(
    client, brand, distributor, make_distributor
):
    post = post_for(distributor, make_theme(copy="只此一条"))
    assert "只此一条" in client.get(f"/s/{distributor.slug}/posts/{post.key}/").content.decode()
    other = make_distributor()
    assert client.get(f"/s/{other.slug}/posts/{post.key}/").status_code == 404


def test_a_closed_store_shows_no_posts(client, brand, make_distributor):
    frozen = make_distributor(status="frozen")
    assert client.get(f"/s/{frozen.slug}/posts/").status_code == 404


def test_opening_his_post_link_records_a_visit_and_remembers_the_post(
    client, brand, distributor, make_product
):
    product = make_product().product
    post = post_for(distributor, make_theme(products=[product]))
    assert client.get(link_of(post, product)).status_code == 200
    assert PostVisit.objects.get().post_id == post.pk
    assert client.session[SESSION_KEY][0] == post.pk
    client.get(link_of(post))  # his store page through the post's store link
    assert PostVisit.objects.count() == 2


def test_a_forged_or_foreign_post_key_is_ignored(client, brand, distributor, make_distributor):
    other = make_distributor()
    foreign = post_for(other, make_theme())
    mine = post_for(distributor, make_theme(title="我的"))
    his_link = link_of(mine)
    for forged in (
        his_link.replace(mine.key, foreign.key),  # another distributor's post under his token
        his_link.replace(mine.key, "nope"),
        his_link.replace(mine.key, "'; drop table x; --"),
        link_of(mine).replace("ref=", "ref=x"),  # a forged token
    ):
        assert client.get(forged).status_code == 200
    assert not PostVisit.objects.exists()
    assert SESSION_KEY not in client.session


def test_the_distributor_opening_his_own_link_counts_no_visit(client, brand, distributor):
    post = post_for(distributor, make_theme())
    client.force_login(distributor.customer.user)
    client.get(link_of(post))
    assert not PostVisit.objects.exists()


def test_a_product_page_without_post_costs_no_query_for_posts(
    client, brand, distributor, make_product
):
    product = make_product().product
    path = f"/p/{product.url_key}/"
    with CaptureQueriesContext(connection) as plain:
        client.get(path)
    assert not any("content_post" in query["sql"] for query in plain.captured_queries)
