"""Input parsing for the brand console; every business rule stays in the domain services."""

import re
from datetime import timedelta

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weishang.catalog.models import Category, Product, ReturnClass, Sku
from weishang.catalog.services import MAX_PRICE_FEN
from weishang.compliance.models import BlacklistEntry, Complaint
from weishang.customers.forms import MobileField
from weishang.inputs import DateTimeField, IntegerField, text_field
from weishang.money import MAX_FEN, AmountError, parse_yuan
from weishang.orders.carriers import carrier_choices, normalise_waybill, waybill_problem
from weishang.orders.models import AfterSalesSettings, ClaimRemedy, QualityClaim, ReturnAddress
from weishang.throttle import ThrottledLoginForm

MAX_STOCK = 1_000_000_000
MAX_BATCH = 200  # orders on one packing list
_DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


def positive_fen(raw, *, max_fen: int = MAX_FEN) -> int:
    """An amount typed in yuan that must be above zero (a price, a withdrawal, a limit), as fen;
    AmountError says what is wrong."""
    fen = parse_yuan(raw)
    if fen <= 0:
        raise AmountError(_("Enter an amount greater than zero."), code="not_positive")
    if fen > max_fen:
        raise AmountError(_("This amount is too large."), code="too_large")
    return fen


class YuanField(forms.CharField):
    """An amount above zero typed in yuan (a price unless ``max_fen`` says otherwise), cleaned
    to fen."""

    def __init__(self, *, max_fen: int = MAX_PRICE_FEN, **kwargs):
        self.max_fen = max_fen
        super().__init__(**kwargs)

    def clean(self, value):
        try:
            return positive_fen(super().clean(value), max_fen=self.max_fen)
        except AmountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None


def _datetime_field(label, *, required=True):
    return DateTimeField(
        label=label,
        required=required,
        input_formats=[_DATETIME_LOCAL, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=_DATETIME_LOCAL),
    )


