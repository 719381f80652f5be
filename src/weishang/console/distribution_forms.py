"""Input checks for the console's distribution pages (brand and distributor side); the
distribution and commission services keep every rule between the fields."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from weishang.commissions.models import Commission, Withdrawal, WithholdingRule
from weishang.customers.forms import MobileField
from weishang.distribution.models import (
    Application,
    BindingEvent,
    BindingRule,
    Distributor,
    PayoutAccount,
)
from weishang.inputs import DecimalField, IntegerField, choice_field, text_field
from weishang.money import MAX_FEN

from .forms import YuanField

WINDOW_DAYS = _("Enter the binding window as a whole number of days.")
MISSING_KEY = _("The withdrawal request is missing its key; please try again.")
CHOOSE_ACCOUNT = _("Choose one of your payout accounts for this withdrawal.")
REFUND_RATE = _("Enter the refund rate as a percentage with at most two decimals.")
# The key the withdrawal page puts in its form (uuid4().hex): a replayed or forged one is refused
# before it reaches the idempotency check.
_REQUEST_KEY = re.compile(r"[0-9a-f]{32}", re.ASCII)


class PercentField(DecimalField):
    """A percentage with at most two decimals; one message for whatever is wrong with it."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=5, decimal_places=2, **kwargs)

    def clean(self, value):
        try:
            return super().clean(value)
        except ValidationError:
            raise ValidationError(REFUND_RATE, code="invalid") from None


class ProgrammeForm(forms.Form):
    """The programme settings page: yuan to fen, percent to basis points."""

    binding_rule = choice_field(
        BindingRule.choices, label=_("Binding"), message=_("Choose one of the binding rules.")
    )
    binding_window_days = IntegerField(
        label=_("Binding window (days, for the window rule)"),
        min_value=0,
        error_messages={
            key: WINDOW_DAYS for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    self_purchase_earns = forms.BooleanField(required=False)
    withdrawal_min_fen = YuanField(
        label=_("Minimum withdrawal (yuan)"), max_length=20, max_fen=MAX_FEN
    )
    withdrawal_daily_limit_fen = YuanField(
        label=_("Daily withdrawal limit per distributor (yuan)"), max_length=20, max_fen=MAX_FEN
    )
    review_order_amount_fen = YuanField(
        label=_("Hold commission for review on orders above (yuan)"),
        max_length=20,
        max_fen=MAX_FEN,
    )
    review_refund_rate_pc = PercentField(label=_("Refund rate that holds commission for review"))

    def clean_review_refund_rate_pc(self):
        return int(self.cleaned_data["review_refund_rate_pc"] * 100)

    @staticmethod
    def settings(cleaned_data) -> dict:
        """The cleaned form as the service's arguments."""
        fields = dict(cleaned_data)
        fields["review_refund_rate_bp"] = fields.pop("review_refund_rate_pc")
        return fields


class ReasonForm(forms.Form):
    """A distributor's status change: the reason is kept with the status and shown to him."""

    reason = text_field(Distributor, "status_reason", label=_("Reason"))


class ApplicationRejectForm(forms.Form):
    reason = text_field(Application, "reject_reason", label=_("Reason"))


class HeldCommissionForm(forms.Form):
    """Releasing or rejecting a held commission; the reason is kept as its review note."""

    reason = text_field(Commission, "review_note", label=_("Reason"))


class ReassignForm(forms.Form):
    mobile = MobileField(label=_("Customer's mobile"))
    to = forms.SlugField(
        label=_("Store address"),
        max_length=Distributor._meta.get_field("slug").max_length,
        required=False,
        error_messages={"invalid": _("No distributor has this store address.")},
    )
    reason = text_field(BindingEvent, "reason", label=_("Reason"))


class RejectWithdrawalForm(forms.Form):
    reason = text_field(Withdrawal, "reason", label=_("Reason for rejecting"))


class PayWithdrawalForm(forms.Form):
    payout_reference = text_field(Withdrawal, "payout_reference", label=_("Payout reference"))


class WithdrawalRequestForm(forms.Form):
    """The distributor's withdrawal request; the key makes a resubmitted form one withdrawal."""

    amount = YuanField(label=_("Amount (yuan)"), max_length=20, max_fen=MAX_FEN)
    payout_account = IntegerField(
        min_value=1,
        error_messages={
            key: CHOOSE_ACCOUNT for key in ("required", "invalid", "min_value", "max_value")
        },
    )
    request_key = forms.CharField(
        max_length=Withdrawal._meta.get_field("request_key").max_length,
        error_messages={"required": MISSING_KEY, "max_length": MISSING_KEY},
    )

    def clean_request_key(self):
        key = self.cleaned_data["request_key"]
        if not _REQUEST_KEY.fullmatch(key):
            raise ValidationError(MISSING_KEY, code="invalid")
        return key


class StoreForm(forms.Form):
    store_name = text_field(Distributor, "store_name", label=_("Store name"))
    intro = text_field(Distributor, "intro", label=_("Introduction"))


class PayoutAccountForm(forms.Form):
    """A bank card, WeChat or Alipay account; the service checks the number and the holder."""

    kind = choice_field(
        PayoutAccount.Kind.choices,
        label=pgettext_lazy("payout account", "Kind"),
        message=_("Choose a bank card, WeChat or Alipay."),
    )
    number = forms.CharField(label=_("Card number or account"), max_length=64, strip=True)
    holder_name = forms.CharField(label=_("Account holder"), max_length=40, strip=True)
    consent = forms.BooleanField(
        label=_(
            "I agree that the brand keeps this account, encrypted, to pay my withdrawals into it "
            "(separate consent for a financial account, PIPL Art. 29)."
        ),
        required=False,
    )


class RemovePayoutAccountForm(forms.Form):
    account = IntegerField(
        min_value=1,
        error_messages={
            key: _("This payout account is not one of yours.")
            for key in ("required", "invalid", "min_value", "max_value")
        },
    )


class TaxRemittanceForm(forms.Form):
    """A payment of withheld tax to the tax office, with its receipt number (完税凭证号)."""

    amount = YuanField(label=_("Amount paid (yuan)"), max_fen=MAX_FEN)
    reference = forms.CharField(label=_("Tax office receipt number"), max_length=64, strip=True)


class WithholdingRuleForm(forms.Form):
    """The brand's withholding rule; the flat rate is a percentage with two decimals at most."""

    kind = choice_field(
        WithholdingRule.Kind.choices,
        label=_("Withholding"),
        message=_("Choose one of the withholding rules."),
    )
    rate_pc = DecimalField(
        label=_("Flat rate (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        error_messages={
            key: _("Enter the flat rate as a percentage from 0 to 100 with at most two decimals.")
            for key in (
                "invalid",
                "min_value",
                "max_value",
                "max_digits",
                "max_decimal_places",
                "max_whole_digits",
            )
        },
    )

    def clean_rate_pc(self):
        value = self.cleaned_data["rate_pc"]
        return 0 if value is None else int(value * 100)
