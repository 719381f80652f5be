"""Training courses (培训 / SOP): the brand writes courses of step-by-step lessons; distributors
read them and mark each lesson done; the brand sees who completed what.

Who takes a course is computed, never stored: every approved distributor (active or frozen — a
blacklisted one has left the programme) takes every published course from his approval on, with no
enrolment row. An onboarding course is one every new distributor is pointed to on his console
home. Progress is the lessons he marked done (``LessonProgress``); a lesson added later counts for
everyone, so a course he had completed is again one lesson short.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, IntegerField, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from weishang.compliance import audit
from weishang.distribution.models import Distributor

from . import richtext
from .errors import ContentError
from .models import Course, Lesson, LessonImage, LessonProgress
from .pictures import checked_picture

APPROVED = (Distributor.Status.ACTIVE, Distributor.Status.FROZEN)
UP, DOWN = "up", "down"


# Rules -------------------------------------------------------------------------------------------


def completion_rate_bp(completed: int, expected: int) -> int:
    """Completed as basis points of expected (rounded down); 0 when nobody is expected."""
    if expected <= 0:
        return 0
    return min(10_000, completed * 10_000 // expected)


def moved(ids: list[int], moving: int, direction: str) -> list[int]:
    """The order after moving one lesson a place up or down; unchanged at either end."""
    order = list(ids)
    index = order.index(moving)
    other = index - 1 if direction == UP else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return order


def following(ids: list[int], current: int) -> int | None:
    """The lesson after ``current``, or None after the last."""
    index = ids.index(current)
    return ids[index + 1] if index + 1 < len(ids) else None


# Selectors: the brand's console ------------------------------------------------------------------


@dataclass(frozen=True)
class CourseFigures:
    course: Course
    lessons: int
    expected: int
    started: int
    completed: int

    @property
    def rate_bp(self) -> int:
        return completion_rate_bp(self.completed, self.expected)


def approved_distributors() -> QuerySet[Distributor]:
    return Distributor.objects.filter(status__in=APPROVED)


def courses_with_figures(course_ids: list[int] | None = None) -> list[CourseFigures]:
    """Every course (or those named) with its lessons, the distributors expected to take it,
    those who started (a lesson done) and those who completed it (every lesson done); three
    queries however many distributors."""
    chosen = (
        Course.objects.all() if course_ids is None else Course.objects.filter(pk__in=course_ids)
    )
    courses = list(chosen.annotate(lesson_count=Count("lessons")))
    expected = approved_distributors().count()
    done = (
        LessonProgress.objects.filter(
            distributor__status__in=APPROVED, lesson__course__in=[course.pk for course in courses]
        )
        .values("lesson__course_id", "distributor_id")
        .annotate(done=Count("pk"))
        .values_list("lesson__course_id", "done")
    )
    started: dict[int, int] = {}
    completed: dict[int, int] = {}
    lessons = {course.pk: course.lesson_count for course in courses}
    for course_id, count in done:
        started[course_id] = started.get(course_id, 0) + 1
        if count >= lessons.get(course_id, 0) > 0:
            completed[course_id] = completed.get(course_id, 0) + 1
    return [
        CourseFigures(
            course=course,
            lessons=course.lesson_count,
            expected=expected if course.status == Course.Status.PUBLISHED else 0,
            started=started.get(course.pk, 0),
            completed=completed.get(course.pk, 0),
        )
        for course in courses
    ]


def course(course_id: int) -> Course:
    """Raises Course.DoesNotExist."""
    return Course.objects.get(pk=course_id)


def lessons_of(course: Course) -> list[Lesson]:
    return list(course.lessons.all())


def lesson(course: Course, lesson_id: int) -> Lesson:
    """Raises Lesson.DoesNotExist."""
    return course.lessons.get(pk=lesson_id)


def progress_by_distributor(course: Course) -> QuerySet[Distributor]:
    """Every approved distributor with the lessons of ``course`` he marked done (``done``) and
    when he last did (``last_done_at``); the most recently active first."""
    of_course = Q(lesson_progress__lesson__course=course)
    return (
        approved_distributors()
        .annotate(
            done=Count("lesson_progress", filter=of_course),
            last_done_at=Max("lesson_progress__completed_at", filter=of_course),
        )
        .order_by(F("last_done_at").desc(nulls_last=True), "store_name", "pk")
    )


# Selectors: the distributor's console ------------------------------------------------------------


def _published() -> QuerySet[Course]:
    return Course.objects.filter(status=Course.Status.PUBLISHED)


def courses_for(distributor: Distributor) -> list[Course]:
    """The published courses he takes, onboarding first, each with ``lesson_count`` and ``done``
    (his lessons done); one query."""
    lesson_count = (
        Lesson.objects.filter(course=OuterRef("pk"))
        .values("course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    done = (
        LessonProgress.objects.filter(lesson__course=OuterRef("pk"), distributor=distributor)
        .values("lesson__course")
        .annotate(n=Count("pk"))
        .values("n")
    )
    zero = Value(0, output_field=IntegerField())
    return list(
        _published()
        .annotate(
            lesson_count=Coalesce(Subquery(lesson_count, output_field=IntegerField()), zero),
            done=Coalesce(Subquery(done, output_field=IntegerField()), zero),
        )
        .order_by("-is_onboarding", "position", "pk")
    )


def published_course(course_id: int) -> Course:
    """A course a distributor may open; raises Course.DoesNotExist for a draft."""
    return _published().get(pk=course_id)


def done_lesson_ids(distributor: Distributor, course: Course) -> set[int]:
    return set(
        LessonProgress.objects.filter(distributor=distributor, lesson__course=course).values_list(
            "lesson_id", flat=True
        )
    )


# Services: the brand writes courses --------------------------------------------------------------


def _text(value, *, model, field: str, required: bool = True) -> str:
    text = str(value or "").strip()
    model_field = model._meta.get_field(field)
    if required and not text:
        raise ContentError(
            _("Enter the %(field)s.") % {"field": model_field.verbose_name}, code="required"
        )
    if len(text) > model_field.max_length:
        raise ContentError(
            _("The %(field)s can be at most %(n)d characters.")
            % {"field": model_field.verbose_name, "n": model_field.max_length},
            code="too_long",
        )
    return text


def _course_snapshot(course: Course) -> dict:
    return {
        "title": course.title,
        "summary": course.summary,
        "is_onboarding": course.is_onboarding,
        "status": course.status,
    }


def _lesson_snapshot(lesson: Lesson) -> dict:
    return {
        "course": lesson.course_id,
        "title": lesson.title,
        "body_chars": len(lesson.body),
        "position": lesson.position,
    }


def _cleaned_body(body) -> str:
    cleaned = richtext.clean(body)
    if richtext.is_blank(cleaned):
        raise ContentError(_("Write the lesson: it has no text."), code="lesson_blank")
    return cleaned


@transaction.atomic
def create_course(
    *, actor, title: str, summary: str = "", is_onboarding: bool = False, now: datetime
) -> Course:
    """A new course, a draft until published; placed after the others."""
    last = Course.objects.order_by("-position").values_list("position", flat=True).first()
    course = Course.objects.create(
        title=_text(title, model=Course, field="title"),
        summary=_text(summary, model=Course, field="summary", required=False),
        is_onboarding=bool(is_onboarding),
        position=0 if last is None else last + 1,
        created_at=now,
    )
    audit.record(actor=actor, action="course.create", obj=course, after=_course_snapshot(course))
    return course


@transaction.atomic
def update_course(
    *, actor, course: Course, title: str, summary: str, is_onboarding: bool
) -> Course:
    course = Course.objects.select_for_update().get(pk=course.pk)
    before = _course_snapshot(course)
    course.title = _text(title, model=Course, field="title")
    course.summary = _text(summary, model=Course, field="summary", required=False)
    course.is_onboarding = bool(is_onboarding)
    course.save(update_fields=["title", "summary", "is_onboarding"])
    audit.record_change(
        actor=actor,
        action="course.update",
        obj=course,
        before=before,
        after=_course_snapshot(course),
    )
    return course


@transaction.atomic
def publish_course(*, actor, course: Course) -> Course:
    """Distributors see the course from now on (an onboarding one on their console home)."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status == Course.Status.PUBLISHED:
        raise ContentError(_("This course is already published."), code="already_published")
    if not course.lessons.exists():
        raise ContentError(_("Add a lesson before publishing the course."), code="no_lessons")
    before = _course_snapshot(course)
    course.status = Course.Status.PUBLISHED
    course.save(update_fields=["status"])
    audit.record_change(
        actor=actor,
        action="course.publish",
        obj=course,
        before=before,
        after=_course_snapshot(course),
    )
    return course


