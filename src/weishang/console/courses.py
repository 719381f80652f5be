"""Brand console: training courses (培训 / SOP). The brand writes courses of lessons in a small
rich-text editor (``console/richtext.js``; a plain HTML textarea without JavaScript), publishes
them, and sees how many approved distributors started and completed each."""

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.content import courses, richtext
from weishang.content.errors import ContentError
from weishang.content.models import Course, Lesson
from weishang.core_errors import DomainError

from .views import _attempt, _back, _form_errors, staff_post, staff_required

PROGRESS_PAGE_SIZE = 50


class CourseForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=60)
    summary = forms.CharField(
        label=gettext_lazy("Summary"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_onboarding = forms.BooleanField(
        label=gettext_lazy("Onboarding course: every new distributor is pointed to it"),
        required=False,
    )


class LessonForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=60)
    body = forms.CharField(
        label=gettext_lazy("Lesson"),
        max_length=richtext.MAX_INPUT_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 16, "data-richtext": ""}),
    )


class MoveForm(forms.Form):
    direction = forms.ChoiceField(choices=[(courses.UP, "up"), (courses.DOWN, "down")])


class PictureForm(forms.Form):
    image = forms.FileField(label=gettext_lazy("Picture (JPEG, PNG or WebP)"))


def _course_or_404(course_id) -> Course:
    try:
        return courses.course(course_id)
    except Course.DoesNotExist as exc:
        raise Http404 from exc


def _lesson_or_404(course, lesson_id) -> Lesson:
    try:
        return courses.lesson(course, lesson_id)
    except Lesson.DoesNotExist as exc:
        raise Http404 from exc


def _course_fields(form) -> dict:
    data = form.cleaned_data
    return {
        "title": data["title"],
        "summary": data["summary"],
        "is_onboarding": data["is_onboarding"],
    }


@staff_required
def course_list(request):
    """Every course with its completion, and the form to start one."""
    if request.method == "POST":
        form = CourseForm(request.POST)
        created = []
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: created.append(
                courses.create_course(
                    actor=request.user, now=timezone.now(), **_course_fields(form)
                )
            ),
            _("The course is created as a draft: add its lessons, then publish it."),
        ):
            return redirect("console:course_detail", course_id=created[0].pk)
    else:
        form = CourseForm()
    return render(
        request,
        "console/content/course_list.html",
        {"rows": courses.courses_with_figures(), "form": form, "nav": "courses"},
    )


@staff_required
def course_detail(request, course_id):
    """The course's settings, its lessons in order and each distributor's progress."""
    course = _course_or_404(course_id)
    if request.method == "POST":
        form = CourseForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: courses.update_course(
                actor=request.user, course=course, **_course_fields(form)
            ),
            _("The course is saved."),
        ):
            return redirect("console:course_detail", course_id=course.pk)
    else:
        form = CourseForm(
            initial={
                "title": course.title,
                "summary": course.summary,
                "is_onboarding": course.is_onboarding,
            }
        )
    lessons = courses.lessons_of(course)
    page = Paginator(courses.progress_by_distributor(course), PROGRESS_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "console/content/course_detail.html",
        {
            "course": course,
            "form": form,
            "lessons": lessons,
            "figures": courses.courses_with_figures(course_ids=[course.pk])[0],
            "page": page,
            "nav": "courses",
        },
    )


@staff_post
def course_publish(request, course_id):
    course = _course_or_404(course_id)
    _attempt(
        request,
        lambda: courses.publish_course(actor=request.user, course=course),
        _("The course is published: distributors can take it now."),
    )
    return redirect("console:course_detail", course_id=course.pk)


@staff_post
def course_unpublish(request, course_id):
    course = _course_or_404(course_id)
    _attempt(
        request,
        lambda: courses.unpublish_course(actor=request.user, course=course),
        _("The course is back to a draft: distributors no longer see it."),
    )
    return redirect("console:course_detail", course_id=course.pk)


def _lesson_page(request, course, form, lesson=None):
    return render(
        request,
        "console/content/course_lesson.html",
        {
            "course": course,
            "lesson": lesson,
            "form": form,
            "picture_form": PictureForm(),
            "nav": "courses",
        },
    )


@staff_required
def lesson_new(request, course_id):
    course = _course_or_404(course_id)
    form = LessonForm(request.POST or None)
    if request.method == "POST":
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: courses.add_lesson(actor=request.user, course=course, **form.cleaned_data),
            _("The lesson is added."),
        ):
            return redirect("console:course_detail", course_id=course.pk)
    return _lesson_page(request, course, form)


@staff_required
def lesson_edit(request, course_id, lesson_id):
    course = _course_or_404(course_id)
    lesson = _lesson_or_404(course, lesson_id)
    if request.method == "POST":
        form = LessonForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: courses.update_lesson(actor=request.user, lesson=lesson, **form.cleaned_data),
            _("The lesson is saved."),
        ):
            return redirect("console:course_detail", course_id=course.pk)
    else:
        form = LessonForm(initial={"title": lesson.title, "body": lesson.body})
    return _lesson_page(request, course, form, lesson)


@staff_post
def lesson_move(request, course_id, lesson_id):
    course = _course_or_404(course_id)
    lesson = _lesson_or_404(course, lesson_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Move a lesson up or down."))
    else:
        _attempt(
            request,
            lambda: courses.move_lesson(
                actor=request.user, lesson=lesson, direction=form.cleaned_data["direction"]
            ),
            _("The lesson %(title)s is moved.") % {"title": lesson.title},
        )
    return redirect("console:course_detail", course_id=course.pk)


@staff_post
def lesson_delete(request, course_id, lesson_id):
    course = _course_or_404(course_id)
    lesson = _lesson_or_404(course, lesson_id)
    _attempt(
        request,
        lambda: courses.delete_lesson(actor=request.user, lesson=lesson),
        _("The lesson %(title)s is deleted.") % {"title": lesson.title},
    )
    return redirect("console:course_detail", course_id=course.pk)


@staff_post
def lesson_image(request):
    """Stores a checked picture for a lesson. The editor asks for JSON (``{"url": ...}``); the
    plain form, without JavaScript, comes back to its page with the HTML to paste."""
    wants_json = "application/json" in request.headers.get("Accept", "")
    form = PictureForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ContentError(_("Choose a picture to upload."), code="no_picture")
        picture = courses.upload_lesson_image(
            actor=request.user, image_file=form.cleaned_data["image"], now=timezone.now()
        )
    except DomainError as error:
        if wants_json:
            return JsonResponse({"error": str(error.message)}, status=400)
        messages.error(request, error.message)
        return _back(request, "console:course_list")
    url = picture.image.url
    if wants_json:
        return JsonResponse({"url": url})
    messages.success(
        request,
        _("The picture is uploaded. Put it in the lesson with: %(html)s")
        % {"html": f'<img src="{url}" alt="">'},
    )
    return _back(request, "console:course_list")
