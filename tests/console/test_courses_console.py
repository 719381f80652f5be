"""Brand console: writing training courses in the lesson editor, publishing them, and seeing who
completed them."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.helpers import png_upload
from weishang.compliance.models import AuditEntry
from weishang.content import courses
from weishang.content.models import Course, Lesson, LessonImage

from .conftest import messages_of
from .test_roles import member, signed_in

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"


@pytest.fixture
def course(staff):
    course = courses.create_course(
        actor=staff, title="新人上手", summary="七步开店", is_onboarding=True, now=timezone.now()
    )
    for title in ("加好友", "发朋友圈"):
        courses.add_lesson(actor=staff, course=course, title=title, body=f"<p>{title}要点</p>")
    return courses.publish_course(actor=staff, course=course)


def test_the_menu_leads_to_the_courses(console):
    page = console.get(reverse("console:dashboard")).content.decode()
    assert reverse("console:course_list") in page and "Training courses" in page


def test_creating_a_course_opens_it_as_a_draft(console, brand):
    response = console.post(
        reverse("console:course_list"),
        {"title": "复购话术", "summary": "老客户怎么聊", "is_onboarding": ""},
        follow=True,
    )
    course = Course.objects.get()
    assert response.redirect_chain[-1][0] == reverse("console:course_detail", args=[course.pk])
    assert course.status == Course.Status.DRAFT and not course.is_onboarding
    assert "add its lessons, then publish it" in messages_of(response)[0]


@pytest.mark.parametrize("title", ["", "课" * 61])
def test_a_bad_course_form_says_why_and_creates_nothing(console, title):
    response = console.post(reverse("console:course_list"), {"title": title})
    assert response.status_code == 200 and messages_of(response)
    assert not Course.objects.exists()


def test_the_course_list_shows_completion(console, course, make_distributor, staff):
    done, started = make_distributor(), make_distributor()
    make_distributor()
    make_distributor(status="blacklisted")
    for lesson in courses.lessons_of(course):
        courses.complete_lesson(distributor=done, lesson=lesson, now=timezone.now())
    courses.complete_lesson(
        distributor=started, lesson=courses.lessons_of(course)[0], now=timezone.now()
    )
    page = console.get(reverse("console:course_list")).content.decode()
    row = page.split(f'id="course-{course.pk}"')[1].split("</tr>")[0]
    assert '"expected">3<' in row and '"started">2<' in row and '"completed">1<' in row
    assert '"rate">33.33%<' in row


def test_the_course_list_costs_the_same_queries_however_many_courses_and_distributors(
    console, course, make_distributor, staff, django_assert_max_num_queries
):
    def grow():
        other = courses.create_course(actor=staff, title="更多", now=timezone.now())
        lesson = courses.add_lesson(actor=staff, course=other, title="一", body="<p>一</p>")
        courses.publish_course(actor=staff, course=other)
        for _index in range(3):
            courses.complete_lesson(
                distributor=make_distributor(), lesson=lesson, now=timezone.now()
            )

    grow()
    with django_assert_max_num_queries(7) as small:
        console.get(reverse("console:course_list"))
    for _index in range(4):
        grow()
    with django_assert_max_num_queries(len(small.captured_queries)):
        console.get(reverse("console:course_list"))


def test_the_course_page_lists_distributors_progress_paginated_in_constant_queries(
    console, course, make_distributor, django_assert_max_num_queries
):
    first = courses.lessons_of(course)[0]
    keen = make_distributor(store_name="勤奋的小店")
    courses.complete_lesson(distributor=keen, lesson=first, now=timezone.now())
    url = reverse("console:course_detail", args=[course.pk])
    with django_assert_max_num_queries(11) as small:
        page = console.get(url).content.decode()
    assert page.count('data-testid="progress-row"') == 1
    row = page.split('data-testid="progress-row"')[1].split("</tr>")[0]
    assert "勤奋的小店" in row and "1 / 2" in row
    for _index in range(60):
        make_distributor()
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = console.get(url).content.decode()
    assert page.count('data-testid="progress-row"') == 50
    assert "Page 1 of 2" in page
    assert page.index("勤奋的小店") < page.index("not started")  # the active first
    second = console.get(url + "?page=2").content.decode()
    assert second.count('data-testid="progress-row"') == 11


def test_the_lesson_editor_is_a_static_script_over_a_plain_textarea(console, course):
    lesson = courses.lessons_of(course)[0]
    response = console.get(reverse("console:lesson_edit", args=[course.pk, lesson.pk]))
    page = response.content.decode()
    assert 'name="body"' in page and "data-richtext" in page and "&lt;p&gt;加好友要点" in page
    assert "/static/console/richtext.js" in page and "/static/console/lesson.css" in page
    assert " style=" not in page and "<script>" not in page
    assert "script-src" in response.headers.get("Content-Security-Policy", "")


def test_adding_a_lesson_stores_the_cleaned_html(console, course):
    response = console.post(
        reverse("console:lesson_new", args=[course.pk]),
        {"title": "第一单", "body": f"<h2>成交</h2><p>别急</p>{XSS}"},
        follow=True,
    )
    assert "The lesson is added." in messages_of(response)
    lesson = Lesson.objects.get(title="第一单")
    assert lesson.body == "<h2>成交</h2><p>别急</p><img>"
    assert lesson.position == 2


def test_a_lesson_with_only_script_is_refused_and_the_form_keeps_the_title(console, course):
    response = console.post(
        reverse("console:lesson_new", args=[course.pk]), {"title": "第一单", "body": XSS}
    )
    assert response.status_code == 200
    assert "Write the lesson: it has no text." in messages_of(response)
    assert 'value="第一单"' in response.content.decode()
    assert not Lesson.objects.filter(title="第一单").exists()


def test_lessons_move_and_are_deleted(console, course):
    first, second = courses.lessons_of(course)
    console.post(reverse("console:lesson_move", args=[course.pk, second.pk]), {"direction": "up"})
    assert [lesson.pk for lesson in courses.lessons_of(course)] == [second.pk, first.pk]
    response = console.post(
        reverse("console:lesson_move", args=[course.pk, second.pk]),
        {"direction": "sideways"},
        follow=True,
    )
    assert "Move a lesson up or down." in messages_of(response)
    console.post(reverse("console:lesson_delete", args=[course.pk, first.pk]))
    assert [lesson.pk for lesson in courses.lessons_of(course)] == [second.pk]


def test_publishing_and_back_to_draft(console, course, staff):
    console.post(reverse("console:course_unpublish", args=[course.pk]))
    assert Course.objects.get(pk=course.pk).status == Course.Status.DRAFT
    empty = courses.create_course(actor=staff, title="空", now=timezone.now())
    response = console.post(reverse("console:course_publish", args=[empty.pk]), follow=True)
    assert "Add a lesson before publishing the course." in messages_of(response)


def test_the_editor_uploads_a_picture_and_gets_its_address(console, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = console.post(
        reverse("console:lesson_image"),
        {"image": png_upload()},
        headers={"accept": "application/json"},
    )
    url = json.loads(response.content)["url"]
    assert response.status_code == 200 and url.startswith("/media/content/lessons/lesson-")
    assert AuditEntry.objects.filter(action="lesson_image.upload").count() == 1
    refused = console.post(
        reverse("console:lesson_image"),
        {"image": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>")},
        headers={"accept": "application/json"},
    )
    assert refused.status_code == 400
    assert json.loads(refused.content) == {"error": "Upload a JPEG, PNG or WebP picture."}
    assert LessonImage.objects.count() == 1


def test_without_javascript_the_upload_form_gives_the_html_to_paste(
    console, course, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    back = reverse("console:lesson_new", args=[course.pk])
    response = console.post(
        reverse("console:lesson_image"), {"image": png_upload(), "next": back}, follow=True
    )
    assert response.redirect_chain[-1][0] == back
    [message] = messages_of(response)
    assert f'<img src="{LessonImage.objects.get().image.url}" alt="">' in message
    assert "&lt;img src=" in response.content.decode()


def test_a_reading_role_sees_courses_without_forms_and_cannot_write(
    client, django_user_model, course
):
    signed_in(client, member(django_user_model, "auditor"))
    page = client.get(reverse("console:course_detail", args=[course.pk])).content.decode()
    main = page.split("</header>")[1].split("<footer")[0]
    assert "新人上手" in main and 'method="post"' not in main
    lesson = courses.lessons_of(course)[0]
    assert (
        client.post(
            reverse("console:lesson_edit", args=[course.pk, lesson.pk]),
            {"title": "改", "body": "<p>改</p>"},
        ).status_code
        == 403
    )
    assert Lesson.objects.get(pk=lesson.pk).title == "加好友"


def test_course_titles_are_escaped_in_the_console(console, staff):
    courses.create_course(actor=staff, title=XSS[:60], summary=XSS, now=timezone.now())
    page = console.get(reverse("console:course_list")).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
