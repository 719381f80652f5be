"""The posting cadence rule (不刷屏), pure: a day's posts against the brand's minimum, maximum
and share of posts about products; what one more post would newly break."""

from hypothesis import given
from hypothesis import strategies as st

from weishang.content import cadence
from weishang.content.cadence import TOO_FEW, TOO_MANY, TOO_MANY_ABOUT_PRODUCTS, CadenceRule

DEFAULT = CadenceRule(min_per_day=5, max_per_day=8, product_share_max_bp=5000)


def codes(problems):
    return [problem.code for problem in problems]


def test_a_day_within_the_rule_has_no_problem():
    assert cadence.check_day(DEFAULT, [True, True, False, False, False, False]) == []


def test_nine_posts_are_too_many_with_the_numbers_in_the_message():
    problems = cadence.check_day(DEFAULT, [False] * 9)
    assert codes(problems) == [TOO_MANY]
    assert problems[0].message == (
        "9 posts planned for the day, more than the brand's rule of at most 8 a day."
    )


def test_more_than_half_about_products_breaks_the_share():
    problems = cadence.check_day(DEFAULT, [True, True, True, False, False])
    assert codes(problems) == [TOO_MANY_ABOUT_PRODUCTS]
    assert "3 of the day's 5 posts are about products" in problems[0].message
    assert "at most 50%" in problems[0].message


def test_exactly_half_is_allowed():
    assert cadence.check_day(DEFAULT, [True] * 3 + [False] * 3) == []


def test_a_day_still_being_planned_counts_as_the_minimum_for_the_share():
    """Of a 5-a-day rule, the first two product posts keep within half; the third does not."""
    assert codes(cadence.check_day(DEFAULT, [True])) == [TOO_FEW]
    assert codes(cadence.check_day(DEFAULT, [True, True])) == [TOO_FEW]
    problems = cadence.check_day(DEFAULT, [True, True, True])
    assert codes(problems) == [TOO_MANY_ABOUT_PRODUCTS, TOO_FEW]
    assert "3 of the day's 5 posts are about products" in problems[0].message


def test_too_few_is_a_gentle_note_that_breaks_nothing():
    problems = cadence.check_day(DEFAULT, [False, False])
    assert codes(problems) == [TOO_FEW]
    assert not problems[0].breaks_rule
    assert "the brand suggests at least 5 a day" in problems[0].message


def test_if_added_names_only_what_the_post_would_newly_break():
    eight = [True] * 4 + [False] * 4
    assert codes(cadence.if_added(DEFAULT, eight, about_product=False)) == [TOO_MANY]
    assert codes(cadence.if_added(DEFAULT, eight, about_product=True)) == [
        TOO_MANY,
        TOO_MANY_ABOUT_PRODUCTS,
    ]
    assert cadence.if_added(DEFAULT, [False] * 5, about_product=False) == []
    nine = [False] * 9
    assert cadence.if_added(DEFAULT, nine, about_product=False) == []


def test_percent_reads_basis_points():
    assert cadence.percent(5000) == "50%"
    assert cadence.percent(3750) == "37.5%"
    assert cadence.percent(0) == "0%"


rules = st.builds(
    lambda low, extra, share: CadenceRule(low, low + extra, share),
    st.integers(1, 30),
    st.integers(0, 30),
    st.integers(0, 10_000),
)
days = st.lists(st.booleans(), max_size=40)


@given(rules, days)
def test_each_problem_is_exactly_its_rule(rule, flags):
    found = set(codes(cadence.check_day(rule, flags)))
    total, products = len(flags), sum(flags)
    assert (TOO_MANY in found) == (total > rule.max_per_day)
    assert (TOO_MANY_ABOUT_PRODUCTS in found) == (
        products * 10_000 > rule.product_share_max_bp * max(total, rule.min_per_day)
    )
    assert (TOO_FEW in found) == (total < rule.min_per_day)


@given(rules, days)
def test_the_order_of_the_posts_does_not_matter(rule, flags):
    assert codes(cadence.check_day(rule, flags)) == codes(cadence.check_day(rule, flags[::-1]))


@given(rules, days, st.booleans())
def test_if_added_is_what_the_day_with_the_post_breaks_and_the_day_without_did_not(
    rule, flags, about_product
):
    added = codes(cadence.if_added(rule, flags, about_product=about_product))
    before = set(codes(cadence.check_day(rule, flags)))
    after = codes(cadence.check_day(rule, [*flags, about_product]))
    assert added == [code for code in after if code != TOO_FEW and code not in before]
