"""Form fields every form uses for numbers and dates, so that input is checked in one way.

Python and Django accept any Unicode digit ("１２", "١٢", "²") as a number and `\\d` matches them
all; a quantity, an amount or a mobile number typed with them would be stored as another value or
crash later. Dates far from today (year 1, year 9999) overflow once shifted to UTC and PostgreSQL
stores them as BC timestamps it cannot read back. These fields refuse both with a clear message.
"""

import re
from datetime import date, datetime

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ISO_DAY = "%Y-%m-%d"
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
# Any character beyond ASCII: where only digits and punctuation belong, this is how the digits
# Python's int(), Decimal() and `\d` accept beyond 0-9 are caught.
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WHOLE_NUMBER = re.compile(r"[-+]?[0-9]+", re.ASCII)
# PostgreSQL's integer and bigint columns.
INT_MAX = 2**31 - 1
BIGINT_MAX = 2**63 - 1

NOT_ASCII = _("Use the digits 0 to 9 only.")
# The first line of every select that may be left empty (Django's own text, which Django's
# Chinese catalogue lacks); installed by the console app's ready().
BLANK_CHOICE_LABEL = _("- Select an option -")


def refuse_non_ascii(value) -> None:
    """Validator: the value is typed in ASCII (digits 0-9, Latin letters, punctuation)."""
    if _NON_ASCII.search(str(value)):
        raise ValidationError(NOT_ASCII, code="not_ascii")


class IntegerField(forms.IntegerField):
    """A whole number in ASCII digits ("1.0" and "１" refused), bounded to an integer column
    unless the form gives its own bounds."""

    def __init__(self, *, min_value=-INT_MAX, max_value=INT_MAX, **kwargs):
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if not _WHOLE_NUMBER.fullmatch(str(value).strip()):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(str(value).strip())


def parse_int(raw, **bounds) -> int | None:
    """The whole number in ``raw``, or None when it is missing or not one."""
    try:
        return IntegerField(required=False, **bounds).clean(raw)
    except ValidationError:
        return None


class DecimalField(forms.DecimalField):
    """A decimal number in ASCII digits; Decimal("١٢") would otherwise read as 12."""

    default_validators = [refuse_non_ascii]

    def to_python(self, value):
        refuse_non_ascii("" if value in self.empty_values else value)
        return super().to_python(value)


class _InRange:
    """A day (or a moment's day, as typed, in its own time zone) between ``earliest`` and
    ``latest``: checked before any conversion to UTC, which overflows for years 1 and 9999."""

    def __init__(self, *, earliest=EARLIEST, latest=LATEST, **kwargs):
        self.earliest, self.latest = earliest, latest
        super().__init__(**kwargs)

    def to_python(self, value):
        refuse_non_ascii("" if value in self.empty_values else value)
        parsed = super().to_python(value)
        day = parsed.date() if isinstance(parsed, datetime) else parsed
        if day is not None and not self.earliest <= day <= self.latest:
            raise ValidationError(
                _("Enter a date between %(earliest)s and %(latest)s."),
                code="out_of_range",
                params={"earliest": self.earliest.isoformat(), "latest": self.latest.isoformat()},
            )
        return parsed


class DayInput(forms.DateInput):
    """The browser's date picker. Its value must be ISO ``YYYY-MM-DD`` whatever the language:
    Chinese formats a day as 2026/12/01, which the picker refuses and shows blank."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format=ISO_DAY)


class DateField(_InRange, forms.DateField):
    """A day from 2000-01-01 to 2099-12-31 unless the form says otherwise, picked in the
    browser's date picker (a date-type input the form gives is filled in ISO too)."""

    widget = DayInput

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        if isinstance(self.widget, forms.DateInput) and self.widget.input_type == "date":
            self.widget.format = ISO_DAY


class DateTimeField(_InRange, forms.DateTimeField):
    """A moment whose day lies from 2000-01-01 to 2099-12-31 unless the form says otherwise."""


def text_field(model, name: str, *, label, required: bool = False, **kwargs) -> forms.CharField:
    """A text input as long as the model's column allows, so that a longer text is a message
    rather than a silent cut or a database error. Optional unless told: the services say what
    is missing in their own words."""
    return forms.CharField(
        label=label,
        max_length=model._meta.get_field(name).max_length,
        required=required,
        strip=True,
        **kwargs,
    )


def choice_field(choices, *, label, message) -> forms.ChoiceField:
    """One of an enumeration's values; a missing or unknown one gets ``message``."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        error_messages={"required": message, "invalid_choice": message},
    )


class RequestKeyField(forms.RegexField):
    """The key a page puts in its form (uuid4().hex) so a resubmitted form acts once."""

    def __init__(self, **kwargs):
        message = _("The form is missing its key; please reload the page and try again.")
        super().__init__(
            regex=r"\A[0-9a-f]{32}\Z",
            max_length=32,
            error_messages={"required": message, "invalid": message, "max_length": message},
            **kwargs,
        )
