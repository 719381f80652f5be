"""The distributor's material over the API: the library of themes, one call making a theme his
post, his own posts planned under the cadence warning, edited and deleted, their pictures with
his QR code, and his courses with lessons marked done; nobody else's posts are his."""

import io
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from tests.content.library_fixtures import MP3, media_upload
from tests.content.themes import decoded, make_theme, poster_template
from weishang.content import courses, library
from weishang.content.models import ContentSettings, LessonProgress, Post, Theme, ThemeMedia
from weishang.distribution.models import Distributor

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def distributor(brand, make_distributor):
    return make_distributor()


@pytest.fixture
def his(distributor, as_customer):
    return as_customer(distributor.customer)


@pytest.fixture
def other(brand, make_distributor, as_customer):
    return as_customer(make_distributor().customer)


def raw(client, method, path):
    """A request whose answer is a file, not JSON."""
    return getattr(client.client, method)(f"/api/v1{path}", **client._headers({}))


def use(client, theme):
    return client.post(f"/distributor/library/{theme.pk}/use")


# The library -------------------------------------------------------------------------------------


def test_the_library_lists_usable_themes_with_what_they_hold(his, make_product):
    theme = make_theme(title="新年礼", products=[make_product(name="灰枣一级").product])
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
    library = his.get("/distributor/library").json()
    [row] = library["items"]
    assert (row["id"], row["title"], row["text"]) == (theme.pk, "新年礼", theme.copy)
    assert [p["name"] for p in row["products"]] == ["灰枣一级"]
    assert row["image"].endswith(".jpg")
    [voice] = row["media"]
    assert (voice["kind"], voice["kind_label"]) == ("voice", "voice")
    assert voice["url"].endswith(f"/api/v1/distributor/library/media/{voice['id']}")


