"""The distributor's material over JSON: the brand's library of themes, his personal posts (made
from a theme in one action or written himself, edited, deleted, their pictures with his QR
code) and his training courses. Only his own posts: another's key is not found. Each endpoint
calls what the distributor console's pages call (``console.distributor_posts``,
``console.distributor_planner``, ``console.distributor_courses``)."""

from datetime import date, datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from ninja import Router, Schema, Status
from pydantic import Field

from weishang.console.content_library import media_response
from weishang.content import courses, library, planner, post_material, posts
from weishang.content import selectors as content
from weishang.content.models import Course, Post, ThemeMedia
from weishang.content.posters import PictureUnreadable
from weishang.distribution import sharing

from . import auth
from .errors import ERRORS, not_found
from .namespace import API_NAMESPACE
from .pagination import PageParams, page
from .schemas import Id, PathKey, Text

router = Router(tags=["distributor"], auth=auth.DistributorAuth())
PICTURE_MAX_AGE = 3600


def _url(request, name: str, **kwargs) -> str:
    return request.build_absolute_uri(reverse(f"{API_NAMESPACE}:{name}", kwargs=kwargs))


# The material library ----------------------------------------------------------------------------


class ProductRef(Schema):
    key: str
    name: str


class ThemeMediaOut(Schema):
    id: int
    kind: str
    kind_label: str
    url: str = Field(description="This API's address of the file (byte ranges are served).")


class ThemeOut(Schema):
    id: int
    title: str
    text: str = Field(description="The theme's words (its copy), which a post starts from.")
    image: str | None = Field(description="The theme's first picture.")
    products: list[ProductRef]
    media: list[ThemeMediaOut] = Field(description="Its voice and video files.")
    segment: str | None = Field(description="The audience the brand meant it for.")
    valid_until: datetime | None


class ThemePage(Schema):
    items: list[ThemeOut]
    next_cursor: str | None


def _theme(request, theme) -> dict:
    image = next(iter(theme.images.all()), None)
    return {
        "id": theme.pk,
        "title": theme.title,
        "text": theme.copy,
        "image": request.build_absolute_uri(image.image.url) if image else None,
        "products": [
            {"key": row.product.url_key, "name": row.product.name}
            for row in theme.theme_products.all()
        ],
        "media": [
            {
                "id": media.pk,
                "kind": media.kind,
                "kind_label": str(media.get_kind_display()),
                "url": _url(request, "distributor_theme_media", media_id=media.pk),
            }
            for media in theme.media.all()
        ],
        "segment": theme.segment.name if theme.segment_id else None,
        "valid_until": theme.valid_until,
    }


@router.get("/library", response={200: ThemePage, **ERRORS})
def themes(request, params: PageParams):
    """The brand's themes he may use now, newest first."""
    return page(
        content.themes_for_distributors(timezone.now()),
        params,
        ordering=("-published_at", "-pk"),
        row=lambda theme: _theme(request, theme),
    )


@router.get(
    "/library/media/{media_id}",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {
            200: {"description": "The voice or video file", "content": {"audio/*": {}}},
            206: {"description": "The byte range asked for"},
        }
    },
)
def distributor_theme_media(request, media_id: Id):
    """A voice or video file of a theme he may use now."""
    try:
        media = library.media_for_distributors(media_id=media_id, now=timezone.now())
    except ThemeMedia.DoesNotExist as exc:
        raise not_found() from exc
    return media_response(request, media)


# His posts ---------------------------------------------------------------------------------------


class PostOut(Schema):
    key: str
    title: str | None = Field(description="The theme's title; None for a post he wrote.")
    text: str
    about_products: bool
    planned_on: date
    created_at: datetime


class PostPage(Schema):
    items: list[PostOut]
    next_cursor: str | None


class PostLink(Schema):
    key: str
    name: str
    link: str


class PostDetail(PostOut):
    store_link: str = Field(description="His store's share link naming the post.")
    products: list[PostLink] = Field(description="His share link to each of its products.")
    pictures: list[str] = Field(
        description="This API's addresses of its pictures (PNG, each with his QR code); none "
        "while his store is closed."
    )
    pictures_zip: str | None = Field(description="Every picture in one zip file.")


class NewPost(Schema):
    text: Text(planner.TEXT_MAX, min_length=1)
    about_products: bool = False
    day: date = Field(description="The day to post on: today up to 90 days ahead.")
    confirm: bool = Field(
        False, description="Plan it even though the day would break the brand's posting rule."
    )


