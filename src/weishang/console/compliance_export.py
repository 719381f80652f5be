"""Brand console: the regulator export as a streaming download of any size."""

from datetime import timedelta

from django import forms
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy

from weishang.inputs import DateField
from weishang.reporting import export

from .views import _form_errors, staff_required


class ExportForm(forms.Form):
    start = DateField(
        label=gettext_lazy("From (included)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    end = DateField(
        label=gettext_lazy("To (not included)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("csv", gettext_lazy("CSV files in a ZIP (UTF-8 with BOM, opens in Excel)")),
            ("json", gettext_lazy("JSON (documented schema)")),
        ],
        initial="csv",
    )

    def clean(self):
        data = super().clean()
        if "start" in data and "end" in data:
            try:
                data["range"] = export.DateRange.checked(data["start"], data["end"])
            except export.ExportError as error:
                raise forms.ValidationError(error.message) from error
        return data


def _initial() -> dict:
    today = timezone.localdate()
    return {"start": today.replace(day=1), "end": today + timedelta(days=1), "format": "csv"}


@staff_required
def export_page(request):
    form = ExportForm(request.GET or None, initial=_initial())
    if request.GET and not form.is_valid():
        _form_errors(request, form, labelled=True)
    data = form.cleaned_data if form.is_bound and form.is_valid() else _initial()
    command = (
        f"weishang regulator_export --from {data['start']:%Y-%m-%d} --to {data['end']:%Y-%m-%d} "
        f"--format {data['format']} --out ./regulator-export"
    )
    return render(
        request,
        "console/export/page.html",
        {"form": form, "command": command, "nav": "export"},
    )


@staff_required
def export_download(request):
    """Streams the export; nothing is built in memory first, so any range downloads."""
    form = ExportForm(request.GET)
    if not form.is_valid():
        _form_errors(request, form, labelled=True)
        return redirect("console:export")
    rng, fmt = form.cleaned_data["range"], form.cleaned_data["format"]
    export.note_export(actor=request.user, rng=rng, fmt=fmt)
    stream, content_type, filename = export.download(rng, fmt)
    response = StreamingHttpResponse(stream, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
