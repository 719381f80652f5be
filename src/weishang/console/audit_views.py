"""The audit log in the console: every role reads it, filtered by action, actor, object and day,
newest first, each entry's before/after shown as the fields that changed."""

import datetime
import json

from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext

from weishang.compliance import selectors
from weishang.inputs import DateField
from weishang.money import format_fen
from weishang.replicas import replica_reads

from .audit_words import ACTIONS, FIELDS, VALUES
from .views import PAGE_SIZE, _form_errors, staff_required


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=gettext_lazy("Action starts with"), max_length=64, required=False
    )
    actor = forms.CharField(label=gettext_lazy("Who"), max_length=150, required=False)
    object_type = forms.CharField(label=gettext_lazy("Object type"), max_length=64, required=False)
    object_id = forms.CharField(label=gettext_lazy("Object id"), max_length=64, required=False)
    start = DateField(
        label=gettext_lazy("From (day)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = DateField(
        label=gettext_lazy("To (day, inclusive)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            raise forms.ValidationError(gettext_lazy("The first day is after the last day."))
        return data


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _short(value) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:79] + "…"


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def _model_field(model, key: str):
    try:
        return model._meta.get_field(key) if model is not None else None
    except FieldDoesNotExist:
        return None


def field_words(key: str, model=None) -> str:
    """A recorded key as the page names it: from the map, else the model field's name."""
    if key in FIELDS:
        return str(FIELDS[key])
    field = _model_field(model, key)
    if field is not None and hasattr(field, "verbose_name"):
        return str(field.verbose_name)
    return key.removesuffix("_fen").removesuffix("_bp").replace("_", " ")


def value_words(key: str, value, model=None) -> str:
    """A recorded value as the page shows it: amounts in yuan, rates in per cent, a status or
    kind by its label, yes or no."""
    if isinstance(value, bool):
        return pgettext("boolean", "yes") if value else pgettext("boolean", "no")
    if isinstance(value, int) and key.endswith("_fen"):
        return format_fen(value)
    if isinstance(value, int) and key.endswith("_bp"):
        return f"{value / 100:g} %"
    if key == "fields" and isinstance(value, list):  # the fields a customer corrected himself
        return ", ".join(field_words(str(name), model) for name in value)
    if isinstance(value, str) and value in VALUES.get(key, {}):
        return str(VALUES[key][value])
    field = _model_field(model, key)
    if isinstance(value, str) and field is not None and field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return _short(value)


def changes(before, after, *, model=None) -> list[tuple[str, str, str]]:
    """(field, before, after) in words for each field whose value differs, "" standing for
    absent; one row with the whole values when either side is not an object."""
    if before is None and after is None:
        return []
    old = {} if before is None else before
    new = {} if after is None else after
    if isinstance(old, dict) and isinstance(new, dict):
        return [
            (
                field_words(str(key), model),
                value_words(str(key), old[key], model) if key in old else "",
                value_words(str(key), new[key], model) if key in new else "",
            )
            for key in sorted(old.keys() | new.keys(), key=str)
            if old.get(key, ...) != new.get(key, ...)
        ]
    return [("", "" if before is None else _short(before), "" if after is None else _short(after))]


def described(entry) -> dict:
    """One entry in words: its action's name, its object's kind and the fields that changed."""
    model = _model(entry.object_type)
    return {
        "action": str(ACTIONS.get(entry.action, entry.action)),
        "object": str(model._meta.verbose_name) if model is not None else entry.object_type,
        "diff": changes(entry.before, entry.after, model=model),
    }


@staff_required
@replica_reads
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        _form_errors(request, form, labelled=True)
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    entries = selectors.audit_entries(
        action=data.get("action", "").strip(),
        actor=data.get("actor", "").strip(),
        object_type=data.get("object_type", "").strip(),
        object_id=data.get("object_id", "").strip(),
    )
    if data.get("start"):
        entries = entries.filter(at__gte=_day_start(data["start"]))
    if data.get("end"):
        entries = entries.filter(at__lt=_day_start(data["end"] + datetime.timedelta(days=1)))
    page = Paginator(entries.order_by("-at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(entry, described(entry)) for entry in page]
    return render(
        request,
        "console/audit/list.html",
        {"form": form, "page": page, "rows": rows, "nav": "audit"},
    )