class PostText(Schema):
    text: Text(posts.TEXT_MAX, min_length=1)


def _post(post) -> dict:
    return {
        "key": post.key,
        "title": post.theme.title if post.theme_id else None,
        "text": post.text,
        "about_products": post.about_products,
        "planned_on": post.planned_on,
        "created_at": post.created_at,
    }


def _his_post(request, key: str) -> Post:
    try:
        return content.post_of(request.distributor.pk, key)
    except Post.DoesNotExist as exc:
        raise not_found() from exc


def _detail(request, key: str) -> dict:
    """The post as his post page shows it (read again: its theme's products and pictures)."""
    post = _his_post(request, key)
    selling = request.distributor.can_sell
    count = len(post_material.pictures(post)) if selling else 0
    return {
        **_post(post),
        "store_link": sharing.absolute(post_material.link(post)),
        "products": [
            {
                "key": row["product"].url_key,
                "name": row["product"].name,
                "link": sharing.absolute(row["link"]),
            }
            for row in post_material.product_links(post)
        ],
        "pictures": [
            _url(request, "post_picture", key=post.key, number=number)
            for number in range(1, count + 1)
        ],
        "pictures_zip": _url(request, "post_pictures_zip", key=post.key) if count else None,
    }


@router.get("/posts", response={200: PostPage, **ERRORS})
def post_list(request, params: PageParams):
    """His posts, newest day first."""
    return page(
        content.posts_of(request.distributor.pk),
        params,
        ordering=("-planned_on", "-created_at", "-pk"),
        row=_post,
    )


@router.post("/posts", response={201: PostDetail, **ERRORS})
def plan_post(request, payload: NewPost):
    """A post he writes himself, planned for a day. One that would break the brand's posting
    rule saves nothing and is refused with code ``cadence`` and the problems as its message; the
    same request with ``confirm`` plans it anyway."""
    now = timezone.now()
    post = planner.plan_own_post(
        distributor=request.distributor,
        text=payload.text,
        about_products=payload.about_products,
        day=payload.day,
        now=now,
        today=timezone.localdate(now),
        confirm=payload.confirm,
    )
    return Status(201, _detail(request, post.key))


@router.post("/library/{theme_id}/use", response={201: PostDetail, **ERRORS})
def use_theme(request, theme_id: Id):
    """One action: the theme becomes his post for today (using it again today returns the same
    post)."""
    now = timezone.now()
    post = posts.make_post(
        distributor=request.distributor,
        theme_id=theme_id,
        planned_on=timezone.localdate(now),
        now=now,
    )
    return Status(201, _detail(request, post.key))


@router.get("/posts/{key}", response={200: PostDetail, **ERRORS})
def post_detail(request, key: PathKey):
    """His post with his links and its pictures' addresses."""
    return _detail(request, key)


@router.put("/posts/{key}", response={200: PostDetail, **ERRORS})
def edit_post(request, key: PathKey, payload: PostText):
    """His own words for his post (the links and pictures stay his)."""
    _his_post(request, key)
    posts.edit_post(distributor=request.distributor, key=key, text=payload.text)
    return _detail(request, key)


@router.delete("/posts/{key}", response={204: None, **ERRORS})
def delete_post(request, key: PathKey):
    """Deletes his post; one that brought an order stays on record (refused)."""
    _his_post(request, key)
    posts.delete_post(distributor=request.distributor, key=key)
    return Status(204, None)


def _with_pictures(request, key: str) -> Post:
    """Pictures carry his QR code: none while his store is closed."""
    if not request.distributor.can_sell:
        raise not_found()
    return _his_post(request, key)


@router.get(
    "/posts/{key}/pictures/{number}",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {200: {"description": "The picture", "content": {"image/png": {}}}}
    },
)
def post_picture(request, key: PathKey, number: Id):
    """One picture of his post as PNG, with his QR code; its ETag answers a repeat request
    with 304."""
    pictures = post_material.pictures(_with_pictures(request, key))
    if number > len(pictures):
        raise not_found()
    picture = pictures[number - 1]
    etag = f'"{post_material.picture_key(picture)}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        return not_modified
    try:
        body = post_material.png(picture)
    except PictureUnreadable as exc:
        raise not_found() from exc
    response = HttpResponse(body, content_type="image/png")
    patch_cache_control(response, private=True, max_age=PICTURE_MAX_AGE)
    response["ETag"] = etag
    return response


