"""What the team pages read. A leader sees his team's aggregate figures and each member's own
figures — sales, orders, how many customers bought, assigned courses done — from the analytics
rollups (never a scan of the orders) and the lesson progress; never a customer's name or contact
data, nor a member's real name or ID number (PIPL Art. 6): the rows carry none of them."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q, QuerySet, Sum

from weishang.analytics import selectors as analytics
from weishang.analytics.models import BuyerDay
from weishang.analytics.periods import Period
from weishang.content.courses import completion_rate_bp
from weishang.content.models import Course, LessonProgress
from weishang.distribution.models import Distributor

from .models import CourseAssignment, Membership, Team, TeamEvent

EVENTS_SHOWN = 50


def teams_for_console() -> QuerySet[Team]:
    """Every team with its leader and member count, open ones first."""
    return (
        Team.objects.select_related("leader_distributor", "leader_staff")
        .annotate(member_count=Count("memberships"))
        .order_by("-is_open", "name", "pk")
    )


def team(team_id: int) -> Team:
    """Raises Team.DoesNotExist."""
    return Team.objects.select_related("leader_distributor", "leader_staff").get(pk=team_id)


def team_led_by_distributor(distributor: Distributor) -> Team | None:
    return (
        Team.objects.filter(leader_distributor=distributor, is_open=True)
        .select_related("leader_distributor", "leader_staff")
        .first()
    )


def teams_led_by_staff(user) -> list[Team]:
    return list(
        Team.objects.filter(leader_staff=user, is_open=True).select_related(
            "leader_distributor", "leader_staff"
        )
    )


def membership_of(distributor: Distributor) -> Membership | None:
    """His team now, with its leader, or None."""
    return (
        Membership.objects.filter(distributor=distributor)
        .select_related("team__leader_distributor", "team__leader_staff")
        .first()
    )


def assigned_course_ids(distributor: Distributor) -> set[int]:
    """The courses his team's leader asked him to take; one query."""
    return set(
        CourseAssignment.objects.filter(
            team__memberships__distributor=distributor, team__is_open=True
        ).values_list("course_id", flat=True)
    )


def assigned_courses(team: Team) -> list[Course]:
    """The team's courses, each with ``lesson_count``; one query."""
    return list(
        Course.objects.filter(pk__in=team.assignments.values("course_id"))
        .annotate(lesson_count=Count("lessons"))
        .order_by("position", "pk")
    )


def courses_to_assign(team: Team) -> QuerySet[Course]:
    return (
        Course.objects.filter(status=Course.Status.PUBLISHED)
        .exclude(pk__in=team.assignments.values("course_id"))
        .order_by("position", "pk")
    )


def events_of(team: Team) -> list[TeamEvent]:
    return list(team.events.select_related("distributor", "actor", "from_team")[:EVENTS_SHOWN])


@dataclass(frozen=True)
class MemberFigures:
    distributor_id: int
    store_name: str
    active: bool
    status_label: str
    joined_at: datetime
    sales_fen: int
    orders: int
    customers: int
    courses_done: int
    courses_assigned: int


@dataclass(frozen=True)
class TeamFigures:
    members: int
    sales_fen: int
    orders: int
    customers: int
    courses_assigned: int
    # Assigned courses completed, over members × assigned courses.
    courses_done: int
    training_bp: int


def _in(period: Period) -> Q:
    return Q(day__gte=period.first, day__lte=period.last)


def _sales_by_member(period: Period, ids: list[int]) -> dict[int, tuple[int, int, int]]:
    rows = (
        BuyerDay.objects.filter(_in(period), distributor__in=ids)
        .order_by()
        .values("distributor")
        .annotate(
            total_gmv=Sum("gmv_fen"),
            total_orders=Sum("orders"),
            buyers=Count("customer", distinct=True, filter=Q(orders__gt=0)),
        )
        .values_list("distributor", "total_gmv", "total_orders", "buyers")
    )
    return {row[0]: (int(row[1] or 0), int(row[2] or 0), int(row[3] or 0)) for row in rows}


def _courses_done(ids: list[int], courses: list[Course]) -> dict[int, int]:
    """{member: assigned courses he completed (every lesson done)}; one query."""
    lessons = {course.pk: course.lesson_count for course in courses}
    done = (
        LessonProgress.objects.filter(distributor__in=ids, lesson__course__in=list(lessons))
        .order_by()
        .values("distributor_id", "lesson__course_id")
        .annotate(n=Count("pk"))
        .values_list("distributor_id", "lesson__course_id", "n")
    )
    completed: dict[int, int] = {}
    for distributor_id, course_id, count in done:
        if count >= lessons.get(course_id, 0) > 0:
            completed[distributor_id] = completed.get(distributor_id, 0) + 1
    return completed


def team_page(team: Team, period: Period) -> tuple[TeamFigures, list[MemberFigures]]:
    """The team's aggregate figures for the period and each member's own, the best seller
    first. A fixed number of queries however many members."""
    members = list(
        Membership.objects.filter(team=team)
        .select_related("distributor")
        .only("distributor_id", "joined_at", "distributor__store_name", "distributor__status")
        .order_by("joined_at", "pk")
    )
    ids = [membership.distributor_id for membership in members]
    courses = assigned_courses(team)
    sales = _sales_by_member(period, ids)
    done = _courses_done(ids, courses)
    rows = [
        MemberFigures(
            distributor_id=membership.distributor_id,
            store_name=membership.distributor.store_name,
            active=membership.distributor.can_sell,
            status_label=membership.distributor.get_status_display(),
            joined_at=membership.joined_at,
            sales_fen=sales.get(membership.distributor_id, (0, 0, 0))[0],
            orders=sales.get(membership.distributor_id, (0, 0, 0))[1],
            customers=sales.get(membership.distributor_id, (0, 0, 0))[2],
            courses_done=done.get(membership.distributor_id, 0),
            courses_assigned=len(courses),
        )
        for membership in members
    ]
    rows.sort(key=lambda row: (-row.sales_fen, -row.orders, row.joined_at))
    together = analytics.sales(period, analytics.Slice(tuple(ids)))
    completed = sum(done.values())
    figures = TeamFigures(
        members=len(rows),
        sales_fen=together.gmv_fen,
        orders=together.orders,
        customers=together.buyers,
        courses_assigned=len(courses),
        courses_done=completed,
        training_bp=completion_rate_bp(completed, len(rows) * len(courses)),
    )
    return figures, rows
