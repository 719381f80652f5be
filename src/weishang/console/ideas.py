"""Console: the creative group's review queue (waiting ideas first) and each idea, accepted with
points (and perhaps made a draft official theme) or rejected with a reason the author reads."""

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.content import ideas
from weishang.content.models import Submission
from weishang.customers.rules import mask_mobile, mask_name
from weishang.inputs import IntegerField

from . import roles
from .views import _attempt, _form_errors, _page, staff_post, staff_required

Status = Submission.Status
TABS = [
    (Status.PENDING, Status.PENDING.label),
    (Status.ACCEPTED, Status.ACCEPTED.label),
    (Status.REJECTED, Status.REJECTED.label),
    ("all", gettext_lazy("All")),
]


class AcceptForm(forms.Form):
    points = IntegerField(
        label=gettext_lazy("Points for the author"),
        min_value=0,
        max_value=ideas.POINTS_MAX,
        initial=ideas.DEFAULT_POINTS,
    )
    make_theme = forms.BooleanField(
        label=gettext_lazy("Make it a draft official theme in the material library"),
        required=False,
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why it is not accepted (the author reads this)"),
        max_length=ideas.REASON_MAX,
        strip=True,
    )


def _show_author(idea, full: bool) -> None:
    """The author as this staff member may see him (masked unless his role needs him in full)."""
    author = idea.author
    idea.author_mobile = author.mobile if full else mask_mobile(author.mobile)
    idea.author_name = author.nickname if full else mask_name(author.nickname)


@staff_required
def idea_list(request):
    status = request.GET.get("status") or Status.PENDING
    if status not in {value for value, _label in TABS}:
        status = Status.PENDING
    page = _page(request, ideas.review_queue(status="" if status == "all" else status))
    full = roles.sees_full_customer_data(request.user)
    for idea in page:
        _show_author(idea, full)
    return render(
        request,
        "console/content/ideas.html",
        {"page": page, "tabs": TABS, "status": status, "nav": "ideas"},
    )


@staff_required
def idea_detail(request, idea_id: int):
    try:
        idea = ideas.idea_for_staff(idea_id)
    except Submission.DoesNotExist as exc:
        raise Http404 from exc
    _show_author(idea, roles.sees_full_customer_data(request.user))
    return render(
        request,
        "console/content/idea_detail.html",
        {
            "idea": idea,
            "accept_form": AcceptForm(),
            "reason_max": ideas.REASON_MAX,
            "nav": "ideas",
        },
    )


@staff_post
def idea_accept(request, idea_id: int):
    form = AcceptForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: ideas.accept_idea(
                actor=request.user, submission_id=idea_id, **form.cleaned_data
            ),
            _("The idea is accepted; the author sees it and his points."),
        )
    return redirect("console:idea_detail", idea_id=idea_id)


@staff_post
def idea_reject(request, idea_id: int):
    form = RejectForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        _attempt(
            request,
            lambda: ideas.reject_idea(
                actor=request.user, submission_id=idea_id, **form.cleaned_data
            ),
            _("The idea is not accepted; the author sees your reason."),
        )
    return redirect("console:idea_detail", idea_id=idea_id)