def test_the_library_and_his_posts_cost_a_fixed_number_of_queries(
    his, make_product, django_assert_max_num_queries
):
    use(his, make_theme(products=[make_product().product]))
    with django_assert_max_num_queries(12) as library:
        his.get("/distributor/library")
    library = len(library.captured_queries)
    with django_assert_max_num_queries(10) as mine:
        his.get("/distributor/posts")
    mine = len(mine.captured_queries)
    for n in range(4):
        use(his, make_theme(products=[make_product().product], images=2, title=f"主题{n}"))
    with django_assert_max_num_queries(library):
        assert len(his.get("/distributor/library").json()["items"]) == 5
    with django_assert_max_num_queries(mine):
        assert len(his.get("/distributor/posts").json()["items"]) == 5
    first = his.get("/distributor/posts", {"limit": 3}).json()
    rest = his.get("/distributor/posts", {"limit": 3, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) + len(rest["items"]) == 5 and rest["next_cursor"] is None


def test_he_plays_the_voice_and_video_of_usable_themes_only(his, other, staff, settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    live, ended = make_theme(title="在用"), make_theme(title="过期")
    media = {
        theme.title: library.attach_theme_media(
            actor=staff, theme=theme, kind="voice", upload=media_upload(MP3, "v.mp3")
        )
        for theme in (live, ended)
    }
    Theme.objects.filter(pk=ended.pk).update(valid_until=timezone.now() - timedelta(days=1))
    [row] = his.get("/distributor/library").json()["items"]
    [voice] = row["media"]
    played = raw(his, "get", voice["url"].removeprefix("http://testserver/api/v1"))
    assert played.status_code == 200 and played["Content-Type"] == "audio/mpeg"
    assert played["X-Content-Type-Options"] == "nosniff"
    assert b"".join(played.streaming_content) == MP3
    gone = raw(other, "get", f"/distributor/library/media/{media['过期'].pk}")
    assert gone.status_code == 404


# Posts from themes -------------------------------------------------------------------------------


def test_one_call_makes_his_post_and_a_second_the_same_day_changes_nothing(
    his, distributor, make_product
):
    product = make_product().product
    theme = make_theme(products=[product])
    made = use(his, theme)
    assert made.status_code == 201
    post = Post.objects.get()
    body = made.json()
    assert (body["key"], body["title"], body["text"]) == (post.key, theme.title, theme.copy)
    assert body["planned_on"] == timezone.localdate().isoformat()
    [link] = body["products"]
    assert link["key"] == product.url_key
    assert link["link"].startswith(f"{settings.SITE_URL}/p/{product.url_key}/?ref=")
    assert link["link"].endswith(f"&post={post.key}")
    assert body["store_link"].startswith(f"{settings.SITE_URL}/s/{distributor.slug}/")
    assert use(his, theme).json()["key"] == post.key
    assert Post.objects.count() == 1


def test_a_withdrawn_or_missing_theme_is_refused(his):
    refused = use(his, make_theme(status=Theme.Status.WITHDRAWN))
    assert refused.status_code == 400
    assert "withdrawn or has expired" in refused.json()["message"]
    assert not Post.objects.exists()
    assert his.post(f"/distributor/library/{10**20}/use").status_code == 422


def test_a_frozen_distributor_reads_the_library_but_cannot_make_a_post(his, distributor):
    theme = make_theme()
    Distributor.objects.filter(pk=distributor.pk).update(status="frozen", status_reason="投诉待查")
    assert his.get("/distributor/library").status_code == 200
    refused = use(his, theme)
    assert refused.status_code == 403 and "投诉待查" in refused.json()["message"]
    assert not Post.objects.exists()


def test_his_post_gives_every_picture_with_his_qr_code_and_all_of_them(his, make_product):
    product = make_product().product
    made = use(his, make_theme(products=[product], images=2, template=poster_template())).json()
    assert len(made["pictures"]) == 3
    for url in made["pictures"]:
        picture = raw(his, "get", url.removeprefix("http://testserver/api/v1"))
        assert picture.status_code == 200 and picture["Content-Type"] == "image/png"
        (link,) = decoded(picture.content)
        assert link.startswith(f"{settings.SITE_URL}/p/{product.url_key}/?ref=")
        assert link.endswith(f"&post={made['key']}")
        again = his.client.get(
            picture.wsgi_request.path, **his._headers({"If-None-Match": picture["ETag"]})
        )
        assert again.status_code == 304
    assert raw(his, "get", f"/distributor/posts/{made['key']}/pictures/4").status_code == 404
    archive = raw(his, "get", made["pictures_zip"].removeprefix("http://testserver/api/v1"))
    assert archive["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert names == ["post-1.png", "post-2.png", "post-3.png"]


# His own posts -----------------------------------------------------------------------------------


def test_he_plans_his_own_post_and_is_warned_before_breaking_the_cadence(his, distributor):
    ContentSettings.objects.update_or_create(
        pk=1, defaults={"posts_min_per_day": 1, "posts_max_per_day": 1}
    )
    today = timezone.localdate().isoformat()
    first = his.post("/distributor/posts", {"text": f"我的话{XSS}", "day": today})
    assert first.status_code == 201
    assert first.json()["title"] is None and first.json()["text"] == f"我的话{XSS}"
    warned = his.post("/distributor/posts", {"text": "第二条", "day": today})
    assert warned.status_code == 400 and warned.json()["code"] == "cadence"
    assert Post.objects.count() == 1
    anyway = his.post("/distributor/posts", {"text": "第二条", "day": today, "confirm": True})
    assert anyway.status_code == 201
    assert Post.objects.filter(distributor=distributor).count() == 2


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"text": "  ", "day": "2026-12-01"}, 400),
        ({"text": "字" * 2001, "day": "2026-12-01"}, 422),
        ({"text": "好", "day": "1999-01-01"}, 400),
        ({"text": "好", "day": "0001-01-01"}, 400),
        ({"text": "好", "day": "not a day"}, 422),
        ({"text": "好\x00", "day": "2026-12-01"}, 422),
    ],
)
def test_a_bad_own_post_is_refused_and_saves_nothing(his, body, status):
    refused = his.post("/distributor/posts", body)
    assert refused.status_code == status
    assert refused.json()["message"]
    assert not Post.objects.exists()


def test_he_edits_and_deletes_his_post(his):
    key = use(his, make_theme()).json()["key"]
    edited = his.put(f"/distributor/posts/{key}", {"text": "我的话"})
    assert edited.status_code == 200 and edited.json()["text"] == "我的话"
    assert Post.objects.get().text == "我的话"
    assert his.put(f"/distributor/posts/{key}", {"text": "字" * 2001}).status_code == 422
    assert his.put(f"/distributor/posts/{key}", {"text": "  "}).status_code == 400
    assert his.get(f"/distributor/posts/{key}").json()["text"] == "我的话"
    assert raw(his, "delete", f"/distributor/posts/{key}").status_code == 204
    assert not Post.objects.exists()
    assert his.get(f"/distributor/posts/{key}").status_code == 404