class ConsoleLoginForm(ThrottledLoginForm, AuthenticationForm):
    """Django's sign-in form, throttled, refusing anyone who is not the brand's staff."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "not_staff": _(
            "This account is not brand staff. The console is only for the brand's operators; "
            "customers and distributors sign in on the store."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not user.is_staff:
            raise forms.ValidationError(self.error_messages["not_staff"], code="not_staff")


class ShipForm(forms.Form):
    """A carrier from the list and a waybill number of its shape."""

    carrier = forms.ChoiceField(label=_("Carrier"), choices=carrier_choices)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=40, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("Enter the carrier and the tracking number.")
        self.fields["carrier"].error_messages["invalid_choice"] = _(
            "Choose a carrier from the list."
        )

    def clean(self):
        data = super().clean()
        if data.get("carrier") and data.get("tracking_no"):
            if problem := waybill_problem(data["carrier"], data["tracking_no"]):
                self.add_error("tracking_no", problem)
            else:
                data["tracking_no"] = normalise_waybill(data["tracking_no"])
        return data


class OrderNumbersField(forms.Field):
    """The order numbers ticked on the order list (``?order=…&order=…``), at most ``max_count``."""

    widget = forms.MultipleHiddenInput

    def __init__(self, *, max_count: int, **kwargs):
        self.max_count = max_count
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        numbers = list(dict.fromkeys(str(number).strip() for number in value or ()))
        if len(numbers) > self.max_count:
            raise forms.ValidationError(
                _("Select at most %(max)d orders at a time.") % {"max": self.max_count}
            )
        # What cannot be an order number is no order: it is left out like any unknown number.
        return [n for n in numbers if re.fullmatch(r"[0-9A-Za-z]{1,24}", n, re.ASCII)]


class PackingForm(forms.Form):
    """Which paid orders to pack: those ticked, or every unshipped one."""

    order = OrderNumbersField(max_count=MAX_BATCH)
    unshipped = forms.BooleanField(required=False)


class WaybillTemplateForm(PackingForm):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "Excel")], required=False)


class WaybillImportForm(forms.Form):
    file = forms.FileField(
        label=_("Waybill file (CSV or Excel .xlsx)"),
        error_messages={"required": _("Choose the filled-in waybill file to upload.")},
    )


class DeliverForm(forms.Form):
    signed_at = _datetime_field(_("Signed for at"), required=False)

    def clean_signed_at(self):
        signed_at = self.cleaned_data.get("signed_at") or timezone.now()
        if signed_at > timezone.now() + timedelta(minutes=5):
            raise forms.ValidationError(_("The sign-for time cannot be in the future."))
        return signed_at


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False, strip=True)


class RejectReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        strip=True,
        error_messages={"required": _("Say why the return is rejected; the customer will see it.")},
    )


class ApproveReturnForm(forms.Form):
    return_address = forms.ModelChoiceField(
        queryset=ReturnAddress.objects.filter(active=True),
        required=False,
        error_messages={"invalid_choice": _("Choose a return address in use.")},
    )


class StockForm(forms.Form):
    on_hand = IntegerField(
        label=_("On hand"),
        min_value=0,
        max_value=MAX_STOCK,
        error_messages={
            "required": _("Stock must be a whole number, zero or more."),
            "invalid": _("Stock must be a whole number, zero or more."),
            "min_value": _("Stock must be a whole number, zero or more."),
            "max_value": _("This stock figure is too high."),
        },
    )


class PricePeriodForm(forms.Form):
    sku = forms.ModelChoiceField(label=_("SKU"), queryset=Sku.objects.none(), empty_label=None)
    starts_at = _datetime_field(_("Starts"))
    ends_at = _datetime_field(_("Ends"))
    price = YuanField(label=_("Price (yuan)"), max_length=20)
    label = forms.CharField(label=_("Label"), max_length=60, required=False, strip=True)

    def __init__(self, *args, product, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sku"].queryset = Sku.objects.filter(product=product).order_by("position", "pk")


class ProductForm(forms.Form):
    """A product's details; the catalogue services check the rules between the fields."""

    name = forms.CharField(label=_("Name"), max_length=120, strip=True)
    slug = forms.SlugField(
        label=_("Slug (in the store's address)"),
        max_length=50,
        allow_unicode=True,
        required=False,
        error_messages={
            "invalid": _(
                "A slug uses only letters (Chinese ones too), digits, hyphens and underscores."
            )
        },
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.order_by("position", "pk"),
        error_messages={
            "required": _("Choose a category."),
            "invalid_choice": _("Choose a category."),
        },
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    is_food = forms.BooleanField(label=_("Food"), required=False)
    food_licence_no = forms.CharField(
        label=_("Food licence or filing no."), max_length=64, required=False, strip=True
    )
    return_class = forms.ChoiceField(label=_("Return class"), choices=ReturnClass.choices)
    exclusion_reason = forms.CharField(
        label=_("Why returns may be excluded"), max_length=200, required=False, strip=True
    )

    @classmethod
    def for_product(cls, product: Product) -> "ProductForm":
        return cls(initial={name: getattr(product, name) for name in cls.base_fields})


class SkuForm(forms.Form):
    code = forms.CharField(label=_("SKU code"), max_length=40, strip=True)
    name = forms.CharField(label=_("Specification"), max_length=60, strip=True)
    price = YuanField(label=_("List price (yuan)"), max_length=20)


class SkuEditForm(forms.Form):
    name = forms.CharField(label=_("Specification"), max_length=60, strip=True)
    price = YuanField(label=_("List price (yuan)"), max_length=20)


class SkuCostForm(forms.Form):
    """What one unit costs the brand, in yuan; blank records the cost as unknown."""

    cost = forms.CharField(label=_("Cost price (yuan)"), max_length=20, required=False)

    def clean_cost(self):
        text = self.cleaned_data["cost"].strip()
        if not text:
            return None
        try:
            fen = parse_yuan(text)
        except AmountError as error:
            raise forms.ValidationError(error.message, code=error.code) from None
        if fen < 0:
            raise forms.ValidationError(_("A cost price cannot be negative."), code="negative")
        if fen > MAX_PRICE_FEN:
            raise forms.ValidationError(_("This amount is too large."), code="too_large")
        return fen


class ProductImageForm(forms.Form):
    # A plain file field: the catalogue service decides what counts as an image.
    image = forms.FileField(
        label=_("Image"), error_messages={"required": _("Choose an image file to upload.")}
    )


class CategoryForm(forms.Form):
    name = forms.CharField(label=_("Category name"), max_length=100, strip=True)
    slug = forms.SlugField(
        label=_("Category slug"),
        max_length=50,
        error_messages={
            "invalid": _("A slug uses only English letters, digits, hyphens and underscores.")
        },
    )


class ComplaintTextForm(forms.Form):
    """An answer to a complaint, or the outcome that closes it."""

    text = text_field(
        Complaint, "outcome", label=pgettext_lazy("complaint", "Answer"), widget=forms.Textarea
    )


class BlacklistForm(forms.Form):
    mobile = MobileField(label=_("Customer mobile"))
    reason = text_field(BlacklistEntry, "reason", label=_("Reason"))


class ClaimDecisionForm(forms.Form):
    """Approving a quality claim with the remedy granted, or rejecting it; the reason is shown to
    the customer (required to reject, which the service checks)."""

    remedy = forms.ChoiceField(
        label=_("Remedy"),
        choices=ClaimRemedy.choices,
        required=False,
        error_messages={
            "invalid_choice": _("Choose a return and refund, an exchange or a repair.")
        },
    )
    reason = text_field(QualityClaim, "decision_reason", label=_("Reason"))


class ComplaintRefundForm(forms.Form):
    """The outcome that resolves a complaint, and the refund it orders."""

    text = text_field(
        Complaint, "outcome", label=_("Outcome"), required=True, widget=forms.Textarea
    )
    amount = YuanField(label=_("Refund (yuan)"), max_length=20, max_fen=MAX_FEN)


class AfterSalesSettingsForm(forms.Form):
    claim_days = IntegerField(
        label=capfirst(AfterSalesSettings._meta.get_field("claim_days").verbose_name),
        min_value=7,
        max_value=3650,
    )
