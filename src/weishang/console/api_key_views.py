"""Staff API keys, for the brand's owner: the keys with their roles (never their secrets), a new
key bound to a role with its secret shown once on the page that made it, and revoking one. Thin:
each act is a compliance.api_keys service, which writes the audit log."""

from django import forms
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.compliance import api_keys as services
from weishang.compliance.staff import ROLES

from .roles import AUDITOR
from .views import _attempt, _form_errors, staff_post, staff_required


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name (who uses it, e.g. the warehouse ERP)"), max_length=60
    )
    # A new key starts with the role that can change nothing; the owner chooses more.
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=list(ROLES.items()), initial=AUDITOR
    )


def _page(request, *, form=None, made=None):
    return render(
        request,
        "console/staff/api_keys.html",
        {
            "keys": list(services.api_keys()),
            "form": form or ApiKeyForm(),
            "made": made,
            "nav": "api_keys",
        },
    )


@staff_required
def api_key_list(request):
    return _page(request)


@staff_post
def api_key_create(request):
    """Answers with the page itself, the new secret on it: it is not kept anywhere to show
    again."""
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
        return _page(request, form=form)
    made = {}

    def create():
        made["key"], made["secret"] = services.create_api_key(
            actor=request.user, **form.cleaned_data
        )

    _attempt(
        request,
        create,
        _("The key %(name)s is made. Copy its secret now: it is not shown again.")
        % {"name": form.cleaned_data["name"]},
    )
    return _page(request, form=None if made else form, made=made or None)


@staff_post
def api_key_revoke(request, key_id: int):
    _attempt(
        request,
        lambda: services.revoke_api_key(actor=request.user, key_id=key_id),
        _("The key is revoked; integrations using it are refused from now on."),
    )
    return redirect("console:api_key_list")
