"""The plan compliance check (COMPLIANCE.md §1) and the commission arithmetic, with no database."""

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from weishang.commissions.rules import (
    ADVISORY,
    STRICT,
    Override,
    PlanDraft,
    check_plan,
    commission_fen,
    format_bp,
    pro_rata_fen,
    reversal_fen,
)

ENTRY_FEE = "《禁止传销条例》第七条第（二）项"
RECRUITING = "《禁止传销条例》第七条第（一）项"
TEAM_PAY = "《禁止传销条例》第七条第（三）项"
CRIMINAL = "立案追诉标准的规定（二）》第七十八条"
WECHAT = "微信公众平台"
NO_STOCK = "不压货"


def refusal(draft: PlanDraft, code: str):
    verdict = check_plan(draft)
    assert not verdict.ok
    found = [r for r in verdict.refusals if r.code == code]
    assert found, [r.code for r in verdict.refusals]
    return found[0]


def test_the_default_plan_is_five_percent_strict_and_passes_clean():
    verdict = check_plan(PlanDraft())
    assert verdict.ok
    assert verdict.refusals == () and verdict.warnings == ()
    assert PlanDraft().default_rate_bp == 500 and PlanDraft().mode == STRICT


# Every refusal in COMPLIANCE.md §1, each citing its article --------------------------------------


@pytest.mark.parametrize(
    ("change", "code", "articles"),
    [
        ({"join_fee_fen": 9900}, "join_fee", [ENTRY_FEE, WECHAT]),
        ({"deposit_fen": 50000}, "deposit", [ENTRY_FEE]),
        ({"starter_pack": True}, "starter_pack", [ENTRY_FEE, "认购商品"]),
        ({"minimum_purchase_fen": 100000}, "minimum_purchase", [ENTRY_FEE, "认购商品"]),
        ({"recruitment_reward_fen": 2000}, "recruitment_reward", [RECRUITING]),
        ({"team_size_ranks": True}, "team_size_rank", [RECRUITING]),
        ({"team_sales_ranks": True}, "team_sales_rank", [TEAM_PAY, WECHAT]),
        ({"stock_purchase_required": True}, "stock_purchase", [NO_STOCK, ENTRY_FEE]),
    ],
)
@pytest.mark.parametrize("mode", [STRICT, ADVISORY])
def test_features_refused_in_every_mode_cite_their_article(mode, change, code, articles):
    found = refusal(PlanDraft(mode=mode, **change), code)
    for article in articles:
        assert article in found.message
    assert found.article.startswith("《禁止传销条例》第七条") or NO_STOCK in found.article
    assert found.article in found.message


@pytest.mark.parametrize("mode", [STRICT, ADVISORY])
def test_a_third_level_is_refused_with_the_criminal_threshold(mode):
    draft = PlanDraft(mode=mode, upline_rates_bp=(200, 100), second_level_acknowledged=True)
    assert draft.levels == 3
    found = refusal(draft, "third_level")
    assert TEAM_PAY in found.message
    assert CRIMINAL in found.message
    assert "三级以上" in found.message and WECHAT in found.message


def test_a_third_level_counts_even_when_the_second_pays_nothing():
    draft = PlanDraft(mode=ADVISORY, upline_rates_bp=(0, 100), second_level_acknowledged=True)
    assert draft.levels == 3
    refusal(draft, "third_level")


def test_levels_that_pay_nothing_are_no_levels():
    draft = PlanDraft(upline_rates_bp=(0, 0))
    assert draft.levels == 1
    assert check_plan(draft).ok


def test_a_second_level_in_strict_mode_is_refused():
    found = refusal(
        PlanDraft(mode=STRICT, upline_rates_bp=(200,), second_level_acknowledged=True),
        "second_level_in_strict_mode",
    )
    assert TEAM_PAY in found.message


def test_a_second_level_without_acknowledgment_is_refused():
    found = refusal(
        PlanDraft(mode=ADVISORY, upline_rates_bp=(200,)), "second_level_not_acknowledged"
    )
    assert TEAM_PAY in found.message


def test_an_acknowledged_second_level_in_advisory_mode_passes_with_a_warning():
    verdict = check_plan(
        PlanDraft(mode=ADVISORY, upline_rates_bp=(200,), second_level_acknowledged=True)
    )
    assert verdict.ok
    assert [w.code for w in verdict.warnings] == ["second_level_risk"]
    assert TEAM_PAY in verdict.warnings[0].message


def test_advisory_mode_without_a_second_level_needs_no_acknowledgment():
    assert check_plan(PlanDraft(mode=ADVISORY)).ok


def test_a_rate_above_the_product_margin_is_refused():
    draft = PlanDraft(products=(Override(key=1, label="骏枣", rate_bp=1200, margin_bp=1000),))
    found = refusal(draft, "rate_above_margin")
    assert "骏枣" in found.message and "12 %" in found.message and "10 %" in found.message
    assert "《禁止传销条例》第二条" in found.message


