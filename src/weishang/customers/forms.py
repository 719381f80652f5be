"""The mobile number as a form field, for every page that asks for one."""

from django import forms

from .rules import mobile_error, normalise_mobile

# "+86 138-1234-5678" and the like, with room for spaces.
MOBILE_INPUT_LENGTH = 20


class MobileField(forms.CharField):
    """A mainland mobile number, cleaned to its 11 digits (without +86, spaces or hyphens)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MOBILE_INPUT_LENGTH)
        super().__init__(
            error_messages={"required": mobile_error(), "max_length": mobile_error()}, **kwargs
        )

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        mobile = normalise_mobile(value)
        if mobile is None:
            raise forms.ValidationError(mobile_error(), code="invalid")
        return mobile
