"""Input checks for the store's forms; the customers services keep the business rules."""

from django import forms
from django.contrib import messages

from weishang.customers.models import Address


class AddressForm(forms.ModelForm):
    """The address's lengths from the model, so a long field is a message, not a database error.
    What is missing and the phone number are the customers service's to check."""

    class Meta:
        model = Address
        fields = ["recipient", "province", "city", "district", "detail"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


def valid(request, form) -> bool:
    """Whether the form is valid; if not, each error becomes a page message naming its field."""
    if form.is_valid():
        return True
    for name, errors in form.errors.items():
        for error in errors:
            messages.error(request, f"{form.fields[name].label}: {error}")
    return False
