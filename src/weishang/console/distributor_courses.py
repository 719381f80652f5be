"""The distributor's training (/d/courses/): the published courses he takes with his progress,
each course's lessons with the ones he did ticked, and each lesson to read and mark done. A
frozen distributor reads them but cannot mark a lesson done (``distributor_required``)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from weishang.content import courses
from weishang.content.models import Course, Lesson
from weishang.core_errors import DomainError
from weishang.teams import selectors as teams

from .distributor_views import _render, distributor_required


def _published_or_404(course_id) -> Course:
    try:
        return courses.published_course(course_id)
    except Course.DoesNotExist as exc:
        raise Http404 from exc


@distributor_required
@require_safe
def course_list(request):
    return _render(
        request,
        "course_list.html",
        {
            "courses": courses.courses_for(request.distributor),
            "assigned": teams.assigned_course_ids(request.distributor),
        },
        "courses",
    )


@distributor_required
@require_safe
def course_detail(request, course_id):
    course = _published_or_404(course_id)
    lessons = courses.lessons_of(course)
    done = courses.done_lesson_ids(request.distributor, course)
    return _render(
        request,
        "course_detail.html",
        {
            "course": course,
            "lessons": [(lesson, lesson.pk in done) for lesson in lessons],
            "done": len(done),
            "total": len(lessons),
        },
        "courses",
    )


@distributor_required
@require_http_methods(["GET", "POST"])
def lesson_detail(request, course_id, lesson_id):
    """The lesson to read; POST marks it done and goes on to the next (or back to the course)."""
    course = _published_or_404(course_id)
    lessons = courses.lessons_of(course)
    lesson = next((item for item in lessons if item.pk == lesson_id), None)
    if lesson is None:
        raise Http404
    following = courses.following([item.pk for item in lessons], lesson.pk)
    if request.method == "POST":
        return _completed(request, course, lesson, following)
    done = courses.done_lesson_ids(request.distributor, course)
    return _render(
        request,
        "course_lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "number": lessons.index(lesson) + 1,
            "total": len(lessons),
            "is_done": lesson.pk in done,
            "following": following,
        },
        "courses",
    )


def _completed(request, course: Course, lesson: Lesson, following: int | None):
    try:
        courses.complete_lesson(distributor=request.distributor, lesson=lesson, now=timezone.now())
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(request.path)
    if following is not None:
        return redirect("distributor:lesson", course_id=course.pk, lesson_id=following)
    total = len(courses.lessons_of(course))
    if len(courses.done_lesson_ids(request.distributor, course)) >= total:
        messages.success(
            request, _("You completed the course %(title)s.") % {"title": course.title}
        )
    else:
        messages.success(
            request, _("That was the last lesson: the course shows the ones still to do.")
        )
    return redirect("distributor:course", course_id=course.pk)
