"""A distributor's post made from a theme in one action: its text, its links (his signed share
links with source "personal post" and the post's key) and its pictures (each with his QR code)."""

import io
import zipfile
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from weishang.content import post_material, posts
from weishang.content import selectors as content
from weishang.content.errors import ContentError
from weishang.content.models import Post, Theme
from weishang.distribution.models import ShareSource
from weishang.distribution.tokens import read_token

from .themes import decoded, make_theme, poster_template

pytestmark = pytest.mark.django_db
NOW = timezone.now()
TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def distributor(make_distributor):
    return make_distributor()


def make(distributor, theme, day=TODAY):
    return posts.make_post(distributor=distributor, theme_id=theme.pk, planned_on=day, now=NOW)


def his_post(distributor, post):
    return content.post_of(distributor.pk, post.key)


def assert_his_post_link(url, distributor, post, product=None):
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    token = read_token(query["ref"][0])
    assert (token.distributor_id, token.source) == (distributor.pk, ShareSource.POST)
    assert token.product_id == (product.pk if product else None)
    assert query["post"] == [post.key]
    expected = f"/p/{product.url_key}/" if product else f"/s/{distributor.slug}/"
    assert parts.path == expected


def test_one_action_makes_his_post_from_the_theme(distributor, make_product):
    theme = make_theme(products=[make_product().product])
    post = make(distributor, theme)
    assert post.text == theme.copy and post.about_products and post.planned_on == TODAY
    assert post.distributor == distributor and post.theme == theme
    assert len(post.key) == 16
    assert not make(distributor, make_theme(title="无商品")).about_products


def test_making_it_twice_the_same_day_returns_the_same_post(distributor):
    theme = make_theme()
    first = make(distributor, theme)
    assert make(distributor, theme) == first
    assert Post.objects.count() == 1
    assert make(distributor, theme, TODAY + timedelta(days=1)) != first


@pytest.mark.parametrize(
    "fields",
    [
        {"status": Theme.Status.WITHDRAWN},
        {"status": Theme.Status.DRAFT},
        {"valid_until": NOW - timedelta(hours=1)},
        {"valid_from": NOW + timedelta(hours=1)},
    ],
)
def test_a_withdrawn_expired_or_unpublished_theme_is_refused(distributor, fields):
    theme = make_theme(**fields)
    with pytest.raises(ContentError, match="withdrawn or has expired"):
        make(distributor, theme)
    assert not Post.objects.exists()


def test_a_frozen_distributor_cannot_make_a_post(make_distributor):
    frozen = make_distributor(status="frozen", status_reason="投诉待查")
    with pytest.raises(ContentError, match="frozen: 投诉待查"):
        make(frozen, make_theme())
    assert not Post.objects.exists()


def test_he_edits_the_text_within_2000_characters_and_deletes_the_post(distributor):
    post = make(distributor, make_theme())
    posts.edit_post(distributor=distributor, key=post.key, text="  我的话\n第二行 ")
    assert Post.objects.get().text == "我的话\n第二行"
    for bad in ("", "   ", "字" * 2001):
        with pytest.raises(ContentError):
            posts.edit_post(distributor=distributor, key=post.key, text=bad)
    assert Post.objects.get().text == "我的话\n第二行"
    posts.delete_post(distributor=distributor, key=post.key)
    assert not Post.objects.exists()


def test_he_cannot_edit_or_delete_another_distributors_post(distributor, make_distributor):
    post = make(make_distributor(), make_theme())
    with pytest.raises(ContentError):
        posts.edit_post(distributor=distributor, key=post.key, text="抢来的")
    posts.delete_post(distributor=distributor, key=post.key)
    assert Post.objects.get().text == post.text


def test_every_product_link_is_his_signed_post_link(distributor, make_product):
    a, b = make_product().product, make_product().product
    post = his_post(distributor, make(distributor, make_theme(products=[a, b])))
    links = post_material.product_links(post)
    assert [row["product"] for row in links] == [a, b]
    for row in links:
        assert_his_post_link(row["link"], distributor, post, row["product"])
    main = post_material.main_link(post)
    assert main.startswith(settings.SITE_URL)
    assert_his_post_link(main.removeprefix(settings.SITE_URL), distributor, post, a)


def test_without_products_the_link_is_his_store_with_the_post(distributor):
    post = his_post(distributor, make(distributor, make_theme()))
    assert post_material.product_links(post) == []
    link = post_material.main_link(post).removeprefix(settings.SITE_URL)
    assert_his_post_link(link, distributor, post)


def test_every_picture_carries_his_post_link_in_a_scannable_qr_code(distributor, make_product):
    product = make_product(price_fen=3990).product
    theme = make_theme(products=[product], images=2, template=poster_template())
    post = his_post(distributor, make(distributor, theme))
    pictures = post_material.pictures(post)
    assert len(pictures) == 3  # two theme pictures and the poster
    for picture in pictures:
        (url,) = decoded(post_material.png(picture))
        assert_his_post_link(url.removeprefix(settings.SITE_URL), distributor, post, product)


def test_the_zip_holds_every_picture(distributor):
    theme = make_theme(images=2, template=poster_template())
    post = his_post(distributor, make(distributor, theme))
    archive = zipfile.ZipFile(io.BytesIO(post_material.zip_file(post)))
    assert archive.namelist() == ["post-1.png", "post-2.png", "post-3.png"]
    for name in archive.namelist():
        (url,) = decoded(archive.read(name))
        assert_his_post_link(url.removeprefix(settings.SITE_URL), distributor, post)


def test_a_picture_is_drawn_anew_when_what_it_shows_changes(distributor, make_product):
    sku = make_product(price_fen=3990)
    theme = make_theme(products=[sku.product], images=1, template=poster_template())
    post = make(distributor, theme)
    before = [p.fingerprint for p in post_material.pictures(his_post(distributor, post))]
    posts.edit_post(distributor=distributor, key=post.key, text="新的文字")
    after_text = [p.fingerprint for p in post_material.pictures(his_post(distributor, post))]
    assert not set(before) & set(after_text)
    sku.list_price_fen = 2990
    sku.save()
    after_price = [p.fingerprint for p in post_material.pictures(his_post(distributor, post))]
    assert after_price[0] == after_text[0] and after_price[1] != after_text[1]
    template = theme.poster_template
    template.qr_x = 400
    template.save()
    after_template = [p.fingerprint for p in post_material.pictures(his_post(distributor, post))]
    assert after_template[1] != after_price[1]
