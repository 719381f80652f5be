"""Every write of teams. The brand's acts (create, rename, close, set the leader, add and remove
members, assign courses) take the staff member and write the audit entry in their transaction; a
distributor leaving his team, and a distributor leader assigning courses, are their own acts,
recorded in ``TeamEvent`` / ``CourseAssignment`` with who did it.

Locks: the team first, then the distributor rows in primary-key order (``locks``), so two acts on
the same distributor queue and cannot deadlock; the database keeps him in one team at most."""

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils.translation import gettext as _

from weishang.compliance import audit
from weishang.content.models import Course
from weishang.customers.rules import mobile_error, normalise_mobile
from weishang.distribution.models import Distributor
from weishang.notifications import services as notifications
from weishang.notifications.events import Event

from . import locks
from .errors import TeamError
from .models import CourseAssignment, Membership, Team, TeamEvent

APPROVED = (Distributor.Status.ACTIVE, Distributor.Status.FROZEN)


# Finding people ----------------------------------------------------------------------------------


def _distributor_by_mobile(mobile: str) -> Distributor:
    number = normalise_mobile(mobile)
    if number is None:
        raise TeamError(mobile_error(), code="mobile")
    distributor = Distributor.objects.filter(customer__mobile=number).first()
    if distributor is None:
        raise TeamError(
            _("No distributor has the mobile number %(mobile)s.") % {"mobile": number},
            code="no_distributor",
        )
    if distributor.status not in APPROVED:
        raise TeamError(
            _("%(store)s is blacklisted and has left the programme.")
            % {"store": distributor.store_name},
            code="blacklisted",
        )
    return distributor


def _staff_by_username(username: str):
    user = (
        get_user_model()
        .objects.filter(username=(username or "").strip(), is_staff=True, is_active=True)
        .first()
    )
    if user is None:
        raise TeamError(
            _("No active staff member has the username %(username)s.")
            % {"username": (username or "").strip()},
            code="no_staff",
        )
    return user


def _leader(*, leader_mobile: str, leader_username: str):
    """(distributor, staff member): exactly one of the two, from the form's one filled field."""
    mobile, username = (leader_mobile or "").strip(), (leader_username or "").strip()
    if bool(mobile) == bool(username):
        raise TeamError(
            _(
                "Name one leader: a distributor's mobile number or a staff member's username, "
                "not both."
            ),
            code="one_leader",
        )
    if mobile:
        return _distributor_by_mobile(mobile), None
    return None, _staff_by_username(username)


def _name(name: str) -> str:
    text = (name or "").strip()
    if not text:
        raise TeamError(_("Enter the team's name."), code="required")
    if len(text) > Team._meta.get_field("name").max_length:
        raise TeamError(_("A team's name is at most 40 characters."), code="too_long")
    return text


def _name_free(name: str, *, team_id=None) -> None:
    if Team.objects.filter(name=name, is_open=True).exclude(pk=team_id).exists():
        raise TeamError(
            _("An open team named %(name)s already exists.") % {"name": name}, code="duplicate"
        )


def _may_lead(distributor: Distributor | None, *, team_id=None) -> None:
    """A distributor leads one open team at most and, while he leads, is no team's member."""
    if distributor is None:
        return
    led = Team.objects.filter(leader_distributor=distributor, is_open=True).exclude(pk=team_id)
    if led.exists():
        raise TeamError(
            _("%(store)s already leads the team %(team)s.")
            % {"store": distributor.store_name, "team": led.first().name},
            code="leads_another",
        )
    membership = Membership.objects.filter(distributor=distributor).select_related("team").first()
    if membership is not None:
        raise TeamError(
            _("%(store)s is a member of the team %(team)s: remove him from it first.")
            % {"store": distributor.store_name, "team": membership.team.name},
            code="is_member",
        )


def _tell(event: TeamEvent, what: str) -> None:
    """Tells the distributor the brand put him in a team or took him out (not his own acts)."""
    notifications.notify(
        customer_id=event.distributor.customer_id,
        event=what,
        params={"team": event.team.name},
        key=f"team-event:{event.pk}",
        now=event.at,
    )


def _leader_snapshot(team: Team) -> dict:
    return {"leader_distributor": team.leader_distributor_id, "leader_staff": team.leader_staff_id}


def _open_team(team_id: int) -> Team:
    team = locks.team_for_update(team_id).first()
    if team is None:
        raise TeamError(_("There is no such team."), code="no_team")
    if not team.is_open:
        raise TeamError(_("This team is closed."), code="closed")
    return team


# Teams -------------------------------------------------------------------------------------------


@transaction.atomic(durable=True)
def create_team(
    *, actor, name: str, leader_mobile: str = "", leader_username: str = "", now: datetime
) -> Team:
    name = _name(name)
    _name_free(name)
    distributor, staff = _leader(leader_mobile=leader_mobile, leader_username=leader_username)
    if distributor is not None:
        locks.distributors_for_update([distributor.pk]).first()
    _may_lead(distributor)
    team = Team.objects.create(
        name=name, leader_distributor=distributor, leader_staff=staff, created_at=now
    )
    audit.record(
        actor=actor, action="team.create", obj=team, after={"name": name} | _leader_snapshot(team)
    )
    return team


