"""The creative group (创意群): customers and distributors submit ideas in pictures and words; the
brand accepts one (points awarded, the author credited, perhaps a draft official theme made from
it) or rejects it with a reason the author reads. Reviews are staff acts, audited."""

import math
import uuid
from datetime import datetime

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from weishang import throttle
from weishang.compliance import audit
from weishang.loyalty.points import grant_points

from .errors import ContentError
from .models import Submission, SubmissionImage, Theme, ThemeImage
from .pictures import checked_picture

TITLE_MAX = 60
TEXT_MAX = 1000
REASON_MAX = 300
MAX_PICTURES = 6
POINTS_MAX = 100_000
DEFAULT_POINTS = 100
# Ten ideas a day for one author: enough for anyone with ideas, not enough to flood the review.
IDEAS_PER_AUTHOR = throttle.Limit(
    "idea-author", hits=10, window=24 * throttle.HOUR, lockout=24 * throttle.HOUR
)

Status = Submission.Status


def _checked_picture(picture) -> str:
    return checked_picture(picture).extension


def _idea_words(title, text) -> tuple[str, str]:
    title, text = str(title or "").strip(), str(text or "").strip()
    if not title:
        raise ContentError(_("Give your idea a title."), code="title_required")
    if len(title) > TITLE_MAX:
        raise ContentError(
            _("A title can be at most %(n)d characters.") % {"n": TITLE_MAX}, code="too_long"
        )
    if not text:
        raise ContentError(_("Describe your idea."), code="text_required")
    if len(text) > TEXT_MAX:
        raise ContentError(
            _("An idea can be at most %(n)d characters.") % {"n": TEXT_MAX}, code="too_long"
        )
    return title, text


def _save_pictures(rows_and_files) -> None:
    """Stores each picture under a random name (the upload's own name never reaches the disk or a
    URL); what was stored is removed again if one fails."""
    saved = []
    try:
        for row, picture, extension in rows_and_files:
            row.image.save(f"{uuid.uuid4().hex}.{extension}", picture, save=False)
            saved.append(row.image)
            row.save(force_insert=True)
    except Exception:
        for image in saved:
            image.storage.delete(image.name)
        raise


@transaction.atomic(durable=True)
def submit_idea(
    *, author, request_key: str, title: str, text: str, pictures=(), now: datetime | None = None
) -> Submission:
    """Submits the author's idea for the brand's review. The form's request key makes a double
    submit one idea; an author submits at most ``IDEAS_PER_AUTHOR`` a day."""
    now = now or timezone.now()
    existing = Submission.objects.filter(author=author, request_key=request_key).first()
    if existing is not None:
        return existing
    title, text = _idea_words(title, text)
    pictures = [picture for picture in pictures or () if picture]
    if len(pictures) > MAX_PICTURES:
        raise ContentError(
            _("You can add at most %(n)d pictures.") % {"n": MAX_PICTURES},
            code="too_many_pictures",
        )
    extensions = [_checked_picture(picture) for picture in pictures]
    try:
        throttle.take((IDEAS_PER_AUTHOR, str(author.pk)))
    except throttle.Throttled as exc:
        hours = math.ceil(exc.seconds / throttle.HOUR)
        raise ContentError(
            ngettext(
                "You have submitted many ideas today; you can submit more in %(hours)d hour.",
                "You have submitted many ideas today; you can submit more in %(hours)d hours.",
                hours,
            )
            % {"hours": hours},
            code="throttled",
        ) from exc
    try:
        with transaction.atomic():
            submission = Submission.objects.create(
                author=author, request_key=request_key, title=title, text=text, submitted_at=now
            )
    except IntegrityError:  # the same form sent twice at once: the first one made the idea
        return Submission.objects.get(author=author, request_key=request_key)
    _save_pictures(
        (SubmissionImage(submission=submission, position=position), picture, extension)
        for position, (picture, extension) in enumerate(zip(pictures, extensions, strict=True))
    )
    return submission


def _locked(submission_id: int) -> Submission:
    """The idea, its row locked: two staff reviewing it at once are served one after the other."""
    try:
        return Submission.objects.filter(pk=submission_id).order_by("pk").select_for_update().get()
    except Submission.DoesNotExist as exc:
        raise ContentError(_("There is no such idea."), code="not_found") from exc


def _still_pending(submission: Submission) -> None:
    if submission.status != Status.PENDING:
        raise ContentError(
            _("This idea was already reviewed (%(status)s); it cannot be reviewed again.")
            % {"status": submission.get_status_display()},
            code="already_reviewed",
        )


