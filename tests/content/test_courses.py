"""Training courses: the brand's audited acts on courses and lessons, a distributor marking lessons
done, and who is counted as expected, started and completed."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import png_upload
from weishang.compliance.models import AuditEntry
from weishang.content import courses, richtext
from weishang.content.errors import ContentError
from weishang.content.models import Course, Lesson, LessonImage, LessonProgress

pytestmark = pytest.mark.django_db
NOW = timezone.now()


@pytest.fixture
def course(staff):
    return courses.create_course(
        actor=staff, title="新人上手", summary="七步开店", is_onboarding=True, now=NOW
    )


@pytest.fixture
def lessons(staff, course):
    return [
        courses.add_lesson(actor=staff, course=course, title=title, body=f"<p>{title}</p>")
        for title in ("加好友", "发朋友圈", "第一单")
    ]


@pytest.fixture
def published(staff, course, lessons):
    return courses.publish_course(actor=staff, course=course)


# Rules -------------------------------------------------------------------------------------------


@given(st.integers(0, 10_000), st.integers(0, 10_000))
def test_the_completion_rate_stays_between_none_and_all(completed, expected):
    rate = courses.completion_rate_bp(completed, expected)
    assert 0 <= rate <= 10_000
    if expected and completed <= expected:
        assert rate == completed * 10_000 // expected


@given(st.lists(st.integers(1, 10_000), min_size=1, max_size=30, unique=True), st.data())
def test_moving_a_lesson_keeps_every_lesson_and_swaps_one_neighbour(ids, data):
    moving = data.draw(st.sampled_from(ids))
    direction = data.draw(st.sampled_from([courses.UP, courses.DOWN]))
    order = courses.moved(ids, moving, direction)
    assert sorted(order) == sorted(ids)
    shift = abs(order.index(moving) - ids.index(moving))
    at_end = (direction == courses.UP and ids[0] == moving) or (
        direction == courses.DOWN and ids[-1] == moving
    )
    assert shift == (0 if at_end else 1)


def test_the_next_lesson_and_none_after_the_last():
    assert courses.following([4, 9, 2], 9) == 2
    assert courses.following([4, 9, 2], 2) is None


# The brand's acts --------------------------------------------------------------------------------


def test_creating_a_course_makes_an_audited_draft(staff, course):
    assert course.status == Course.Status.DRAFT and course.is_onboarding
    entry = AuditEntry.objects.get(action="course.create")
    assert entry.actor == staff and entry.after["title"] == "新人上手"


@pytest.mark.parametrize("title", ["", "   ", "课" * 61])
def test_a_course_needs_a_title_that_fits(staff, title):
    with pytest.raises(ContentError):
        courses.create_course(actor=staff, title=title, now=NOW)
    assert not Course.objects.exists() and not AuditEntry.objects.exists()


def test_a_lesson_body_is_cleaned_on_save_whatever_the_client_sent(staff, course):
    lesson = courses.add_lesson(
        actor=staff,
        course=course,
        title="话术",
        body='<p onclick="x()">你好<script>alert(1)</script></p><img src=x onerror=alert(1)>',
    )
    assert Lesson.objects.get(pk=lesson.pk).body == "<p>你好</p><img>"
    courses.update_lesson(
        actor=staff, lesson=lesson, title="话术", body='<a href="javascript:alert(1)">点</a>好'
    )
    assert Lesson.objects.get(pk=lesson.pk).body == (
        '<a rel="noopener noreferrer nofollow">点</a>好'
    )
    assert AuditEntry.objects.filter(action__in=["lesson.add", "lesson.update"]).count() == 2


def test_a_lesson_with_nothing_left_to_read_is_refused(staff, course):
    with pytest.raises(ContentError):
        courses.add_lesson(actor=staff, course=course, title="空", body="<script>x</script>")
    assert not Lesson.objects.exists()


def test_lessons_go_last_and_move_up_and_down(staff, course, lessons):
    first, second, third = lessons
    courses.move_lesson(actor=staff, lesson=third, direction=courses.UP)
    assert [lesson.title for lesson in courses.lessons_of(course)] == [
        "加好友",
        "第一单",
        "发朋友圈",
    ]
    with pytest.raises(ContentError):
        courses.move_lesson(actor=staff, lesson=first, direction=courses.UP)
    entry = AuditEntry.objects.get(action="lesson.move")
    assert (entry.before, entry.after) == ({"position": 3}, {"position": 2})


def test_publishing_needs_a_lesson_and_happens_once(staff, course, lessons):
    empty = courses.create_course(actor=staff, title="空课", now=NOW)
    with pytest.raises(ContentError):
        courses.publish_course(actor=staff, course=empty)
    courses.publish_course(actor=staff, course=course)
    with pytest.raises(ContentError):
        courses.publish_course(actor=staff, course=course)
    courses.unpublish_course(actor=staff, course=course)
    assert Course.objects.get(pk=course.pk).status == Course.Status.DRAFT
    assert AuditEntry.objects.filter(action__startswith="course.").count() == 4


def test_deleting_a_lesson_takes_its_marks_and_is_audited(
    staff, published, lessons, make_distributor
):
    distributor = make_distributor()
    courses.complete_lesson(distributor=distributor, lesson=lessons[0], now=NOW)
    courses.delete_lesson(actor=staff, lesson=lessons[0])
    assert not LessonProgress.objects.exists()
    assert AuditEntry.objects.get(action="lesson.delete").before["title"] == "加好友"


def test_a_lesson_picture_is_checked_and_named_by_us(staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    picture = courses.upload_lesson_image(
        actor=staff, image_file=png_upload("../../evil.svg"), now=NOW
    )
    assert picture.image.url.startswith("/media/content/lessons/lesson-")
    assert picture.image.url.endswith(".png")
    assert richtext.is_lesson_picture(picture.image.url)
    with pytest.raises(ContentError):
        courses.upload_lesson_image(
            actor=staff, image_file=SimpleUploadedFile("x.png", b"<svg/>"), now=NOW
        )
    assert LessonImage.objects.count() == 1
    assert AuditEntry.objects.filter(action="lesson_image.upload").count() == 1


# A distributor learns ----------------------------------------------------------------------------


def test_marking_a_lesson_done_twice_keeps_the_first_time(published, lessons, make_distributor):
    distributor = make_distributor()
    first = courses.complete_lesson(distributor=distributor, lesson=lessons[0], now=NOW)
    again = courses.complete_lesson(
        distributor=distributor, lesson=lessons[0], now=NOW + timedelta(hours=1)
    )
    assert first.pk == again.pk and again.completed_at == NOW
    assert LessonProgress.objects.count() == 1


def test_a_draft_course_cannot_be_taken(course, lessons, make_distributor):
    with pytest.raises(ContentError):
        courses.complete_lesson(distributor=make_distributor(), lesson=lessons[0], now=NOW)
    assert not LessonProgress.objects.exists()


def test_a_frozen_distributor_cannot_mark_lessons(published, lessons, make_distributor):
    with pytest.raises(ContentError):
        courses.complete_lesson(
            distributor=make_distributor(status="frozen"), lesson=lessons[0], now=NOW
        )
    assert not LessonProgress.objects.exists()


def test_his_courses_show_his_progress_only(published, lessons, make_distributor, staff):
    me, other = make_distributor(), make_distributor()
    courses.create_course(actor=staff, title="草稿", now=NOW)
    for lesson in lessons:
        courses.complete_lesson(distributor=other, lesson=lesson, now=NOW)
    courses.complete_lesson(distributor=me, lesson=lessons[1], now=NOW)
    [mine] = courses.courses_for(me)
    assert (mine.title, mine.lesson_count, mine.done) == ("新人上手", 3, 1)


def test_the_brand_sees_expected_started_and_completed(published, lessons, make_distributor, staff):
    done_all, started, _idle = make_distributor(), make_distributor(), make_distributor()
    frozen = make_distributor(status="frozen")
    gone = make_distributor(status="blacklisted")
    for lesson in lessons:
        courses.complete_lesson(distributor=done_all, lesson=lesson, now=NOW)
    courses.complete_lesson(distributor=started, lesson=lessons[0], now=NOW)
    LessonProgress.objects.create(distributor=gone, lesson=lessons[0], completed_at=NOW)
    [figures] = courses.courses_with_figures()
    assert (figures.lessons, figures.expected, figures.started, figures.completed) == (3, 4, 2, 1)
    assert figures.rate_bp == 2500
    rows = list(courses.progress_by_distributor(published))
    assert {row.pk for row in rows[:2]} == {done_all.pk, started.pk}  # the active ones first
    assert [row.last_done_at for row in rows[2:]] == [None, None]
    assert {row.pk: row.done for row in rows} == {
        done_all.pk: 3,
        started.pk: 1,
        _idle.pk: 0,
        frozen.pk: 0,
    }
    courses.add_lesson(actor=staff, course=published, title="复购", body="<p>复购</p>")
    assert courses.courses_with_figures()[0].completed == 0
