"""The distributor console's material library and posts: one action makes a theme his post; he
edits and deletes it, copies its text and downloads its pictures; nobody else's posts are his."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.content.themes import decoded, make_theme, poster_template
from weishang.community.models import Segment
from weishang.content.models import Post, Theme, ThemeMedia

from .conftest import english, messages_of

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def distributor(make_distributor):
    return make_distributor()


@pytest.fixture
def his(client, brand, distributor):
    english(client)
    client.force_login(distributor.customer.user)
    return client


def use(client, theme):
    return client.post(f"/d/library/{theme.pk}/use/")


def test_the_library_shows_published_valid_themes_with_what_they_hold(his, make_product):
    segment = Segment.objects.create(
        name="宝妈群", created_at=timezone.now(), updated_at=timezone.now()
    )
    theme = make_theme(
        title="新年礼", products=[make_product(name="灰枣一级").product], segment=segment
    )
    ThemeMedia.objects.create(
        theme=theme,
        kind="voice",
        file="content/media/v.mp3",
        content_type="audio/mpeg",
        size=10,
        uploaded_at=timezone.now(),
    )
    make_theme(title="已撤下", status=Theme.Status.WITHDRAWN)
    make_theme(title="已过期", valid_until=timezone.now() - timedelta(days=1))
    page = his.get("/d/library/").content.decode()
    assert page.count('data-testid="theme"') == 1
    assert "新年礼" in page and "灰枣一级" in page and "宝妈群" in page and "voice" in page
    assert "theme-0" in page and "新年送红枣" in page and "Use this theme" in page
    assert "已撤下" not in page and "已过期" not in page


def test_library_and_posts_query_counts_do_not_grow(
    his, distributor, make_product, django_assert_max_num_queries
):
    use(his, make_theme(products=[make_product().product]))
    with django_assert_max_num_queries(14) as library:
        assert his.get("/d/library/").status_code == 200
    library = len(library.captured_queries)  # the next request clears the query log
    with django_assert_max_num_queries(13) as mine:
        assert his.get("/d/posts/").status_code == 200
    mine = len(mine.captured_queries)
    for n in range(4):
        theme = make_theme(products=[make_product().product], images=2, title=f"主题{n}")
        use(his, theme)
    with django_assert_max_num_queries(library):
        his.get("/d/library/")
    with django_assert_max_num_queries(mine):
        his.get("/d/posts/")


def test_one_action_makes_his_post_and_a_second_tap_the_same_day_changes_nothing(his, distributor):
    theme = make_theme()
    response = use(his, theme)
    post = Post.objects.get()
    assert response["Location"] == f"/d/posts/{post.key}/"
    assert use(his, theme)["Location"] == f"/d/posts/{post.key}/"
    assert Post.objects.count() == 1
    page = his.get("/d/posts/").content.decode()
    assert 'data-testid="my-post"' in page and "红枣新年礼" in page


def test_a_withdrawn_theme_is_refused_with_a_message(his):
    theme = make_theme(status=Theme.Status.WITHDRAWN)
    response = use(his, theme)
    assert response["Location"] == "/d/library/"
    page = his.get("/d/library/")
    assert any("withdrawn or has expired" in m for m in messages_of(page))
    assert not Post.objects.exists()
    assert his.post(f"/d/library/{10**20}/use/").status_code == 404


def test_a_frozen_distributor_reads_but_cannot_make_a_post(client, brand, make_distributor):
    frozen = make_distributor(status="frozen", status_reason="投诉待查")
    english(client).force_login(frozen.customer.user)
    theme = make_theme()
    assert "disabled" in client.get("/d/library/").content.decode()
    response = use(client, theme)
    assert response.status_code == 302 and not Post.objects.exists()


def test_his_post_page_gives_the_text_to_copy_every_picture_and_all_of_them(
    his, distributor, make_product
):
    product = make_product().product
    use(his, make_theme(products=[product], images=2, template=poster_template()))
    post = Post.objects.get()
    page = his.get(f"/d/posts/{post.key}/").content.decode()
    assert 'id="post-copy-text" readonly' in page and 'class="copy-text"' in page
    assert "/static/console/post-copy.js" in page and "<script>" not in page
    for number in (1, 2, 3):
        assert f"/d/posts/{post.key}/images/{number}.png" in page
        response = his.get(f"/d/posts/{post.key}/images/{number}.png")
        assert response["Content-Type"] == "image/png" and "private" in response["Cache-Control"]
        (url,) = decoded(response.content)
        assert url.startswith(f"{settings.SITE_URL}/p/{product.url_key}/?ref=")
        assert url.endswith(f"&post={post.key}")
        again = his.get(response.wsgi_request.path, headers={"if-none-match": response["ETag"]})
        assert again.status_code == 304
    assert his.get(f"/d/posts/{post.key}/images/4.png").status_code == 404
    response = his.get(f"/d/posts/{post.key}/images.zip")
    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert names == ["post-1.png", "post-2.png", "post-3.png"]


def test_he_edits_and_deletes_his_post(his, distributor):
    use(his, make_theme())
    post = Post.objects.get()
    response = his.post(f"/d/posts/{post.key}/", {"text": f"我的话\n{XSS}"})
    assert response["Location"] == f"/d/posts/{post.key}/"
    assert Post.objects.get().text == f"我的话\n{XSS}"
    page = his.get(f"/d/posts/{post.key}/").content.decode()
    assert "<script>alert(1)" not in page
    too_long = his.post(f"/d/posts/{post.key}/", {"text": "字" * 2001})
    assert too_long.status_code == 200 and Post.objects.get().text == f"我的话\n{XSS}"
    assert his.post(f"/d/posts/{post.key}/", {"text": "  "}).status_code == 200
    assert his.post(f"/d/posts/{post.key}/delete/")["Location"] == "/d/posts/"
    assert not Post.objects.exists()


def test_another_distributors_post_is_not_found(client, brand, make_distributor):
    english(client).force_login(make_distributor().customer.user)
    use(client, make_theme(images=1))
    post = Post.objects.get()
    his = client
    his.force_login(make_distributor().customer.user)
    for path in (
        f"/d/posts/{post.key}/",
        f"/d/posts/{post.key}/images/1.png",
        f"/d/posts/{post.key}/images.zip",
    ):
        assert his.get(path).status_code == 404
    assert his.post(f"/d/posts/{post.key}/", {"text": "抢来的"}).status_code == 404
    his.post(f"/d/posts/{post.key}/delete/")
    assert Post.objects.get().text == post.text


def test_the_brands_copy_is_shown_inert_and_the_pages_speak_chinese(
    client, brand, distributor, make_product
):
    client.force_login(distributor.customer.user)
    theme = make_theme(title=XSS, copy=XSS, products=[make_product().product])
    library = client.get("/d/library/").content.decode()
    assert "素材库" in library and "使用此主题" in library
    assert "<script>alert(1)" not in library and "<img src=x" not in library
    key = client.post(f"/d/library/{theme.pk}/use/")["Location"].split("/")[-2]
    post_page = client.get(f"/d/posts/{key}/").content.decode()
    assert "复制文字" in post_page and "下载全部图片" in post_page
    assert "<script>alert(1)" not in post_page
    store = client.get(f"/s/{distributor.slug}/").content.decode()
    assert "动态" in store and "<script>alert(1)" not in store