def test_another_distributors_post_is_not_found(his, other):
    key = use(his, make_theme(images=1)).json()["key"]
    for path in (
        f"/distributor/posts/{key}",
        f"/distributor/posts/{key}/pictures/1",
        f"/distributor/posts/{key}/pictures.zip",
    ):
        assert raw(other, "get", path).status_code == 404
    assert other.put(f"/distributor/posts/{key}", {"text": "抢来的"}).status_code == 404
    assert raw(other, "delete", f"/distributor/posts/{key}").status_code == 404
    assert Post.objects.get().text != "抢来的"
    assert other.get("/distributor/posts").json()["items"] == []


def test_the_brands_copy_comes_back_in_chinese_words(distributor, as_customer):
    chinese = as_customer(distributor.customer, language="zh-hans")
    refused = chinese.post(f"/distributor/library/{make_theme(status='withdrawn').pk}/use")
    assert "主题" in refused.json()["message"]


# Courses -----------------------------------------------------------------------------------------


@pytest.fixture
def course(staff):
    course = courses.create_course(
        actor=staff, title="新人上手", summary="七步开店", is_onboarding=True, now=timezone.now()
    )
    for title in ("加好友", "发朋友圈", "第一单"):
        courses.add_lesson(
            actor=staff, course=course, title=title, body=f"<p><strong>{title}</strong>要点</p>"
        )
    return courses.publish_course(actor=staff, course=course)


def test_his_courses_show_his_progress_and_hide_drafts(
    his, distributor, course, staff, django_assert_max_num_queries
):
    draft = courses.create_course(actor=staff, title="还没写完", now=timezone.now())
    courses.complete_lesson(
        distributor=distributor, lesson=courses.lessons_of(course)[0], now=timezone.now()
    )
    with django_assert_max_num_queries(6) as few:
        listed = his.get("/distributor/courses").json()
    assert [(c["title"], c["lesson_count"], c["done"]) for c in listed] == [("新人上手", 3, 1)]
    for index in range(4):
        more = courses.create_course(actor=staff, title=f"课{index}", now=timezone.now())
        courses.add_lesson(actor=staff, course=more, title="一", body="<p>一</p>")
        courses.publish_course(actor=staff, course=more)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(his.get("/distributor/courses").json()) == 5
    assert his.get(f"/distributor/courses/{draft.pk}").status_code == 404


def test_he_reads_lessons_and_marks_them_done_to_the_end(his, distributor, course):
    detail = his.get(f"/distributor/courses/{course.pk}").json()
    assert (detail["done"], detail["total"]) == (0, 3)
    first, second, third = (lesson["id"] for lesson in detail["lessons"])
    lesson = his.get(f"/distributor/courses/{course.pk}/lessons/{first}").json()
    assert lesson["body"] == "<p><strong>加好友</strong>要点</p>"
    assert (lesson["number"], lesson["done"], lesson["next_lesson_id"]) == (1, False, second)
    done = his.post(f"/distributor/courses/{course.pk}/lessons/{first}/done")
    assert done.json() == {"next_lesson_id": second, "course_done": False}
    assert his.post(f"/distributor/courses/{course.pk}/lessons/{first}/done").status_code == 200
    for lesson_id in (second, third):
        last = his.post(f"/distributor/courses/{course.pk}/lessons/{lesson_id}/done").json()
    assert last == {"next_lesson_id": None, "course_done": True}
    assert LessonProgress.objects.filter(distributor=distributor).count() == 3
    assert [c["done"] for c in his.get("/distributor/courses").json()] == [3]


def test_a_lesson_of_another_course_is_not_found_and_a_frozen_one_cannot_progress(
    his, distributor, course, staff
):
    other = courses.create_course(actor=staff, title="别的课", now=timezone.now())
    stray = courses.add_lesson(actor=staff, course=other, title="x", body="<p>x</p>")
    courses.publish_course(actor=staff, course=other)
    assert his.get(f"/distributor/courses/{course.pk}/lessons/{stray.pk}").status_code == 404
    assert his.post(f"/distributor/courses/{course.pk}/lessons/{stray.pk}/done").status_code == 404
    Distributor.objects.filter(pk=distributor.pk).update(status="frozen", status_reason="核查中")
    lesson = courses.lessons_of(course)[0]
    assert his.get(f"/distributor/courses/{course.pk}/lessons/{lesson.pk}").status_code == 200
    refused = his.post(f"/distributor/courses/{course.pk}/lessons/{lesson.pk}/done")
    assert refused.status_code == 403
    assert not LessonProgress.objects.exists()