def _theme_from(submission: Submission, now: datetime) -> Theme:
    """A draft official theme with the idea's title, words and pictures (copied, so the library
    edits its own files), credited to the author."""
    theme = Theme.objects.create(
        title=submission.title,
        copy=submission.text,
        status=Theme.Status.DRAFT,
        credited_to_id=submission.author_id,
        created_at=now,
    )
    copies = []
    for picture in submission.images.all():
        with picture.image.open("rb") as handle:
            content = ContentFile(handle.read())
        extension = picture.image.name.rsplit(".", 1)[-1]
        copies.append((ThemeImage(theme=theme, position=picture.position), content, extension))
    _save_pictures(copies)
    return theme


@transaction.atomic(durable=True)
def accept_idea(
    *,
    actor,
    submission_id: int,
    points: int,
    make_theme: bool = False,
    now: datetime | None = None,
) -> Submission:
    """Accepts a waiting idea: the author gets ``points`` (0 to ``POINTS_MAX``) in his points
    history, and with ``make_theme`` a draft official theme credited to him; audited."""
    now = now or timezone.now()
    if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= POINTS_MAX:
        raise ContentError(
            _("Award from 0 to %(max)s points.") % {"max": f"{POINTS_MAX:,}"}, code="points"
        )
    submission = _locked(submission_id)
    _still_pending(submission)
    if points:
        grant_points(
            customer_id=submission.author_id,
            points=points,
            key=f"idea:{submission.pk}",
            reason=_("Idea accepted: %(title)s") % {"title": submission.title},
            now=now,
        )
    theme = _theme_from(submission, now) if make_theme else None
    submission.status = Status.ACCEPTED
    submission.points = points
    submission.theme = theme
    submission.reviewed_at = now
    submission.reviewed_by = actor
    submission.save(update_fields=["status", "points", "theme", "reviewed_at", "reviewed_by"])
    audit.record(
        actor=actor,
        action="idea.accept",
        obj=submission,
        before={"status": Status.PENDING},
        after={"status": Status.ACCEPTED, "points": points, "theme": theme.pk if theme else None},
    )
    return submission


@transaction.atomic(durable=True)
def reject_idea(
    *, actor, submission_id: int, reason: str, now: datetime | None = None
) -> Submission:
    """Rejects a waiting idea with a reason the author reads; audited."""
    now = now or timezone.now()
    reason = str(reason or "").strip()
    if not reason:
        raise ContentError(
            _("Say why the idea is not accepted; the author reads it."), code="reason"
        )
    if len(reason) > REASON_MAX:
        raise ContentError(
            _("A reason can be at most %(n)d characters.") % {"n": REASON_MAX}, code="too_long"
        )
    submission = _locked(submission_id)
    _still_pending(submission)
    submission.status = Status.REJECTED
    submission.reason = reason
    submission.reviewed_at = now
    submission.reviewed_by = actor
    submission.save(update_fields=["status", "reason", "reviewed_at", "reviewed_by"])
    audit.record(
        actor=actor,
        action="idea.reject",
        obj=submission,
        before={"status": Status.PENDING},
        after={"status": Status.REJECTED},
        reason=reason,
    )
    return submission


# Reads -------------------------------------------------------------------------------------------


def ideas_of(author) -> QuerySet[Submission]:
    """The author's ideas, newest first, with their pictures and the theme made from them."""
    return (
        Submission.objects.filter(author=author)
        .select_related("theme")
        .prefetch_related("images")
        .order_by("-submitted_at", "-pk")
    )


def review_queue(*, status: str = "") -> QuerySet[Submission]:
    """Ideas for the brand's review: waiting ones first, the longest waiting first; then the
    reviewed ones, the latest review first. ``status`` keeps only that status."""
    ideas = Submission.objects.select_related("author").annotate(
        waiting=Case(
            When(status=Status.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        ),
        waiting_since=Case(When(status=Status.PENDING, then=F("submitted_at"))),
    )
    if status:
        ideas = ideas.filter(status=status)
    return ideas.order_by(
        "waiting",
        F("waiting_since").asc(nulls_last=True),
        F("reviewed_at").desc(nulls_last=True),
        "-pk",
    )


def idea_for_staff(submission_id: int) -> Submission:
    """One idea with its author, reviewer, pictures and theme; Submission.DoesNotExist if none."""
    return (
        Submission.objects.select_related("author", "reviewed_by", "theme")
        .prefetch_related("images")
        .get(pk=submission_id)
    )
