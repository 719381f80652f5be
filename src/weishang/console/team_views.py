"""Brand console: teams (团队). The owner and operators create, rename and close teams, set the
leader, add and remove members and assign courses (``roles`` area "teams"); the auditor reads.
Each act is audited by its teams service. A staff member who leads a team reads it on "My team".

Every team page shows the team's aggregate figures and each member's own (his store name, sales,
orders, how many customers bought, courses done): no customer's data and no member's real name or
ID number reach the template (PIPL Art. 6). Pay is each member's own direct commission."""

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.analytics.fold import folded
from weishang.inputs import IntegerField, text_field
from weishang.replicas import replica_reads
from weishang.teams import selectors
from weishang.teams import services as teams
from weishang.teams.models import Team, TeamEvent

from . import roles
from .analytics_views import period_of
from .views import _attempt, _form_errors, _page, staff_post, staff_required


class TeamForm(forms.Form):
    name = text_field(Team, "name", label=gettext_lazy("Team name"), required=True)


class LeaderForm(forms.Form):
    leader_mobile = forms.CharField(
        label=gettext_lazy("Leader: a distributor's mobile number"), max_length=20, required=False
    )
    leader_username = forms.CharField(
        label=gettext_lazy("or a staff member's username"), max_length=150, required=False
    )


class NewTeamForm(TeamForm, LeaderForm):
    pass


class MemberForm(forms.Form):
    mobile = forms.CharField(label=gettext_lazy("Distributor's mobile number"), max_length=20)
    reason = text_field(TeamEvent, "reason", label=gettext_lazy("Why (kept with the record)"))


class RemoveMemberForm(forms.Form):
    distributor = IntegerField(min_value=1, max_value=2**31 - 1)
    reason = text_field(TeamEvent, "reason", label=gettext_lazy("Why (kept with the record)"))


class CourseForm(forms.Form):
    course = IntegerField(label=gettext_lazy("Course"), min_value=1, max_value=2**31 - 1)


def _team_or_404(team_id: int) -> Team:
    try:
        return selectors.team(team_id)
    except Team.DoesNotExist:
        raise Http404 from None


@staff_required
def team_list(request):
    """Every team with its leader and member count, and the form to add one."""
    if request.method == "POST":
        form = NewTeamForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: teams.create_team(actor=request.user, now=timezone.now(), **form.cleaned_data),
            _("The team %(name)s is added.") % {"name": form.cleaned_data["name"]},
        ):
            return redirect("console:team_list")
    else:
        form = NewTeamForm()
    return render(
        request,
        "console/teams/teams.html",
        {"page": _page(request, selectors.teams_for_console()), "form": form, "nav": "teams"},
    )


def team_context(team: Team, period) -> dict:
    """What every page about one team shows: its figures for the period and its members."""
    figures, members = selectors.team_page(team, period)
    return {
        "team": team,
        "figures": figures,
        "members": members,
        "courses": selectors.assigned_courses(team),
    }


@staff_required
@folded
@replica_reads
def team_detail(request, team_id: int):
    """A team's figures, members, courses and history; POST renames it."""
    team = _team_or_404(team_id)
    if request.method == "POST":
        form = TeamForm(request.POST)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: teams.rename_team(
                actor=request.user, team_id=team.pk, name=form.cleaned_data["name"]
            ),
            _("The team is renamed."),
        ):
            return redirect("console:team_detail", team_id=team.pk)
    period_form, period = period_of(request)
    return render(
        request,
        "console/teams/team.html",
        {
            **team_context(team, period),
            "period_form": period_form,
            "period": period,
            "keep": [],
            "rename_form": TeamForm(initial={"name": team.name}),
            "leader_form": LeaderForm(),
            "member_form": MemberForm(),
            "courses_to_assign": selectors.courses_to_assign(team),
            "can_manage": team.is_open and roles.user_can(request.user, "team_member_add", "POST"),
            "events": selectors.events_of(team),
            "nav": "teams",
        },
    )


def _team_act(request, team_id: int, form_class, act, success):
    """A brand act on one team from a posted form: ``act(team, data)`` calls the service; a bad
    form or a refusal is a message and changes nothing. Back to the team's page either way."""
    team = _team_or_404(team_id)
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(request, lambda: act(team, form.cleaned_data), success)
    return redirect("console:team_detail", team_id=team.pk)


@staff_post
def team_leader(request, team_id: int):
    return _team_act(
        request,
        team_id,
        LeaderForm,
        lambda team, data: teams.set_leader(actor=request.user, team_id=team.pk, **data),
        _("The team's leader is set."),
    )


@staff_post
def team_close(request, team_id: int):
    team = _team_or_404(team_id)
    _attempt(
        request,
        lambda: teams.close_team(actor=request.user, team_id=team.pk, now=timezone.now()),
        _("The team is closed: its members have left it; its history stays."),
    )
    return redirect("console:team_detail", team_id=team.pk)


@staff_post
def team_member_add(request, team_id: int):
    return _team_act(
        request,
        team_id,
        MemberForm,
        lambda team, data: teams.add_member(
            actor=request.user, team_id=team.pk, now=timezone.now(), **data
        ),
        _("The distributor is in the team."),
    )


@staff_post
def team_member_remove(request, team_id: int):
    return _team_act(
        request,
        team_id,
        RemoveMemberForm,
        lambda team, data: teams.remove_member(
            actor=request.user,
            team_id=team.pk,
            distributor_id=data["distributor"],
            reason=data["reason"],
            now=timezone.now(),
        ),
        _("The distributor has left the team."),
    )


@staff_post
def team_course_assign(request, team_id: int):
    return _team_act(
        request,
        team_id,
        CourseForm,
        lambda team, data: teams.assign_course(
            actor=request.user, team_id=team.pk, course_id=data["course"], now=timezone.now()
        ),
        _("The course is assigned to every member of the team."),
    )


@staff_post
def team_course_unassign(request, team_id: int):
    return _team_act(
        request,
        team_id,
        CourseForm,
        lambda team, data: teams.unassign_course(
            actor=request.user, team_id=team.pk, course_id=data["course"]
        ),
        _("The course is no longer assigned to the team."),
    )


class LeaderCourseForm(CourseForm):
    team = IntegerField(min_value=1, max_value=2**31 - 1)
    action = forms.ChoiceField(choices=[("assign", "assign"), ("unassign", "unassign")])


@staff_post
def my_team_course(request):
    """A staff leader assigns a course to his team, or takes it back; the service checks that he
    leads the team."""
    form = LeaderCourseForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
        return redirect("console:my_team")
    data = form.cleaned_data
    if data["action"] == "assign":
        _attempt(
            request,
            lambda: teams.staff_leader_assigns_course(
                actor=request.user,
                team_id=data["team"],
                course_id=data["course"],
                now=timezone.now(),
            ),
            _("The course is assigned to every member of the team."),
        )
    else:
        _attempt(
            request,
            lambda: teams.staff_leader_unassigns_course(
                actor=request.user, team_id=data["team"], course_id=data["course"]
            ),
            _("The course is no longer assigned to the team."),
        )
    return redirect("console:my_team")


@staff_required
@folded
@replica_reads
def my_team(request):
    """The teams the signed-in staff member leads, read only; any role may lead one."""
    period_form, period = period_of(request)
    return render(
        request,
        "console/teams/my_team.html",
        {
            "teams": [
                team_context(team, period) | {"to_assign": selectors.courses_to_assign(team)}
                for team in selectors.teams_led_by_staff(request.user)
            ],
            "period_form": period_form,
            "period": period,
            "keep": [],
            "nav": "my_team",
        },
    )
