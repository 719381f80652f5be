"""The posting cadence (不刷屏): the brand's rule for a distributor's posts on one day, checked
without the database. A day breaks the rule with more posts than the maximum or with more of
them about products than the share allows; fewer than the minimum is only a gentle note.

The share counts a day of fewer posts than the minimum as the minimum: the day is still being
planned, so its first product post (one of one, 100%) is not a break, but a third product post
of a 5-a-day, at-most-half rule is, however few other posts are planned yet."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

TOO_MANY = "too_many"
TOO_MANY_ABOUT_PRODUCTS = "too_many_about_products"
TOO_FEW = "too_few"


@dataclass(frozen=True)
class CadenceRule:
    min_per_day: int
    max_per_day: int
    product_share_max_bp: int  # 5000: at most half the day's posts about products


@dataclass(frozen=True)
class Problem:
    code: str
    message: str

    @property
    def breaks_rule(self) -> bool:
        """A note about too few posts never stops a post."""
        return self.code != TOO_FEW


def rule_of(settings) -> CadenceRule:
    """The rule from the brand's ContentSettings (or anything with its fields)."""
    return CadenceRule(
        min_per_day=settings.posts_min_per_day,
        max_per_day=settings.posts_max_per_day,
        product_share_max_bp=settings.product_posts_max_bp,
    )


def percent(bp: int) -> str:
    """5000 as '50%', 3750 as '37.5%'."""
    whole, part = divmod(bp, 100)
    return (f"{whole}.{part:02d}".rstrip("0") if part else str(whole)) + "%"


def breaks_maximum(rule: CadenceRule, total: int) -> bool:
    return total > rule.max_per_day


def share_base(rule: CadenceRule, total: int) -> int:
    """The number of posts the product share is taken of: the day's, at least the minimum."""
    return max(total, rule.min_per_day)


def breaks_product_share(rule: CadenceRule, total: int, about_products: int) -> bool:
    return about_products * 10_000 > rule.product_share_max_bp * share_base(rule, total)


def check_day(rule: CadenceRule, about_products: Sequence[bool]) -> list[Problem]:
    """What is wrong with a day whose posts are ``about_products`` (one flag a post)."""
    total = len(about_products)
    products = sum(1 for flag in about_products if flag)
    problems = []
    if breaks_maximum(rule, total):
        problems.append(
            Problem(
                TOO_MANY,
                _(
                    "%(count)d posts planned for the day, more than the brand's rule of at most "
                    "%(max)d a day."
                )
                % {"count": total, "max": rule.max_per_day},
            )
        )
    if breaks_product_share(rule, total, products):
        problems.append(
            Problem(
                TOO_MANY_ABOUT_PRODUCTS,
                _(
                    "%(products)d of the day's %(count)d posts are about products, more than the "
                    "brand's rule of at most %(share)s."
                )
                % {
                    "products": products,
                    "count": share_base(rule, total),
                    "share": percent(rule.product_share_max_bp),
                },
            )
        )
    if total < rule.min_per_day:
        problems.append(
            Problem(
                TOO_FEW,
                _("%(count)d posts planned for the day; the brand suggests at least %(min)d a day.")
                % {"count": total, "min": rule.min_per_day},
            )
        )
    return problems


def if_added(
    rule: CadenceRule, about_products: Sequence[bool], *, about_product: bool
) -> list[Problem]:
    """The rule breaks one more post (about products or not) would newly cause on the day;
    the messages count the day with that post."""
    before = {problem.code for problem in check_day(rule, about_products)}
    return [
        problem
        for problem in check_day(rule, [*about_products, about_product])
        if problem.breaks_rule and problem.code not in before
    ]