@transaction.atomic(durable=True)
def rename_team(*, actor, team_id: int, name: str) -> Team:
    team = _open_team(team_id)
    name = _name(name)
    _name_free(name, team_id=team.pk)
    before = {"name": team.name}
    team.name = name
    team.save(update_fields=["name"])
    audit.record_change(
        actor=actor, action="team.rename", obj=team, before=before, after={"name": name}
    )
    return team


@transaction.atomic(durable=True)
def set_leader(*, actor, team_id: int, leader_mobile: str = "", leader_username: str = "") -> Team:
    team = _open_team(team_id)
    distributor, staff = _leader(leader_mobile=leader_mobile, leader_username=leader_username)
    if distributor is not None:
        locks.distributors_for_update([distributor.pk]).first()
    if (distributor and distributor.pk == team.leader_distributor_id) or (
        staff and staff.pk == team.leader_staff_id
    ):
        raise TeamError(_("This is already the team's leader."), code="same_leader")
    _may_lead(distributor, team_id=team.pk)
    before = _leader_snapshot(team)
    team.leader_distributor, team.leader_staff = distributor, staff
    team.save(update_fields=["leader_distributor", "leader_staff"])
    audit.record(
        actor=actor, action="team.set_leader", obj=team, before=before, after=_leader_snapshot(team)
    )
    return team


@transaction.atomic(durable=True)
def close_team(*, actor, team_id: int, now: datetime) -> Team:
    """Every member leaves (each recorded); the team and its history stay on record."""
    team = _open_team(team_id)
    ids = list(team.memberships.values_list("distributor_id", flat=True))
    locked = list(locks.distributors_for_update(ids).values_list("pk", flat=True))
    leaving = list(
        Membership.objects.filter(team=team, distributor_id__in=locked).select_related(
            "distributor"
        )
    )
    for membership in leaving:
        left = TeamEvent.objects.create(
            team=team,
            distributor=membership.distributor,
            kind=TeamEvent.Kind.LEFT,
            actor=actor,
            reason=_("The team was closed."),
            at=now,
        )
        _tell(left, Event.TEAM_LEFT)
    Membership.objects.filter(pk__in=[membership.pk for membership in leaving]).delete()
    team.is_open, team.closed_at = False, now
    team.save(update_fields=["is_open", "closed_at"])
    audit.record(
        actor=actor,
        action="team.close",
        obj=team,
        before={"is_open": True, "members": len(leaving)},
        after={"is_open": False},
    )
    return team


# Members -----------------------------------------------------------------------------------------


def _reason(reason: str) -> str:
    text = (reason or "").strip()
    if len(text) > TeamEvent._meta.get_field("reason").max_length:
        raise TeamError(_("The reason is at most 300 characters."), code="too_long")
    return text


@transaction.atomic(durable=True)
def add_member(*, actor, team_id: int, mobile: str, reason: str = "", now: datetime) -> TeamEvent:
    """Puts the distributor with this mobile number in the team, moving him out of the team he
    was in (recorded as a move)."""
    team = _open_team(team_id)
    reason = _reason(reason)
    distributor = _distributor_by_mobile(mobile)
    locks.distributors_for_update([distributor.pk]).first()
    if Team.objects.filter(leader_distributor=distributor, is_open=True).exists():
        raise TeamError(
            _("%(store)s leads a team and cannot be a member of one.")
            % {"store": distributor.store_name},
            code="is_leader",
        )
    current = Membership.objects.filter(distributor=distributor).first()
    if current is not None and current.team_id == team.pk:
        raise TeamError(
            _("%(store)s is already in this team.") % {"store": distributor.store_name},
            code="already_member",
        )
    if current is None:
        Membership.objects.create(distributor=distributor, team=team, joined_at=now)
        kind, from_team = TeamEvent.Kind.JOINED, None
    else:
        from_team = current.team_id
        current.team, current.joined_at = team, now
        current.save(update_fields=["team", "joined_at"])
        kind = TeamEvent.Kind.MOVED
    event = TeamEvent.objects.create(
        team=team,
        from_team_id=from_team,
        distributor=distributor,
        kind=kind,
        actor=actor,
        reason=reason,
        at=now,
    )
    _tell(event, Event.TEAM_JOINED)
    audit.record(
        actor=actor,
        action="team.add_member",
        obj=team,
        before={"team": from_team} if from_team else None,
        after={"distributor": distributor.pk, "team": team.pk},
        reason=reason,
    )
    return event


def _leave(*, distributor: Distributor, team: Team, actor, by_member: bool, reason: str, now):
    deleted, _rows = Membership.objects.filter(distributor=distributor, team=team).delete()
    if not deleted:
        raise TeamError(
            _("%(store)s is not in this team.") % {"store": distributor.store_name},
            code="not_member",
        )
    return TeamEvent.objects.create(
        team=team,
        distributor=distributor,
        kind=TeamEvent.Kind.LEFT,
        actor=actor,
        by_member=by_member,
        reason=reason,
        at=now,
    )


