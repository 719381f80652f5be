"""The share-reward rule check (COMPLIANCE.md §2), pure: no database access.

A customer who shares a product is rewarded only when a friend's order through his link completes
without any return or refund: a referral reward for a purchase. Paying for the act of sharing, for
likes, for sign-ups or for friends' help (分享即得 / 集赞 / 邀请注册 / 助力 / 砍价) induces sharing
with rewards, which 《微信外部链接内容管理规范》2.1.2 forbids; the check refuses such a rule when
it is saved, with the rule it breaks, as the plan check refuses pyramid plans.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from weishang.commissions.rules import BP, Finding, Verdict

INDUCED_SHARING = "《微信外部链接内容管理规范》2.1.2 诱导分享"
REFERRAL_ONLY = "品牌政策：只奖励好友完成且未退货退款的订单"

# When a reward is given. Only the first is lawful; the others are offered so the check can say
# why they are refused instead of the form pretending they do not exist.
ORDER_COMPLETED = "order_completed"
ORDER_PAID = "order_paid"
SHARE = "share"
LIKES = "likes"
SIGN_UP = "sign_up"
HELP = "help"
BARGAIN = "bargain"
TRIGGERS = {
    ORDER_COMPLETED: gettext_lazy(
        "a friend's order through the link completes without any return or refund"
    ),
    ORDER_PAID: gettext_lazy("a friend's order through the link is paid"),
    SHARE: gettext_lazy("each time the link is shared (分享即得)"),
    LIKES: gettext_lazy("likes collected on the shared link (集赞)"),
    SIGN_UP: gettext_lazy("each friend who signs up through the link (邀请注册)"),
    HELP: gettext_lazy("friends tapping to help unlock the reward (助力)"),
    BARGAIN: gettext_lazy("friends tapping to cut the price (砍价)"),
}

# What the sharer gets, and what ``amount`` means for each.
NONE = "none"
POINTS_FIXED = "points_fixed"  # points per completed order
POINTS_PER_YUAN = "points_per_yuan"  # points per whole yuan the friend paid for goods
CASHBACK_FIXED = "cashback_fixed"  # fen to the wallet per completed order
CASHBACK_BP = "cashback_bp"  # basis points of what the friend paid for goods
COUPON = "coupon"  # one coupon of the named template; no amount
TIER_FIXED = "tier_fixed"  # fen counted towards the sharer's tier per completed order
TIER_BP = "tier_bp"  # basis points of what the friend paid for goods, counted towards his tier
REWARDS = (
    NONE,
    POINTS_FIXED,
    POINTS_PER_YUAN,
    CASHBACK_FIXED,
    CASHBACK_BP,
    COUPON,
    TIER_FIXED,
    TIER_BP,
)

MAX_AMOUNT = 1_000_000_000  # fits the database's integer column with room to spare
MAX_INVITE_AFTER = 1_000


@dataclass(frozen=True)
class RewardRuleDraft:
    """A proposed share reward rule. ``invite_after_orders``: completed orders through a
    customer's shares after which his account page invites him to apply as a distributor.
    ``coupon_template_id``: the coupon a ``COUPON`` reward issues (whether that template is still
    active is the service's to check)."""

    trigger: str = ORDER_COMPLETED
    reward: str = NONE
    amount: int = 0
    invite_after_orders: int = 3
    coupon_template_id: int | None = None


def _finding(code: str, message: str, article: str) -> Finding:
    message = _("%(message)s (%(article)s)") % {"message": message, "article": article}
    return Finding(code, message, article)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _trigger_refusals(trigger: str) -> list[Finding]:
    if trigger == ORDER_COMPLETED:
        return []
    if trigger == ORDER_PAID:
        return [
            _finding(
                "paid_not_completed",
                _(
                    "A reward on payment would reward orders that are later returned: the sharer "
                    "is rewarded only once the friend's order completes without return or refund."
                ),
                REFERRAL_ONLY,
            )
        ]
    acts = {
        SHARE: _("A reward for the act of sharing (分享即得) is refused."),
        LIKES: _("A reward for collecting likes (集赞) is refused."),
        SIGN_UP: _("A reward for inviting friends to sign up (邀请注册) is refused."),
        HELP: _("A reward for friends' help (助力) is refused."),
        BARGAIN: _("A reward for friends cutting the price (砍价) is refused."),
    }
    if trigger not in acts:
        return [Finding("unknown_trigger", _("Choose when the reward is given."))]
    reason = _(
        "Inducing shares with money, points, coupons or red packets is banned; a sharer may be "
        "rewarded only when a friend's order through his link completes without return."
    )
    return [_finding(f"pays_for_{trigger}", f"{acts[trigger]} {reason}", INDUCED_SHARING)]


def _amount_refusals(reward: str, amount, coupon_template_id) -> list[Finding]:
    if reward not in REWARDS:
        return [Finding("unknown_reward", _("Choose what the sharer gets."))]
    if reward == COUPON:
        if coupon_template_id is None:
            return [Finding("no_coupon", _("Choose the coupon the sharer gets."))]
        return []
    if coupon_template_id is not None:
        return [Finding("coupon_not_given", _("Only a coupon reward names a coupon."))]
    if not _is_int(amount) or amount < 0 or amount > MAX_AMOUNT:
        return [Finding("bad_amount", _("The reward's amount must be a whole number from 0."))]
    if reward == NONE:
        return []
    if amount == 0:
        return [Finding("no_amount", _("Give the reward an amount above zero, or choose none."))]
    if reward == CASHBACK_BP and amount > BP:
        return [Finding("cashback_above_paid", _("Cash-back cannot exceed what the friend paid."))]
    if reward == TIER_BP and amount > BP:
        return [Finding("tier_above_paid", _("Tier progress cannot exceed what the friend paid."))]
    return []


def check_reward_rule(draft: RewardRuleDraft) -> Verdict:
    """Refusals, each with the rule it breaks; the rule can be saved only without any."""
    refusals = _trigger_refusals(draft.trigger) + _amount_refusals(
        draft.reward, draft.amount, draft.coupon_template_id
    )
    invite = draft.invite_after_orders
    if not _is_int(invite) or not 1 <= invite <= MAX_INVITE_AFTER:
        refusals.append(
            Finding(
                "bad_invite_after",
                _("Invite sharers to become distributors after 1 to %(max)d completed orders.")
                % {"max": MAX_INVITE_AFTER},
            )
        )
    return Verdict(refusals=tuple(refusals))


def reward_for(*, reward: str, amount: int, paid_fen: int) -> tuple[int, int]:
    """(points, cash-back fen) a completed order earns its sharer, both rounded down: points per
    whole yuan paid, cash-back in whole fen of the basis points."""
    if reward == POINTS_FIXED:
        return amount, 0
    if reward == POINTS_PER_YUAN:
        return paid_fen // 100 * amount, 0
    if reward == CASHBACK_FIXED:
        return 0, amount
    if reward == CASHBACK_BP:
        return 0, paid_fen * amount // BP
    return 0, 0


def tier_credit_for(*, reward: str, amount: int, paid_fen: int) -> int:
    """The fen a completed order counts towards its sharer's tier, rounded down (0 for rewards
    that are not tier progress)."""
    if reward == TIER_FIXED:
        return amount
    if reward == TIER_BP:
        return paid_fen * amount // BP
    return 0