def test_the_margin_checks_the_inherited_rate_and_both_levels():
    category = Override(key=7, label="红枣", rate_bp=900)
    product = Override(key=1, label="骏枣", margin_bp=800, category_key=7)
    refusal(PlanDraft(categories=(category,), products=(product,)), "rate_above_margin")
    # Without the category rate the default 5 % applies and fits in 8 %...
    assert check_plan(PlanDraft(products=(product,))).ok
    # ...until a second level takes the total to 9 %.
    refusal(
        PlanDraft(
            mode=ADVISORY,
            products=(product,),
            upline_rates_bp=(400,),
            second_level_acknowledged=True,
        ),
        "rate_above_margin",
    )
    refusal(
        PlanDraft(categories=(Override(key=7, label="红枣", rate_bp=600, margin_bp=500),)),
        "rate_above_margin",
    )


def test_a_rate_equal_to_the_margin_passes():
    draft = PlanDraft(products=(Override(key=1, label="骏枣", rate_bp=1000, margin_bp=1000),))
    assert check_plan(draft).ok


@pytest.mark.parametrize(
    "draft",
    [
        PlanDraft(default_rate_bp=10001),
        PlanDraft(products=(Override(key=1, label="骏枣", rate_bp=20000),)),
        PlanDraft(categories=(Override(key=1, label="红枣", rate_bp=10001),)),
        PlanDraft(mode=ADVISORY, upline_rates_bp=(10001,), second_level_acknowledged=True),
        PlanDraft(products=(Override(key=1, label="骏枣", margin_bp=10001),)),
    ],
)
def test_a_rate_outside_0_to_100_percent_is_refused(draft):
    found = refusal(draft, "rate_out_of_range")
    assert "between 0 % and 100 %" in found.message


@pytest.mark.parametrize(
    "draft",
    [
        PlanDraft(default_rate_bp=-1),
        PlanDraft(default_rate_bp=5.5),
        PlanDraft(default_rate_bp=True),
        PlanDraft(join_fee_fen=-100),
        PlanDraft(recruitment_reward_fen=0.5),
        PlanDraft(products=(Override(key=1, label="骏枣", rate_bp=-5),)),
        PlanDraft(products=(Override(key=1, label="骏枣", margin_bp=-5),)),
        PlanDraft(upline_rates_bp=(-200,)),
        PlanDraft(starter_pack="yes"),
    ],
)
def test_negative_or_non_integer_inputs_are_refused(draft):
    refusal(draft, "invalid_number")


def test_an_unknown_mode_is_refused():
    refusal(PlanDraft(mode="pyramid"), "unknown_mode")


@pytest.mark.parametrize(
    "draft",
    [
        PlanDraft(default_rate_bp=3001),
        PlanDraft(products=(Override(key=1, label="骏枣", rate_bp=3500),)),
        PlanDraft(categories=(Override(key=1, label="红枣", rate_bp=4000),)),
    ],
)
def test_a_rate_above_30_percent_warns_with_the_direct_selling_cap(draft):
    verdict = check_plan(draft)
    assert verdict.ok
    assert [w.code for w in verdict.warnings] == ["rate_above_30pc"]
    assert "《直销管理条例》第二十四条" in verdict.warnings[0].message


def test_exactly_30_percent_does_not_warn():
    assert check_plan(PlanDraft(default_rate_bp=3000)).warnings == ()


def test_every_refusal_is_reported_at_once():
    verdict = check_plan(
        PlanDraft(
            join_fee_fen=100,
            recruitment_reward_fen=100,
            team_sales_ranks=True,
            upline_rates_bp=(100, 100),
        )
    )
    assert {"join_fee", "recruitment_reward", "team_sales_rank", "third_level"} <= verdict.codes()


def test_format_bp():
    assert [format_bp(x) for x in (500, 550, 1, 0, 10000, 1234)] == [
        "5 %",
        "5.5 %",
        "0.01 %",
        "0 %",
        "100 %",
        "12.34 %",
    ]


# Properties of the verdict -----------------------------------------------------------------------

rates = st.integers(min_value=0, max_value=10_000)
fens = st.integers(min_value=0, max_value=10**9)
overrides = st.builds(
    Override,
    key=st.integers(1, 50),
    label=st.sampled_from(["红枣", "骏枣", "枣夹核桃"]),
    rate_bp=st.none() | rates,
    margin_bp=st.none() | rates,
    category_key=st.none() | st.integers(1, 50),
)
drafts = st.builds(
    PlanDraft,
    mode=st.sampled_from([STRICT, ADVISORY]),
    default_rate_bp=rates,
    categories=st.lists(overrides, max_size=3).map(tuple),
    products=st.lists(overrides, max_size=3).map(tuple),
    upline_rates_bp=st.lists(rates, max_size=3).map(tuple),
    second_level_acknowledged=st.booleans(),
    join_fee_fen=st.just(0) | fens,
    deposit_fen=st.just(0) | fens,
    starter_pack=st.booleans(),
    minimum_purchase_fen=st.just(0) | fens,
    recruitment_reward_fen=st.just(0) | fens,
    team_size_ranks=st.booleans(),
    team_sales_ranks=st.booleans(),
    stock_purchase_required=st.booleans(),
)

