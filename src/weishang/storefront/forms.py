"""Input checks for the store's forms; the domain services keep the business rules."""

from datetime import date

from django import forms
from django.contrib import messages
from django.utils.translation import gettext_lazy as _

from weishang.compliance.models import Complaint, ComplaintCategory, ComplaintMessage
from weishang.customers.forms import MOBILE_INPUT_LENGTH, MobileField
from weishang.customers.models import Address, Customer
from weishang.distribution.models import Application, BusinessKind, Distributor
from weishang.inputs import DateField, IntegerField, RequestKeyField, choice_field, text_field
from weishang.orders.carriers import carrier_choices, waybill_problem
from weishang.orders.models import ClaimRemedy, Order, QualityClaim, ReturnRequest

# Longer than any password a person types; keeps a megabyte "password" away from the hasher.
PASSWORD_LENGTH = 4096


class AddressForm(forms.ModelForm):
    """The address's lengths from the model, so a long field is a message, not a database error.
    What is missing and the phone number are the customers service's to check."""

    phone = forms.CharField(label=_("Phone"), max_length=MOBILE_INPUT_LENGTH, required=False)

    class Meta:
        model = Address
        fields = ["recipient", "province", "city", "district", "detail"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class NewAddressForm(forms.Form):
    """A new address from the store's picker: province, then city, then the GB/T 2260 district
    code, which the customers service checks. A district left from another city is dropped, so
    the customer picks again instead of saving a place he no longer sees."""

    recipient = text_field(Address, "recipient", label=_("Recipient"))
    phone = forms.CharField(label=_("Phone"), max_length=MOBILE_INPUT_LENGTH, required=False)
    province = forms.CharField(label=_("Province"), max_length=2, required=False)
    city = forms.CharField(label=_("City"), max_length=4, required=False)
    district_code = forms.CharField(label=_("District"), max_length=6, required=False)
    detail = text_field(Address, "detail", label=_("Street address"))
    make_default = forms.BooleanField(required=False)

    def clean(self):
        data = super().clean()
        if not data.get("city", "").startswith(data.get("province") or "-"):
            data["city"] = ""
        if not data.get("district_code", "").startswith(data.get("city") or "-"):
            data["district_code"] = ""
        return data

    def address(self) -> dict:
        """The ``customers.add_address`` arguments."""
        names = ("recipient", "phone", "detail", "district_code", "make_default")
        return {name: self.cleaned_data[name] for name in names}


class BuyerNoteForm(forms.Form):
    buyer_note = text_field(Order, "buyer_note", label=_("Note to the seller (optional)"))


class LoginForm(forms.Form):
    """The store's sign-in: ask for a code, sign in with it, or with a password. An empty code
    or password is the customers service's to refuse (and to count as a failed attempt)."""

    action = forms.ChoiceField(
        choices=[("send_code", "send_code"), ("code", "code"), ("password", "password")]
    )
    mobile = MobileField(label=_("Mobile number"))
    code = forms.CharField(
        label=_("Code from the SMS"),
        max_length=6,
        required=False,
        error_messages={"max_length": _("The code is not correct.")},
    )
    password = forms.CharField(
        label=_("Password"), max_length=PASSWORD_LENGTH, required=False, strip=False
    )


class PasswordForm(forms.Form):
    password = forms.CharField(label=_("New password"), max_length=PASSWORD_LENGTH, strip=False)
    password2 = forms.CharField(
        label=_("New password again"), max_length=PASSWORD_LENGTH, strip=False, required=False
    )

    def clean(self):
        data = super().clean()
        if "password" in data and data["password"] != data.get("password2"):
            raise forms.ValidationError(_("The two passwords are not the same."))
        return data


class BirthdayForm(forms.Form):
    birthday = DateField(
        label=_("Birthday"),
        earliest=date(1900, 1, 1),
        latest=date(2099, 12, 31),
        required=False,
        help_text=_("Optional: leave it empty to remove it."),
    )


def valid(request, form) -> bool:
    """Whether the form is valid; if not, each error becomes a page message naming its field."""
    if form.is_valid():
        return True
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            messages.error(request, f"{label}: {error}" if label else error)
    return False


class PrivacyForm(forms.Form):
    """The privacy page's small forms; which fields matter depends on the action, and the
    customers and privacy services say what is missing."""

    action = forms.ChoiceField(
        choices=[
            (action, action)
            for action in (
                "nickname",
                "address",
                "delete_address",
                "send_mobile_code",
                "change_mobile",
                "close",
            )
        ]
    )
    nickname = text_field(Customer, "nickname", label=_("Nickname"))
    mobile = forms.CharField(
        label=_("New mobile number"), max_length=MOBILE_INPUT_LENGTH, required=False
    )
    code = forms.CharField(label=_("Code"), max_length=6, required=False)
    confirmation = forms.CharField(label=_("Confirmation"), max_length=40, required=False)


class ComplaintForm(forms.Form):
    category = choice_field(
        ComplaintCategory.choices,
        label=_("What is it about?"),
        message=_("Choose what the complaint is about."),
    )
    text = text_field(Complaint, "text", label=_("What went wrong?"), widget=forms.Textarea)


class ComplaintReplyForm(forms.Form):
    text = text_field(ComplaintMessage, "text", label=_("Reply"), widget=forms.Textarea)


class CancelOrderForm(forms.Form):
    reason = text_field(Order, "cancel_reason", label=_("Reason"))


class ReturnReasonForm(forms.Form):
    reason = text_field(ReturnRequest, "reason", label=_("Reason (optional)"))


class ParcelForm(forms.Form):
    """A parcel the customer sent: a carrier from the list and a number of its shape."""

    carrier = choice_field(
        carrier_choices(), label=_("Carrier"), message=_("Choose a carrier from the list.")
    )
    tracking_no = forms.CharField(
        label=_("Tracking number"),
        max_length=40,
        error_messages={"required": _("Enter the carrier and the tracking number.")},
    )

    def clean(self):
        cleaned = super().clean()
        carrier, number = cleaned.get("carrier"), cleaned.get("tracking_no")
        if carrier and number and (problem := waybill_problem(carrier, number)):
            self.add_error("tracking_no", problem)
        return cleaned


class ReturnShipmentForm(ParcelForm):
    """The parcel a customer sends back with a 7-day return."""

    return_number = forms.CharField(max_length=24)


class ClaimGoodsSentForm(ParcelForm):
    """How the customer sent a claim's goods to the brand."""

    claim = forms.CharField(max_length=24)


class ClaimForm(forms.Form):
    order_line_id = IntegerField(
        label=_("Goods"), min_value=1, error_messages={"required": _("Choose the goods.")}
    )
    quantity = IntegerField(label=_("Quantity"), min_value=1, max_value=99)
    remedy = choice_field(
        ClaimRemedy.choices,
        label=_("What you ask for"),
        message=_("Choose a return and refund, an exchange or a repair."),
    )
    description = text_field(
        QualityClaim, "description", label=_("What is wrong"), widget=forms.Textarea
    )


# Room for an ID number or credit code typed with spaces; the rules normalise and check it.
_CODE_INPUT_LENGTH = 40


class ApplyForm(forms.Form):
    """The distributor application: lengths and the business kind; the distribution service
    checks the ID number, credit code, mobile and invitation and names each wrong field."""

    real_name = forms.CharField(
        label=_("Real name (as on your ID card)"), max_length=40, required=False
    )
    id_number = forms.CharField(
        label=_("Resident ID number"), max_length=_CODE_INPUT_LENGTH, required=False
    )
    mobile = forms.CharField(
        label=_("Mobile number"), max_length=MOBILE_INPUT_LENGTH, required=False
    )
    business_kind = choice_field(
        BusinessKind.choices,
        label=_("Business registration"),
        message=_(
            "Choose whether you have a business registration or sell small amounts without "
            "one (E-Commerce Law Art. 10)."
        ),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code (only if registered)"),
        max_length=_CODE_INPUT_LENGTH,
        required=False,
    )
    store_name = text_field(Application, "store_name", label=_("Store name"))
    invite_code = text_field(Distributor, "slug", label=_("Invite code (optional)"))


class RedeemProductForm(forms.Form):
    """A product taken for points in the redeem centre: how many, and where it goes."""

    redemption = IntegerField(
        min_value=1,
        error_messages={
            key: _("Choose one of the products offered for points.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    quantity = IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=99,
        error_messages={
            key: _("Quantity must be a whole number from 1 to 99.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    address = IntegerField(
        min_value=1,
        error_messages={
            key: _("Choose a delivery address.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    confirm_return_exclusion = forms.BooleanField(required=False)


class RedeemForm(forms.Form):
    """A red packet chosen in the redeem centre."""

    offer = IntegerField(
        min_value=1,
        error_messages={
            key: _("Choose one of the red packets on offer.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    request_key = RequestKeyField()
