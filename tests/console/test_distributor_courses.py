"""The distributor's training (/d/courses/): his onboarding course on his console home, his
courses with progress, lessons to read (the brand's HTML cleaned, nothing in it runs) and
"mark done and next"."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from weishang.content import courses
from weishang.content.models import Lesson, LessonProgress

from .conftest import english, messages_of

pytestmark = pytest.mark.django_db
XSS = "<script>alert(1)</script><img src=x onerror=alert(1)>"
VECTORS = (
    XSS
    + '<a href="JaVaScRiPt:alert(1)">a</a><a href="&#106;avascript:alert(1)">b</a>'
    + '<svg onload=alert(1)></svg><iframe src="https://evil.example"></iframe>'
    + '<p style="x" onclick="alert(1)">c</p><img src="//evil.example/x.png">'
    + '<object data="x"></object><math><mi>d</mi></math>'
)


class _Markup(HTMLParser):
    """The tags and attributes a browser would act on, as it parses the page."""

    DANGEROUS_TAGS = {"svg", "math", "iframe", "object", "embed", "base", "style"}

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in self.DANGEROUS_TAGS:
            self.found.append(tag)
        if tag == "script" and not dict(attrs).get("src", "").startswith("/static/"):
            self.found.append("inline script")
        for name, value in attrs:
            value = (value or "").strip().lower()
            if name.startswith("on") or name in ("style", "srcdoc", "formaction", "http-equiv"):
                self.found.append(f"{tag} {name}")
            if name in ("href", "src") and (
                value.startswith(("javascript:", "data:", "vbscript:", "//")) or "evil" in value
            ):
                self.found.append(f"{tag} {name}={value}")


def executable(html: str) -> list[str]:
    """What in ``html`` could run a script, load from elsewhere or restyle the page."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.found


@pytest.fixture
def course(staff):
    course = courses.create_course(
        actor=staff,
        title="新人上手",
        summary="七步开店",
        is_onboarding=True,
        now=timezone.now(),
    )
    for title in ("加好友", "发朋友圈", "第一单"):
        courses.add_lesson(
            actor=staff, course=course, title=title, body=f"<p><strong>{title}</strong>要点</p>"
        )
    return courses.publish_course(actor=staff, course=course)


@pytest.fixture
def seller(make_distributor):
    return make_distributor()


@pytest.fixture
def dclient(client, seller, brand):
    english(client)
    client.force_login(seller.customer.user)
    return client


def lesson_url(course, lesson):
    return reverse("distributor:lesson", args=[course.pk, lesson.pk])


def test_his_home_shows_his_onboarding_course_progress(dclient, seller, course):
    courses.complete_lesson(
        distributor=seller, lesson=courses.lessons_of(course)[0], now=timezone.now()
    )
    page = dclient.get(reverse("distributor:home")).content.decode()
    card = page.split('data-testid="onboarding"')[1].split("</li>")[0]
    assert "Your onboarding course 新人上手: 1 of 3 lessons done" in card
    assert reverse("distributor:course", args=[course.pk]) in card
    assert reverse("distributor:courses") in page  # the menu


def test_a_new_distributor_takes_it_without_any_enrolment(course, make_distributor, client, brand):
    newcomer = make_distributor()
    english(client).force_login(newcomer.customer.user)
    page = client.get(reverse("distributor:home")).content.decode()
    assert "0 of 3 lessons done" in page


def test_his_courses_list_progress_bars_and_hides_drafts(
    dclient, seller, course, staff, django_assert_max_num_queries
):
    courses.create_course(actor=staff, title="还没写完", now=timezone.now())
    for lesson in courses.lessons_of(course)[:2]:
        courses.complete_lesson(distributor=seller, lesson=lesson, now=timezone.now())
    # 6, and one for the courses his team's leader assigned (teams).
    with django_assert_max_num_queries(7) as small:
        page = dclient.get(reverse("distributor:courses")).content.decode()
    assert '<progress class="course-progress" value="2" max="3">' in page
    assert "2 of 3 lessons done" in page and "还没写完" not in page
    for index in range(5):
        more = courses.create_course(actor=staff, title=f"课{index}", now=timezone.now())
        courses.add_lesson(actor=staff, course=more, title="一", body="<p>一</p>")
        courses.publish_course(actor=staff, course=more)
    with django_assert_max_num_queries(len(small.captured_queries)):
        page = dclient.get(reverse("distributor:courses")).content.decode()
    assert page.count('data-testid="course"') == 6


