"""The period picker every analytics page shares: a preset, or two dates."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.inputs import DateField

from .periods import LONGEST_DAYS, PRESETS, Period, preset


class PeriodForm(forms.Form):
    period = forms.ChoiceField(
        label=gettext_lazy("Period"),
        choices=[*PRESETS.items(), ("custom", gettext_lazy("Custom"))],
        required=False,
    )
    # Days from 2000 to 2099: the period before a day of year 1 would be no date at all.
    first = DateField(label=gettext_lazy("From"), required=False)
    last = DateField(label=gettext_lazy("To"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("period") != "custom":
            return data
        first, last = data.get("first"), data.get("last")
        if first is None or last is None:
            raise forms.ValidationError(_("Choose both the first and the last day."))
        if first > last:
            raise forms.ValidationError(_("The first day must come before the last."))
        if (last - first).days + 1 > LONGEST_DAYS:
            raise forms.ValidationError(_("Choose at most %(days)d days.") % {"days": LONGEST_DAYS})
        return data

    def chosen(self, default: str = "30d") -> Period:
        """The period asked for; the default for no choice or a bad one (its errors are shown)."""
        today = timezone.localdate()
        if not self.is_bound or not self.is_valid():
            return preset(default, today)
        data = self.cleaned_data
        if data.get("period") == "custom":
            return Period(data["first"], data["last"])
        return preset(data.get("period") or default, today)
