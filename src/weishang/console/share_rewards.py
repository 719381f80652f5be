"""Console: the share reward rule (分享有礼, COMPLIANCE.md §2) with its compliance check, shown
before anything is saved as the plan editor shows its verdict, and the report of top sharers."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.core_errors import DomainError
from weishang.customers.rules import mask_mobile, mask_name
from weishang.inputs import IntegerField
from weishang.loyalty import coupon_selectors, reward_rules, selectors, share_rewards
from weishang.loyalty.models import ShareRewardKind, ShareRewardRule
from weishang.money import format_fen, format_yuan

from . import roles
from .coupons import _AsciiModelChoiceField
from .plans import PercentField, YuanAmountField
from .views import staff_required


class ShareRuleForm(forms.Form):
    """The rule, including the triggers the rules forbid, so the check can say why."""

    trigger = forms.ChoiceField(
        label=gettext_lazy("Reward the sharer when"),
        choices=list(reward_rules.TRIGGERS.items()),
        widget=forms.RadioSelect,
    )
    reward = forms.ChoiceField(
        label=gettext_lazy("The sharer gets"), choices=ShareRewardKind.choices
    )
    points = IntegerField(
        label=gettext_lazy("Points (per order, or per yuan paid)"),
        min_value=0,
        max_value=reward_rules.MAX_AMOUNT,
        required=False,
    )
    cashback = YuanAmountField(label=gettext_lazy("Cash-back per order (yuan)"))
    cashback_rate = PercentField(
        label=gettext_lazy("Cash-back rate (percent of what the friend paid)")
    )
    coupon_template = _AsciiModelChoiceField(
        label=gettext_lazy("Coupon (one of the brand's active coupons)"),
        queryset=coupon_selectors.active_templates(),
        required=False,
        empty_label=gettext_lazy("No coupon"),
    )
    tier_progress = YuanAmountField(
        label=gettext_lazy("Tier progress per order (yuan counted towards the sharer's tier)")
    )
    tier_progress_rate = PercentField(
        label=gettext_lazy("Tier progress rate (percent of what the friend paid)")
    )
    invite_after_orders = IntegerField(
        label=gettext_lazy(
            "Invite a customer to become a distributor after his shares brought (completed orders)"
        ),
        min_value=0,
        max_value=reward_rules.MAX_INVITE_AFTER * 10,
    )

    def draft(self) -> reward_rules.RewardRuleDraft:
        data = self.cleaned_data
        reward = data["reward"]
        amount = {
            ShareRewardKind.POINTS_FIXED: data["points"],
            ShareRewardKind.POINTS_PER_YUAN: data["points"],
            ShareRewardKind.CASHBACK_FIXED: data["cashback"],
            ShareRewardKind.CASHBACK_BP: data["cashback_rate"],
            ShareRewardKind.TIER_FIXED: data["tier_progress"],
            ShareRewardKind.TIER_BP: data["tier_progress_rate"],
        }.get(reward, 0)
        template = data["coupon_template"] if reward == ShareRewardKind.COUPON else None
        return reward_rules.RewardRuleDraft(
            trigger=data["trigger"],
            reward=reward,
            amount=amount or 0,
            invite_after_orders=data["invite_after_orders"],
            coupon_template_id=template.pk if template else None,
        )


def _initial(rule: ShareRewardRule) -> dict:
    initial = {
        "trigger": rule.trigger,
        "reward": rule.reward,
        "invite_after_orders": rule.invite_after_orders,
    }
    if rule.reward in (ShareRewardKind.POINTS_FIXED, ShareRewardKind.POINTS_PER_YUAN):
        initial["points"] = rule.amount
    elif rule.reward == ShareRewardKind.CASHBACK_FIXED:
        initial["cashback"] = format_yuan(rule.amount)
    elif rule.reward == ShareRewardKind.CASHBACK_BP:
        initial["cashback_rate"] = rule.amount
    elif rule.reward == ShareRewardKind.COUPON:
        initial["coupon_template"] = rule.coupon_template_id
    elif rule.reward == ShareRewardKind.TIER_FIXED:
        initial["tier_progress"] = format_yuan(rule.amount)
    elif rule.reward == ShareRewardKind.TIER_BP:
        initial["tier_progress_rate"] = rule.amount
    return initial


@staff_required
def share_rewards_page(request):
    current = ShareRewardRule.current()
    verdict = None
    if request.method == "POST":
        form = ShareRuleForm(request.POST)
        if form.is_valid():
            draft = form.draft()
            verdict = reward_rules.check_reward_rule(draft)
            try:
                rule = share_rewards.save_share_rule(draft=draft, actor=request.user)
            except DomainError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _(
                        "Share reward rule version %(version)s saved; it applies to orders that "
                        "complete from now on."
                    )
                    % {"version": rule.version},
                )
                return redirect("console:share_rewards")
        else:
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else None
                for error in errors:
                    messages.error(request, f"{label}: {error}" if label else error)
    else:
        form = ShareRuleForm(initial=_initial(current))
    history = list(ShareRewardRule.objects.select_related("created_by", "coupon_template")[:20])
    for rule in history:
        rule.words = share_rewards.describe_reward(rule) or _("no reward")
    return render(
        request,
        "console/share_rewards/settings.html",
        {
            "form": form,
            "verdict": verdict,
            "current": current,
            "current_words": share_rewards.describe_reward(current) or _("no reward"),
            "history": history,
            "nav": "share_rewards",
        },
    )


@staff_required
def top_sharers(request):
    full = roles.sees_full_customer_data(request.user)
    rows = [
        {
            "nickname": row["shared_by__nickname"]
            if full
            else mask_name(row["shared_by__nickname"]),
            "mobile": row["shared_by__mobile"] if full else mask_mobile(row["shared_by__mobile"]),
            "orders": row["orders"],
            "completed": row["completed"],
            "points": row["points"],
            "cashback": format_fen(row["cashback_fen"]),
        }
        for row in selectors.top_sharers()
    ]
    return render(
        request, "console/share_rewards/sharers.html", {"rows": rows, "nav": "top_sharers"}
    )