def test_the_course_page_ticks_the_lessons_he_did(
    dclient, seller, course, django_assert_max_num_queries
):
    first, second, third = courses.lessons_of(course)
    courses.complete_lesson(distributor=seller, lesson=second, now=timezone.now())
    with django_assert_max_num_queries(8):
        page = dclient.get(reverse("distributor:course", args=[course.pk])).content.decode()
    items = page.split('data-testid="lesson"')[1:]
    assert ["data-done" in item.split(">")[0] for item in items] == [False, True, False]
    assert "1 of 3 lessons done" in page


def test_mark_done_goes_to_the_next_lesson_and_the_last_completes_the_course(
    dclient, seller, course
):
    first, second, third = courses.lessons_of(course)
    page = dclient.get(lesson_url(course, first)).content.decode()
    assert "<strong>加好友</strong>要点" in page and "Mark done and go to the next lesson" in page
    response = dclient.post(lesson_url(course, first))
    assert response.url == lesson_url(course, second)
    dclient.post(lesson_url(course, first))  # again: nothing new
    dclient.post(lesson_url(course, second))
    response = dclient.post(lesson_url(course, third), follow=True)
    assert response.redirect_chain[-1][0] == reverse("distributor:course", args=[course.pk])
    assert "You completed the course 新人上手." in messages_of(response)
    assert LessonProgress.objects.filter(distributor=seller).count() == 3
    page = dclient.get(lesson_url(course, first)).content.decode()
    assert "You marked this lesson done." in page and "Mark done" not in page


def test_a_frozen_distributor_reads_but_cannot_mark_done(client, make_distributor, course, brand):
    frozen = make_distributor(status="frozen", status_reason="资料待补")
    english(client).force_login(frozen.customer.user)
    first = courses.lessons_of(course)[0]
    page = client.get(lesson_url(course, first)).content.decode()
    assert "加好友" in page and "Mark done" not in page and "frozen-notice" in page
    response = client.post(lesson_url(course, first), follow=True)
    assert any("frozen" in message for message in messages_of(response))
    assert not LessonProgress.objects.exists()


def test_drafts_and_other_courses_lessons_are_not_found(dclient, course, staff):
    draft = courses.create_course(actor=staff, title="草稿", now=timezone.now())
    hidden = courses.add_lesson(actor=staff, course=draft, title="秘", body="<p>秘</p>")
    assert dclient.get(reverse("distributor:course", args=[draft.pk])).status_code == 404
    assert dclient.get(lesson_url(draft, hidden)).status_code == 404
    assert dclient.get(lesson_url(course, hidden)).status_code == 404
    assert dclient.post(lesson_url(course, hidden)).status_code == 404
    assert not LessonProgress.objects.exists()


def test_customers_who_are_not_distributors_are_refused(client, customer, course):
    english(client).force_login(customer.user)
    assert client.get(reverse("distributor:courses")).status_code == 403


def test_a_lesson_full_of_attack_vectors_is_inert_on_his_page(dclient, course, staff):
    lesson = courses.add_lesson(
        actor=staff, course=course, title="注意", body=f"<p>安全第一</p>{VECTORS}"
    )
    page = dclient.get(lesson_url(course, lesson)).content.decode()
    body = page.split('data-testid="lesson-body">')[1].split("</article>")[0]
    assert "<p>安全第一</p>" in body
    assert executable(body) == [] and executable(page) == []


def test_a_hostile_body_written_straight_to_the_database_is_still_cleaned_on_the_next_save(
    course, staff
):
    lesson = courses.lessons_of(course)[0]
    Lesson.objects.filter(pk=lesson.pk).update(body=XSS)
    courses.update_lesson(actor=staff, lesson=lesson, title="加好友", body=XSS + "<p>好</p>")
    assert executable(Lesson.objects.get(pk=lesson.pk).body) == []


def test_titles_and_summaries_are_escaped_on_his_pages(dclient, seller, staff):
    hostile = courses.create_course(
        actor=staff, title=XSS[:60], summary=XSS, is_onboarding=True, now=timezone.now()
    )
    lesson = courses.add_lesson(actor=staff, course=hostile, title=XSS[:60], body="<p>正文</p>")
    courses.publish_course(actor=staff, course=hostile)
    for url in (
        reverse("distributor:home"),
        reverse("distributor:courses"),
        reverse("distributor:course", args=[hostile.pk]),
        lesson_url(hostile, lesson),
    ):
        page = dclient.get(url).content.decode()
        assert executable(page) == [], url
        assert "&lt;script&gt;alert(1)" in page, url


def test_a_blacklisted_distributor_sees_only_the_closed_notice(client, make_distributor, course):
    gone = make_distributor(status="blacklisted", status_reason="刷单")
    english(client).force_login(gone.customer.user)
    first = courses.lessons_of(course)[0]
    assert client.get(reverse("distributor:courses")).status_code == 403
    assert client.post(lesson_url(course, first)).status_code == 403
    assert not LessonProgress.objects.exists()
