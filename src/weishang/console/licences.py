"""Brand console: the seller's licences shown in every store footer (E-commerce Law Art. 12, 15)."""

from datetime import date

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.catalog import licences
from weishang.catalog import selectors as catalog_selectors
from weishang.catalog.models import Licence, LicenceKind
from weishang.inputs import DateField

from .views import _attempt, _form_errors, staff_post, staff_required

# Licences still in force may have been issued long before this system: any PRC date is allowed.
PRC_FOUNDED = date(1949, 10, 1)


class LicenceForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=LicenceKind.choices)
    number = forms.CharField(label=gettext_lazy("Licence number"), max_length=64)
    holder = forms.CharField(label=gettext_lazy("Holder"), max_length=200)
    issued_on = DateField(
        earliest=PRC_FOUNDED,
        label=gettext_lazy("Issued on"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    expires_on = DateField(
        label=gettext_lazy("Expires on"),
        required=False,
        help_text=gettext_lazy("Leave empty if it never expires."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    shown = forms.BooleanField(
        label=gettext_lazy("Show in the store footer"), required=False, initial=True
    )
    image = forms.FileField(label=gettext_lazy("Scan (JPEG, PNG or WebP)"), required=False)


class RetireForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=300)


def _fields(form) -> dict:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "number": data["number"],
        "holder": data["holder"],
        "issued_on": data["issued_on"],
        "expires_on": data["expires_on"],
        "shown": data["shown"],
        "image_file": data["image"] or None,
    }


@staff_required
def licence_list(request):
    """Every licence with its expiry state, and the form to add one."""
    if request.method == "POST":
        form = LicenceForm(request.POST, request.FILES)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: licences.add_licence(actor=request.user, **_fields(form)),
            _("The licence %(number)s is added.") % {"number": form.cleaned_data["number"]},
        ):
            return redirect("console:licence_list")
    else:
        brand = catalog_selectors.brand()
        form = LicenceForm(initial={"shown": True, "holder": brand.company_name if brand else ""})
    return render(
        request,
        "console/licences/list.html",
        {"rows": licences.licences_for_console(), "form": form, "nav": "licences"},
    )


@staff_required
def licence_edit(request, licence_id):
    try:
        licence = licences.licence(licence_id)
    except Licence.DoesNotExist as exc:
        raise Http404 from exc
    if request.method == "POST":
        form = LicenceForm(request.POST, request.FILES)
        if not form.is_valid():
            _form_errors(request, form, labelled=True)
        elif _attempt(
            request,
            lambda: licences.update_licence(actor=request.user, licence=licence, **_fields(form)),
            _("The licence %(number)s is saved.") % {"number": form.cleaned_data["number"]},
        ):
            return redirect("console:licence_list")
    else:
        form = LicenceForm(
            initial={
                name: getattr(licence, name)
                for name in ("kind", "number", "holder", "issued_on", "expires_on", "shown")
            }
        )
    return render(
        request,
        "console/licences/edit.html",
        {"licence": licence, "form": form, "retire_form": RetireForm(), "nav": "licences"},
    )


@staff_post
def licence_retire(request, licence_id):
    try:
        licence = licences.licence(licence_id)
    except Licence.DoesNotExist as exc:
        raise Http404 from exc
    form = RetireForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("console:licence_edit", licence_id=licence.pk)
    _attempt(
        request,
        lambda: licences.retire_licence(
            actor=request.user, licence=licence, reason=form.cleaned_data["reason"]
        ),
        _("The licence %(number)s is retired; the store no longer shows it.")
        % {"number": licence.number},
    )
    return redirect("console:licence_list")