@transaction.atomic(durable=True)
def remove_member(
    *, actor, team_id: int, distributor_id: int, reason: str = "", now: datetime
) -> TeamEvent:
    team = _open_team(team_id)
    reason = _reason(reason)
    distributor = locks.distributors_for_update([distributor_id]).first()
    if distributor is None:
        raise TeamError(_("There is no such distributor."), code="no_distributor")
    event = _leave(
        distributor=distributor, team=team, actor=actor, by_member=False, reason=reason, now=now
    )
    _tell(event, Event.TEAM_LEFT)
    audit.record(
        actor=actor,
        action="team.remove_member",
        obj=team,
        before={"distributor": distributor.pk, "team": team.pk},
        after={},
        reason=reason,
    )
    return event


@transaction.atomic(durable=True)
def leave_team(*, distributor: Distributor, reason: str = "", now: datetime) -> TeamEvent:
    """The distributor leaves his team himself; recorded as his own act."""
    reason = _reason(reason)
    locks.distributors_for_update([distributor.pk]).first()
    membership = Membership.objects.filter(distributor=distributor).first()
    if membership is None:
        raise TeamError(_("You are not in a team."), code="not_member")
    return _leave(
        distributor=distributor,
        team=membership.team,
        actor=distributor.customer.user,
        by_member=True,
        reason=reason,
        now=now,
    )


# Courses -----------------------------------------------------------------------------------------


def _published_course(course_id) -> Course:
    course = Course.objects.filter(pk=course_id, status=Course.Status.PUBLISHED).first()
    if course is None:
        raise TeamError(_("Choose one of the brand's published courses."), code="no_course")
    return course


def _assign(*, team: Team, course_id, by, now: datetime) -> CourseAssignment:
    course = _published_course(course_id)
    assignment, created = CourseAssignment.objects.get_or_create(
        team=team, course=course, defaults={"assigned_by": by, "assigned_at": now}
    )
    if not created:
        raise TeamError(
            _("The team already has the course %(title)s.") % {"title": course.title},
            code="already_assigned",
        )
    return assignment


def _unassign(*, team: Team, course_id) -> CourseAssignment:
    assignment = CourseAssignment.objects.filter(team=team, course_id=course_id).first()
    if assignment is None:
        raise TeamError(_("The team does not have this course."), code="not_assigned")
    assignment.delete()
    return assignment


@transaction.atomic(durable=True)
def assign_course(*, actor, team_id: int, course_id, now: datetime) -> CourseAssignment:
    """The brand asks every member of the team to take the course."""
    team = _open_team(team_id)
    assignment = _assign(team=team, course_id=course_id, by=actor, now=now)
    audit.record(
        actor=actor, action="team.assign_course", obj=team, after={"course": assignment.course_id}
    )
    return assignment


@transaction.atomic(durable=True)
def unassign_course(*, actor, team_id: int, course_id) -> None:
    team = _open_team(team_id)
    assignment = _unassign(team=team, course_id=course_id)
    audit.record(
        actor=actor,
        action="team.unassign_course",
        obj=team,
        before={"course": assignment.course_id},
        after={},
    )


def _led_by_staff(actor, team_id: int) -> Team:
    team = _open_team(team_id)
    if team.leader_staff_id != actor.pk:
        raise TeamError(_("You do not lead this team."), code="not_leader")
    return team


@transaction.atomic(durable=True)
def staff_leader_assigns_course(
    *, actor, team_id: int, course_id, now: datetime
) -> CourseAssignment:
    """A staff member who leads the team, whatever his role, asks its members to take a course."""
    assignment = _assign(team=_led_by_staff(actor, team_id), course_id=course_id, by=actor, now=now)
    audit.record(
        actor=actor,
        action="team.assign_course",
        obj=assignment.team,
        after={"course": assignment.course_id},
    )
    return assignment


@transaction.atomic(durable=True)
def staff_leader_unassigns_course(*, actor, team_id: int, course_id) -> None:
    team = _led_by_staff(actor, team_id)
    assignment = _unassign(team=team, course_id=course_id)
    audit.record(
        actor=actor,
        action="team.unassign_course",
        obj=team,
        before={"course": assignment.course_id},
        after={},
    )


def _led_by(distributor: Distributor) -> Team:
    team = locks.teams_led_by_for_update(distributor).first()
    if team is None:
        raise TeamError(_("You do not lead a team."), code="not_leader")
    return team


@transaction.atomic(durable=True)
def leader_assigns_course(*, leader: Distributor, course_id, now: datetime) -> CourseAssignment:
    """A distributor leader asks his members to take a course (recorded with him as who)."""
    return _assign(team=_led_by(leader), course_id=course_id, by=leader.customer.user, now=now)


@transaction.atomic(durable=True)
def leader_unassigns_course(*, leader: Distributor, course_id) -> None:
    _unassign(team=_led_by(leader), course_id=course_id)
