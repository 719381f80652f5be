"""Input parsing for the member tiers, points settings, red packets and awarding points; the
rules stay in ``weishang.loyalty``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from weishang.inputs import IntegerField, RequestKeyField, text_field
from weishang.loyalty.models import MemberTier, RedPacketOffer

from .plans import PercentField, YuanAmountField, _parse


def _whole(label, message, *, low=0, high=10_000_000):
    return IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        error_messages={key: message for key in ("required", "invalid", "min_value", "max_value")},
    )


class MultipleField(forms.CharField):
    """A multiplier typed as 1.5, cleaned to basis points (15000)."""

    def clean(self, value):
        parsed = _parse(
            super().clean(value), scale=100, error=_("Enter a multiplier, for example 1.5.")
        )
        if parsed is None:
            raise forms.ValidationError(_("Enter a multiplier, for example 1.5."), code="required")
        return parsed * 100


class PointsSettingsForm(forms.Form):
    points_per_yuan = _whole(
        _("Points earned per yuan paid"), _("Points per yuan are from 0 to 100."), high=100
    )
    fen_per_point = _whole(
        _("What one point is worth (fen)"), _("A point is worth from ¥0.01 to ¥1.00."), high=100
    )
    points_valid_days = _whole(
        _("Points expire after (days)"), _("Points last from 30 to 3650 days."), high=3650
    )
    tier_window_days = _whole(
        _("Member tiers count the spend of the last (days)"),
        _("Member tiers count the spend of the last 30 to 1095 days."),
        high=1095,
    )
    points_max_share_bp = PercentField(
        label=_("Points pay at most this percentage of the goods after discounts"),
        help_text=_("Leave empty to let points pay all of it."),
    )


class TierForm(forms.Form):
    name = text_field(MemberTier, "name", label=_("Tier name"))
    threshold = YuanAmountField(label=_("Spend to reach it (yuan)"))
    discount = PercentField(label=_("Member discount (%)"))
    multiplier = MultipleField(label=_("Points multiplier (×)"))

    def clean_threshold(self):
        fen = self.cleaned_data["threshold"]
        if fen < 0:
            raise forms.ValidationError(_("The spend to reach a tier cannot be negative."))
        return fen

    def clean_discount(self):
        return self.cleaned_data["discount"] or 0


class RedPacketForm(forms.Form):
    name = text_field(RedPacketOffer, "name", label=_("Red packet name"))
    points_cost = _whole(
        _("Points it costs"), _("A red packet costs from 1 to 10,000,000 points."), low=1
    )
    amount = YuanAmountField(label=_("Cash-back credited (yuan)"))
    active = forms.BooleanField(required=False)


class AwardPointsForm(forms.Form):
    points = _whole(
        _("Points to award"), _("Award from 1 to 1,000,000 points."), low=1, high=1_000_000
    )
    reason = forms.CharField(
        label=_("Reason (the customer sees it)"),
        max_length=200,
        error_messages={
            "required": _("Say why the points are awarded; the customer sees it."),
            "max_length": _("Keep the reason under 200 characters."),
        },
    )
    request_key = RequestKeyField()
