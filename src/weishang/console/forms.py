"""Input parsing for the brand console; every business rule stays in the domain services."""

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
from weishang.orders.models import AfterSalesSettings, ClaimRemedy, QualityClaim
from weishang.throttle import ThrottledLoginForm

MAX_STOCK = 1_000_000_000
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
    carrier = forms.CharField(label=_("Carrier"), max_length=40, strip=True)
    tracking_no = forms.CharField(label=_("Tracking number"), max_length=40, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.error_messages["required"] = _("Enter the carrier and the tracking number.")


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
        error_messages={
            "invalid": _("A slug uses only English letters, digits, hyphens and underscores.")
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
