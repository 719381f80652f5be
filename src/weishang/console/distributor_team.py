"""The distributor's team (/d/team/). A distributor who leads a team sees its aggregate figures and
each member's own (store name, sales, orders, customers counted, courses done — never a customer's
name or contact data, never a member's real name or ID number: PIPL Art. 6) and assigns the
brand's courses to his members. A member sees his team and its leader, his assigned courses, and
may leave it himself (recorded). Nobody's pay depends on a team (《禁止传销条例》Art. 7(3))."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from weishang.analytics.fold import folded
from weishang.core_errors import DomainError
from weishang.inputs import BIGINT_MAX, parse_int
from weishang.replicas import replica_reads
from weishang.teams import selectors
from weishang.teams import services as teams

from .analytics_views import period_of
from .distributor_views import _render, distributor_required
from .team_views import team_context


def _act(request) -> None:
    """Leaves the team, or (a leader) assigns or unassigns a course; a refusal is a message."""
    distributor, action = request.distributor, request.POST.get("action")
    now = timezone.now()
    course_id = parse_int(request.POST.get("course"), min_value=1, max_value=BIGINT_MAX)
    try:
        if action == "leave":
            teams.leave_team(
                distributor=distributor, reason=request.POST.get("reason", ""), now=now
            )
            messages.success(request, _("You have left your team."))
        elif action == "assign":
            teams.leader_assigns_course(leader=distributor, course_id=course_id, now=now)
            messages.success(request, _("The course is assigned to every member of your team."))
        elif action == "unassign":
            teams.leader_unassigns_course(leader=distributor, course_id=course_id)
            messages.success(request, _("The course is no longer assigned to your team."))
        else:
            messages.error(request, _("Choose what to do."))
    except DomainError as error:
        messages.error(request, error.message)


@distributor_required
@require_http_methods(["GET", "POST"])
@folded
@replica_reads
def team(request):
    if request.method == "POST":
        _act(request)
        return redirect("distributor:team")
    distributor = request.distributor
    led = selectors.team_led_by_distributor(distributor)
    context: dict = {"led": led}
    if led is not None:
        period_form, period = period_of(request)
        context |= team_context(led, period) | {
            "period_form": period_form,
            "period": period,
            "keep": [],
            "courses_to_assign": selectors.courses_to_assign(led),
        }
    else:
        membership = selectors.membership_of(distributor)
        context["membership"] = membership
        if membership is not None:
            context["courses"] = selectors.assigned_courses(membership.team)
    return _render(request, "team.html", context, "team")
