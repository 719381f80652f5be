"""The distributor's posting planner (/d/planner/): his posts for a day with the day's check
against the brand's posting cadence; he adds his own posts, moves and deletes his posts, and is
warned, with nothing saved, before an add or a move would break the rule ("post anyway"
resubmits with ``confirm``)."""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_http_methods

from weishang.content import cadence, planner
from weishang.content.errors import ContentError
from weishang.content.models import Post
from weishang.inputs import DateField

from .distributor_views import _render, distributor_required
from .views import _form_errors


class OwnPostForm(forms.Form):
    text = forms.CharField(
        label=pgettext_lazy("post", "Text"),
        max_length=planner.TEXT_MAX,
        error_messages={"required": gettext_lazy("Write the post's text.")},
    )
    about_products = forms.BooleanField(required=False)
    day = DateField(label=gettext_lazy("Post on"))
    confirm = forms.BooleanField(required=False)


class MovePostForm(forms.Form):
    key = forms.CharField(max_length=Post._meta.get_field("key").max_length)
    day = DateField(label=gettext_lazy("Move to"))
    confirm = forms.BooleanField(required=False)


class DeletePostForm(forms.Form):
    key = forms.CharField(max_length=Post._meta.get_field("key").max_length)


def _day_shown(request, today):
    """The day in ``?day=``, or today (with a message when it is not a day)."""
    raw = request.GET.get("day") or request.POST.get("day") or ""
    if not raw:
        return today
    field = DateField(required=False)
    try:
        return field.clean(raw) or today
    except forms.ValidationError:
        messages.error(request, _("Enter a day as YYYY-MM-DD, for example 2026-12-01."))
        return today


def _act(request, distributor, today, now):
    """Runs the posted act: (True, day to show) when done; (False, warning) when the rule would
    break; (False, None) when it failed with a message."""
    action = request.POST.get("action")
    form_class = {"add": OwnPostForm, "move": MovePostForm, "delete": DeletePostForm}.get(action)
    if form_class is None:
        messages.error(request, _("Choose what to do with the post."))
        return False, None
    form = form_class(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
        return False, None
    data = form.cleaned_data
    try:
        if action == "add":
            post = planner.plan_own_post(
                distributor=distributor,
                text=data["text"],
                about_products=data["about_products"],
                day=data["day"],
                now=now,
                today=today,
                confirm=data["confirm"],
            )
            messages.success(request, _("Your post is planned."))
            return True, post.planned_on
        if action == "move":
            post = planner.move_post(
                distributor=distributor,
                key=data["key"],
                day=data["day"],
                today=today,
                confirm=data["confirm"],
            )
            messages.success(
                request, _("The post is moved to %(day)s.") % {"day": post.planned_on.isoformat()}
            )
            return True, post.planned_on
        planner.delete_post(distributor=distributor, key=data["key"])
        messages.success(request, _("The post is deleted."))
        return True, None
    except planner.CadenceWarning as warning:
        return False, {"action": action, "problems": warning.problems, "data": data}
    except ContentError as error:
        messages.error(request, error.message)
        return False, None


@distributor_required
@require_http_methods(["GET", "POST"])
def planner_page(request):
    distributor = request.distributor
    now = timezone.now()
    today = timezone.localdate(now)
    day = _day_shown(request, today)
    warning = None
    values = {}
    if request.method == "POST":
        done, outcome = _act(request, distributor, today, now)
        if done:
            return redirect(f"{reverse('distributor:planner')}?day={(outcome or day).isoformat()}")
        warning = outcome
        if request.POST.get("action") == "add":
            values = {
                "text": request.POST.get("text", ""),
                "about_products": bool(request.POST.get("about_products")),
            }
    plan = planner.day_plan(distributor, day, today)
    return _render(
        request,
        "planner.html",
        {
            "day": day,
            "today": today,
            "previous_day": day - timedelta(days=1),
            "next_day": day + timedelta(days=1),
            "rows": plan.posts,
            "problems": plan.problems,
            "rule": plan.rule,
            "share": cadence.percent(plan.rule.product_share_max_bp),
            "warning": warning,
            "values": values,
            "plan_ahead": planner.PLAN_AHEAD_DAYS,
            "plannable": plan.plannable,
        },
        "planner",
    )