@router.get(
    "/posts/{key}/pictures.zip",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {200: {"description": "Every picture", "content": {"application/zip": {}}}}
    },
)
def post_pictures_zip(request, key: PathKey):
    """Every picture of his post in one zip file."""
    post = _with_pictures(request, key)
    response = HttpResponse(post_material.zip_file(post), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="post-{post.key}.zip"'
    patch_cache_control(response, private=True, no_store=True)
    return response


# His courses -------------------------------------------------------------------------------------


class CourseOut(Schema):
    id: int
    title: str
    summary: str
    is_onboarding: bool
    lesson_count: int
    done: int = Field(description="How many of its lessons he marked done.")


class LessonRef(Schema):
    id: int
    title: str
    done: bool


class CourseDetail(Schema):
    id: int
    title: str
    summary: str
    is_onboarding: bool
    done: int
    total: int
    lessons: list[LessonRef]


class LessonOut(Schema):
    id: int
    course_id: int
    title: str
    body: str = Field(description="The lesson as HTML, cleaned when the brand saved it.")
    number: int
    total: int
    done: bool
    next_lesson_id: int | None


class LessonDone(Schema):
    next_lesson_id: int | None = Field(description="The lesson to read next, if any.")
    course_done: bool = Field(description="He has now done every lesson of the course.")


def _published(course_id: int) -> Course:
    try:
        return courses.published_course(course_id)
    except Course.DoesNotExist as exc:
        raise not_found() from exc


def _lesson_of(course: Course, lesson_id: int):
    """The course's lessons and the one asked for; not found when it is not the course's."""
    lessons = courses.lessons_of(course)
    lesson = next((item for item in lessons if item.pk == lesson_id), None)
    if lesson is None:
        raise not_found()
    return lessons, lesson


def course_row(course) -> dict:
    """A course of ``courses.courses_for``, with his progress."""
    return {
        "id": course.pk,
        "title": course.title,
        "summary": course.summary,
        "is_onboarding": course.is_onboarding,
        "lesson_count": course.lesson_count,
        "done": course.done,
    }


@router.get("/courses", response={200: list[CourseOut], **ERRORS})
def course_list(request):
    """The published courses he takes, onboarding first, with his progress."""
    return [course_row(course) for course in courses.courses_for(request.distributor)]


@router.get("/courses/{course_id}", response={200: CourseDetail, **ERRORS})
def course_detail(request, course_id: Id):
    """A course's lessons with the ones he did."""
    course = _published(course_id)
    lessons = courses.lessons_of(course)
    done = courses.done_lesson_ids(request.distributor, course)
    return {
        "id": course.pk,
        "title": course.title,
        "summary": course.summary,
        "is_onboarding": course.is_onboarding,
        "done": len(done),
        "total": len(lessons),
        "lessons": [
            {"id": lesson.pk, "title": lesson.title, "done": lesson.pk in done}
            for lesson in lessons
        ],
    }


@router.get("/courses/{course_id}/lessons/{lesson_id}", response={200: LessonOut, **ERRORS})
def lesson_detail(request, course_id: Id, lesson_id: Id):
    """One lesson to read, with whether he did it and the lesson after it."""
    course = _published(course_id)
    lessons, lesson = _lesson_of(course, lesson_id)
    done = courses.done_lesson_ids(request.distributor, course)
    return {
        "id": lesson.pk,
        "course_id": course.pk,
        "title": lesson.title,
        "body": lesson.body,
        "number": lessons.index(lesson) + 1,
        "total": len(lessons),
        "done": lesson.pk in done,
        "next_lesson_id": courses.following([item.pk for item in lessons], lesson.pk),
    }


@router.post("/courses/{course_id}/lessons/{lesson_id}/done", response={200: LessonDone, **ERRORS})
def complete_lesson(request, course_id: Id, lesson_id: Id):
    """Marks the lesson done (again: the first time stays) and names the next one."""
    course = _published(course_id)
    lessons, lesson = _lesson_of(course, lesson_id)
    courses.complete_lesson(distributor=request.distributor, lesson=lesson, now=timezone.now())
    done = courses.done_lesson_ids(request.distributor, course)
    return {
        "next_lesson_id": courses.following([item.pk for item in lessons], lesson.pk),
        "course_done": len(done) >= len(lessons),
    }
