"""Staff accounts and their roles, for the brand's owner: list, create, change a role,
deactivate. Thin: each act is a compliance.staff service, which writes the audit log."""

from django import forms
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.compliance import staff as services

from .roles import AUDITOR
from .views import _attempt, _form_errors, staff_post, staff_required

ROLE_CHOICES = list(services.ROLES.items())


class StaffForm(forms.Form):
    username = forms.CharField(label=gettext_lazy("User name"), max_length=150)
    password = forms.CharField(
        label=gettext_lazy("Initial password"),
        widget=forms.PasswordInput(render_value=False),
        strip=False,
    )
    # A new account starts with the role that can change nothing; the owner grants more.
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES, initial=AUDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=ROLE_CHOICES)


class DeactivateForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300, required=False)


@staff_required
def staff_list(request):
    members = [(user, services.role_of(user)) for user in services.staff_members()]
    return render(
        request,
        "console/staff/list.html",
        {
            "members": members,
            "form": StaffForm(),
            "roles": ROLE_CHOICES,
            "nav": "staff",
        },
    )


def _member(user_id: int):
    return get_object_or_404(get_user_model(), pk=user_id, is_staff=True)


@staff_post
def staff_create(request):
    form = StaffForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
    else:
        data = form.cleaned_data
        _attempt(
            request,
            lambda: services.create_staff_account(actor=request.user, **data),
            _("%(name)s can now sign in to the console as %(role)s.")
            % {"name": data["username"], "role": services.ROLES[data["role"]]},
        )
    return redirect("console:staff_list")


@staff_post
def staff_role(request, user_id: int):
    user = _member(user_id)
    form = RoleForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        role = form.cleaned_data["role"]
        _attempt(
            request,
            lambda: services.change_staff_role(actor=request.user, user=user, role=role),
            _("%(name)s is now %(role)s.")
            % {"name": user.get_username(), "role": services.ROLES[role]},
        )
    return redirect("console:staff_list")


@staff_post
def staff_deactivate(request, user_id: int):
    user = _member(user_id)
    form = DeactivateForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    _attempt(
        request,
        lambda: services.deactivate_staff(actor=request.user, user=user, reason=reason),
        _("%(name)s can no longer sign in.") % {"name": user.get_username()},
    )
    return redirect("console:staff_list")