FORBIDDEN = [
    "join_fee_fen",
    "deposit_fen",
    "starter_pack",
    "minimum_purchase_fen",
    "recruitment_reward_fen",
    "team_size_ranks",
    "team_sales_ranks",
    "stock_purchase_required",
]


@given(drafts)
def test_an_accepted_plan_pays_at_most_two_levels_and_has_no_forbidden_feature(draft):
    verdict = check_plan(draft)
    if verdict.ok:
        assert draft.levels <= 2
        assert all(not getattr(draft, name) for name in FORBIDDEN)
        if draft.levels == 2:
            assert draft.mode == ADVISORY and draft.second_level_acknowledged
            assert "second_level_risk" in {w.code for w in verdict.warnings}
        for override in (*draft.categories, *draft.products):
            if override.rate_bp is not None and override.margin_bp is not None:
                assert override.rate_bp <= override.margin_bp
    for finding in verdict.refusals:
        assert finding.code and finding.message
        assert finding.article in finding.message


@given(drafts, st.sampled_from(FORBIDDEN))
def test_any_forbidden_feature_alone_is_enough_to_refuse(draft, name):
    value = True if isinstance(getattr(draft, name), bool) else 1
    assert not check_plan(dataclasses.replace(draft, **{name: value})).ok


@given(drafts)
def test_the_check_is_deterministic_and_never_raises(draft):
    assert check_plan(draft) == check_plan(draft)


# Commission arithmetic ---------------------------------------------------------------------------


def test_commission_rounds_down_to_the_fen():
    assert commission_fen(3990, 500) == 199  # 199.5 fen
    assert commission_fen(3990, 550) == 219  # 219.45 fen
    assert commission_fen(1, 9999) == 0
    assert commission_fen(10**12, 10_000) == 10**12


@pytest.mark.parametrize(
    "args", [(-1, 500), (100, -1), (100, 10_001), (100.0, 500), (100, 5.5), (True, 500)]
)
def test_commission_refuses_bad_inputs(args):
    with pytest.raises(ValueError):
        commission_fen(*args)


@given(fens, rates)
def test_commission_never_exceeds_the_exact_share_by_any_fraction(base, rate):
    fen = commission_fen(base, rate)
    # fen ≤ base × rate / 10000 < fen + 1, checked in integers
    assert fen * 10_000 <= base * rate < (fen + 1) * 10_000
    assert 0 <= fen <= base


@given(fens, rates, fens)
def test_commission_is_monotone_in_the_base(base, rate, extra):
    assert commission_fen(base, rate) <= commission_fen(base + extra, rate)


def test_pro_rata():
    assert pro_rata_fen(199, 1995, 3990) == 99
    assert pro_rata_fen(199, 3990, 3990) == 199
    assert pro_rata_fen(199, 0, 3990) == 0
    assert pro_rata_fen(0, 0, 0) == 0  # a free line (100 % coupon) earned and reverses nothing


@pytest.mark.parametrize(
    "args",
    [(-1, 1, 2), (10, 3, 2), (10, -1, 2), (10, 1, 0), (10, 0, -1), (10.0, 1, 2), (10, 1.5, 2)],
)
def test_pro_rata_refuses_bad_inputs(args):
    with pytest.raises(ValueError):
        pro_rata_fen(*args)


@st.composite
def refunds_of_a_line(draw):
    whole = draw(st.integers(1, 10**8))
    amount = draw(st.integers(0, whole))
    pieces, left = [], whole
    for _ in range(draw(st.integers(1, 8))):
        if left == 0:
            break
        piece = draw(st.integers(0, left))
        pieces.append(piece)
        left -= piece
    return amount, whole, pieces


@given(refunds_of_a_line(), st.booleans())
def test_reversing_in_pieces_equals_reversing_at_once(case, finish):
    amount, whole, pieces = case
    if finish:
        pieces = [*pieces, whole - sum(pieces)]
    reversed_total, refunded = 0, 0
    for piece in pieces:
        step = reversal_fen(
            amount_fen=amount, whole_fen=whole, refunded_before_fen=refunded, refund_fen=piece
        )
        assert step >= 0
        reversed_total += step
        refunded += piece
        assert reversed_total <= amount
        assert reversed_total == pro_rata_fen(amount, refunded, whole)
    if finish:
        assert reversed_total == amount


def test_a_refund_beyond_the_line_is_refused():
    with pytest.raises(ValueError):
        reversal_fen(amount_fen=199, whole_fen=3990, refunded_before_fen=3000, refund_fen=1000)