@transaction.atomic
def unpublish_course(*, actor, course: Course) -> Course:
    """Takes the course back to a draft; the lessons distributors marked done stay recorded."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    if course.status != Course.Status.PUBLISHED:
        raise ContentError(_("This course is not published."), code="not_published")
    before = _course_snapshot(course)
    course.status = Course.Status.DRAFT
    course.save(update_fields=["status"])
    audit.record_change(
        actor=actor,
        action="course.unpublish",
        obj=course,
        before=before,
        after=_course_snapshot(course),
    )
    return course


@transaction.atomic
def add_lesson(*, actor, course: Course, title: str, body: str) -> Lesson:
    """A new last lesson; its body is cleaned here, whatever the editor sent."""
    course = Course.objects.select_for_update().get(pk=course.pk)
    title = _text(title, model=Lesson, field="title")
    last = course.lessons.order_by("-position").values_list("position", flat=True).first()
    lesson = Lesson.objects.create(
        course=course,
        title=title,
        body=_cleaned_body(body),
        position=0 if last is None else last + 1,
    )
    audit.record(actor=actor, action="lesson.add", obj=lesson, after=_lesson_snapshot(lesson))
    return lesson


@transaction.atomic
def update_lesson(*, actor, lesson: Lesson, title: str, body: str) -> Lesson:
    title = _text(title, model=Lesson, field="title")
    body = _cleaned_body(body)
    lesson = Lesson.objects.select_for_update().get(pk=lesson.pk)
    before = _lesson_snapshot(lesson)
    changed = body != lesson.body
    lesson.title, lesson.body = title, body
    lesson.save(update_fields=["title", "body"])
    after = _lesson_snapshot(lesson)
    if changed or after != before:
        audit.record(
            actor=actor,
            action="lesson.update",
            obj=lesson,
            before=before,
            after=after | {"body_changed": changed},
        )
    return lesson


@transaction.atomic
def move_lesson(*, actor, lesson: Lesson, direction: str) -> Lesson:
    """One place earlier (``up``) or later (``down``) in its course."""
    if direction not in (UP, DOWN):
        raise ContentError(_("Move a lesson up or down."), code="bad_direction")
    course = Course.objects.select_for_update().get(pk=lesson.course_id)
    ids = list(course.lessons.order_by("position", "pk").values_list("pk", flat=True))
    order = moved(ids, lesson.pk, direction)
    if order == ids:
        raise ContentError(
            _("This lesson is already the first.")
            if direction == UP
            else _("This lesson is already the last."),
            code="cannot_move",
        )
    for position, lesson_id in enumerate(order):
        Lesson.objects.filter(pk=lesson_id).exclude(position=position).update(position=position)
    lesson = Lesson.objects.get(pk=lesson.pk)
    audit.record(
        actor=actor,
        action="lesson.move",
        obj=lesson,
        before={"position": ids.index(lesson.pk) + 1},
        after={"position": order.index(lesson.pk) + 1},
    )
    return lesson


@transaction.atomic
def delete_lesson(*, actor, lesson: Lesson) -> None:
    """Removes the lesson and the marks of those who had done it."""
    Course.objects.select_for_update().get(pk=lesson.course_id)
    lesson = Lesson.objects.get(pk=lesson.pk)
    before = _lesson_snapshot(lesson)
    audit.record(actor=actor, action="lesson.delete", obj=lesson, before=before)
    lesson.delete()


def _checked_picture(image_file) -> str:
    return checked_picture(image_file).extension


@transaction.atomic
def upload_lesson_image(*, actor, image_file, now: datetime) -> LessonImage:
    """A checked picture for lesson bodies, stored under a name of ours; its URL is the only kind
    of picture address the sanitiser keeps."""
    if image_file is None:
        raise ContentError(_("Choose a picture to upload."), code="no_picture")
    extension = _checked_picture(image_file)
    image = LessonImage(uploaded_at=now)
    image.image.save(f"lesson-{uuid.uuid4().hex[:16]}.{extension}", image_file, save=False)
    try:
        image.save(force_insert=True)
    except Exception:
        image.image.storage.delete(image.image.name)
        raise
    audit.record(
        actor=actor,
        action="lesson_image.upload",
        obj=image,
        after={"image": image.image.name},
    )
    return image


# Services: a distributor learns ------------------------------------------------------------------


@transaction.atomic
def complete_lesson(*, distributor: Distributor, lesson: Lesson, now: datetime) -> LessonProgress:
    """Marks the lesson done for him; doing it again keeps the first time."""
    if distributor.status != Distributor.Status.ACTIVE:
        raise ContentError(
            _("Your distributor account is frozen: your progress cannot change now."),
            code="not_active",
        )
    if not _published().filter(pk=lesson.course_id).exists():
        raise ContentError(_("This course is not open."), code="course_closed")
    progress, _created = LessonProgress.objects.get_or_create(
        distributor=distributor, lesson=lesson, defaults={"completed_at": now}
    )
    return progress
