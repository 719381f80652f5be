"""Pure commission rules, no database access: the plan compliance check (COMPLIANCE.md §1) and the
commission arithmetic in integer fen and basis points."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

BP = 10_000  # basis points in 100 %
WARN_ABOVE_BP = 3_000  # 《直销管理条例》第二十四条: 30 %, the cap even licensed direct sellers face
STRICT = "strict"
ADVISORY = "advisory"

# The articles a refusal or a warning cites; shown to the brand in their official Chinese names.
ART_2 = "《禁止传销条例》第二条"
ART_7_1 = "《禁止传销条例》第七条第（一）项 拉人头"
ART_7_2 = "《禁止传销条例》第七条第（二）项 入门费"
ART_7_3 = "《禁止传销条例》第七条第（三）项 团队计酬"
CRIMINAL_THRESHOLD = (
    "《最高人民检察院、公安部关于公安机关管辖的刑事案件立案追诉标准的规定（二）》第七十八条"
    "（层级三级以上、人员三十人以上即立案追诉）"
)
WECHAT_RULES = "微信公众平台关于打击传销及多级分销的公告（2015、2016）"
NO_STOCK_LOADING = "品牌政策：不压货，每单由品牌仓库一件代发"
DIRECT_SELLING_CAP = "《直销管理条例》第二十四条（30 %）"


@dataclass(frozen=True)
class Override:
    """A rate for one category or one product, and the product's margin.

    ``rate_bp`` None means the rate is inherited (product → category → default) and the override
    only carries a margin to check that inherited rate against. ``margin_bp`` is (price − cost) as
    basis points of the price (see ``margin_bp``), derived from the catalogue by the service that
    checks the plan; None when no cost is known."""

    key: int
    label: str = ""
    rate_bp: int | None = None
    margin_bp: int | None = None
    category_key: int | None = None  # a product's category, for the inherited rate


@dataclass(frozen=True)
class SalesLevel:
    """A distributor level reached by his own completed sales alone (never a recruit's or a
    team's): ``threshold_fen`` of his own completed, not-refunded sales over his whole time as a
    distributor raise his own rate by ``extra_rate_bp``."""

    name: str
    threshold_fen: int
    extra_rate_bp: int


@dataclass(frozen=True)
class PlanDraft:
    """A proposed commission plan, including the features a brand might ask for that the law
    forbids; the check refuses those instead of the form silently hiding them."""

    mode: str = STRICT
    default_rate_bp: int = 500
    categories: tuple[Override, ...] = ()
    products: tuple[Override, ...] = ()
    # Rates of the levels above the distributor who brought the customer: (his inviter = level 2,
    # the inviter's inviter = level 3, …). Empty for the one-level plan.
    upline_rates_bp: tuple[int, ...] = ()
    second_level_acknowledged: bool = False
    # Levels by the distributor's own completed sales, lowest threshold first.
    sales_levels: tuple[SalesLevel, ...] = ()
    # Refused in every mode.
    join_fee_fen: int = 0
    deposit_fen: int = 0
    starter_pack: bool = False
    minimum_purchase_fen: int = 0
    recruitment_reward_fen: int = 0
    team_size_ranks: bool = False
    team_sales_ranks: bool = False
    stock_purchase_required: bool = False

    @property
    def levels(self) -> int:
        """How many levels the plan pays: 1 plus every upline level up to the last paying one."""
        paying = [i for i, rate in enumerate(self.upline_rates_bp) if rate != 0]
        return 1 + (paying[-1] + 1 if paying else 0)

    @property
    def second_level_rate_bp(self) -> int:
        return self.upline_rates_bp[0] if self.upline_rates_bp else 0


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    article: str = ""


@dataclass(frozen=True)
class Verdict:
    refusals: tuple[Finding, ...] = ()
    warnings: tuple[Finding, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.refusals

    def codes(self) -> set[str]:
        return {f.code for f in self.refusals}


@dataclass
class _Collector:
    refusals: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def refuse(self, code: str, message: str, *articles: str) -> None:
        self.refusals.append(_finding(code, message, articles))

    def warn(self, code: str, message: str, *articles: str) -> None:
        self.warnings.append(_finding(code, message, articles))


def _finding(code: str, message: str, articles: Iterable[str]) -> Finding:
    article = "；".join(articles)
    if article:
        message = _("%(message)s (%(article)s)") % {"message": message, "article": article}
    return Finding(code, message, article)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_numbers(draft: PlanDraft, out: _Collector) -> bool:
    """Every number is a non-negative integer and every rate lies in 0..10000 bp."""
    numbers: list[tuple[str, object, bool]] = [
        (_("Default rate"), draft.default_rate_bp, True),
        (_("Join fee"), draft.join_fee_fen, False),
        (_("Deposit"), draft.deposit_fen, False),
        (_("Minimum purchase"), draft.minimum_purchase_fen, False),
        (_("Recruitment reward"), draft.recruitment_reward_fen, False),
    ]
    for level, rate in enumerate(draft.upline_rates_bp, start=2):
        numbers.append((_("Level %(level)d rate") % {"level": level}, rate, True))
    for override in (*draft.categories, *draft.products):
        if override.rate_bp is not None:
            numbers.append(
                (_("Rate for %(name)s") % {"name": override.label}, override.rate_bp, True)
            )
        if override.margin_bp is not None:
            numbers.append(
                (_("Margin of %(name)s") % {"name": override.label}, override.margin_bp, True)
            )
    for level in draft.sales_levels:
        numbers.append(
            (_("Sales threshold of %(name)s") % {"name": level.name}, level.threshold_fen, False)
        )
        numbers.append(
            (_("Extra rate of %(name)s") % {"name": level.name}, level.extra_rate_bp, True)
        )
    valid = True
    for label, value, is_rate in numbers:
        if not _is_int(value) or value < 0:
            out.refuse(
                "invalid_number",
                _("%(field)s must be a whole number, zero or more.") % {"field": label},
            )
            valid = False
        elif is_rate and value > BP:
            out.refuse(
                "rate_out_of_range",
                _("%(field)s must be between 0 %% and 100 %%.") % {"field": label},
            )
            valid = False
    for flag in ("starter_pack", "team_size_ranks", "team_sales_ranks", "stock_purchase_required"):
        if not isinstance(getattr(draft, flag), bool):
            out.refuse("invalid_number", _("A yes-or-no setting has another value."))
            valid = False
    return valid


def _check_refused_features(draft: PlanDraft, out: _Collector) -> None:
    """What 《禁止传销条例》 Art. 7 and the platform rules forbid, in every mode."""
    if draft.join_fee_fen:
        out.refuse(
            "join_fee",
            _("A fee to become a distributor is an entry fee and is refused."),
            ART_7_2,
            WECHAT_RULES,
        )
    if draft.deposit_fen:
        out.refuse(
            "deposit",
            _("A deposit to become a distributor or to unlock a rate is an entry fee in disguise."),
            ART_7_2,
            WECHAT_RULES,
        )
    if draft.starter_pack:
        out.refuse(
            "starter_pack",
            _(
                "A starter pack (礼包) bought to join or to unlock a rate is an entry fee paid by "
                "buying goods (认购商品)."
            ),
            ART_7_2,
            WECHAT_RULES,
        )
    if draft.minimum_purchase_fen:
        out.refuse(
            "minimum_purchase",
            _(
                "A minimum purchase to join or to unlock a rate is an entry fee paid by buying "
                "goods (认购商品)."
            ),
            ART_7_2,
            WECHAT_RULES,
        )
    if draft.recruitment_reward_fen:
        out.refuse(
            "recruitment_reward",
            _(
                "A reward for recruiting people as such is pay calculated on the number of people "
                "recruited."
            ),
            ART_7_1,
        )
    if draft.team_size_ranks:
        out.refuse(
            "team_size_rank",
            _(
                "Ranks or rates based on team size pay on the number of people recruited, "
                "directly or indirectly."
            ),
            ART_7_1,
        )
    if draft.team_sales_ranks:
        out.refuse(
            "team_sales_rank",
            _("Ranks or rates based on team sales pay an upline on his downline's sales."),
            ART_7_3,
            WECHAT_RULES,
        )
    if draft.stock_purchase_required:
        out.refuse(
            "stock_purchase",
            _(
                "A distributor is never required to buy stock: the brand ships every order from "
                "its own warehouse, and compulsory purchases are an entry fee paid in goods."
            ),
            NO_STOCK_LOADING,
            ART_7_2,
        )


def _check_levels(draft: PlanDraft, out: _Collector) -> None:
    if draft.levels >= 3:
        out.refuse(
            "third_level",
            _(
                "A third level is never paid: paying an upline on his downline's sales is "
                "pyramid selling, and three or more levels is the threshold for criminal "
                "prosecution of the organisers; there is no safe harbour at three levels."
            ),
            ART_7_3,
            CRIMINAL_THRESHOLD,
            WECHAT_RULES,
        )
    if draft.second_level_rate_bp == 0:
        return
    if draft.mode != ADVISORY:
        out.refuse(
            "second_level_in_strict_mode",
            _(
                "Strict mode pays only the distributor who brought the customer; switch to "
                "advisory mode and acknowledge the risk to add a second level."
            ),
            ART_7_3,
        )
    elif not draft.second_level_acknowledged:
        out.refuse(
            "second_level_not_acknowledged",
            _(
                "A second level pays the inviter on sales he did not make; it needs your explicit "
                "acknowledgment of the risk."
            ),
            ART_7_3,
        )
    else:
        out.warn(
            "second_level_risk",
            _(
                "The second level pays an inviter on his invitee's sales, which authorities may "
                "treat as team-based pay."
            ),
            ART_7_3,
        )


def _check_sales_levels(draft: PlanDraft, out: _Collector) -> None:
    """Each level is named, and reached by more own sales than the level below it."""
    names = [level.name.strip() for level in draft.sales_levels]
    if not all(names):
        out.refuse("sales_level_unnamed", _("Every distributor level needs a name."))
    if len(set(names)) != len(names):
        out.refuse("sales_level_duplicate", _("Two distributor levels have the same name."))
    thresholds = [level.threshold_fen for level in draft.sales_levels]
    if any(low >= high for low, high in zip(thresholds, thresholds[1:], strict=False)):
        out.refuse(
            "sales_levels_not_increasing",
            _(
                "Each distributor level must need more completed sales than the level below it; "
                "list the levels from the lowest threshold up."
            ),
        )


def top_extra_rate_bp(levels: Iterable[SalesLevel]) -> int:
    """The most any level adds to a distributor's own rate; 0 without levels."""
    return max((level.extra_rate_bp for level in levels), default=0)


def level_for(own_sales_fen: int, levels: Iterable[SalesLevel]) -> SalesLevel | None:
    """The highest level whose threshold his own completed sales reach; None below the first."""
    reached = [level for level in levels if level.threshold_fen <= own_sales_fen]
    return max(reached, key=lambda level: level.threshold_fen, default=None)


def next_level(own_sales_fen: int, levels: Iterable[SalesLevel]) -> SalesLevel | None:
    """The lowest level his own completed sales do not reach yet; None at the top level."""
    ahead = [level for level in levels if level.threshold_fen > own_sales_fen]
    return min(ahead, key=lambda level: level.threshold_fen, default=None)


def own_rate_bp(rate_bp: int, level: SalesLevel | None) -> int:
    """His own rate raised by his level's extra rate, never above 100 %."""
    return min(rate_bp + (level.extra_rate_bp if level else 0), BP)


def _check_rates(draft: PlanDraft, out: _Collector) -> None:
    """Rates above the margin are refused, rates above 30 % of the price warn; both at the top
    level's extra rate, the most the plan can pay."""
    categories = {c.key: c for c in draft.categories}

    def effective(override: Override) -> int:
        if override.rate_bp is not None:
            return override.rate_bp
        category = categories.get(override.category_key)
        if category is not None and category.rate_bp is not None:
            return category.rate_bp
        return draft.default_rate_bp

    added_bp = sum(draft.upline_rates_bp) + top_extra_rate_bp(draft.sales_levels)
    for override in (*draft.categories, *draft.products):
        rate = effective(override)
        if override.margin_bp is not None and rate + added_bp > override.margin_bp:
            out.refuse(
                "rate_above_margin",
                _(
                    "The commission on %(name)s (%(rate)s) is more than its margin "
                    "(%(margin)s): it could not be paid from the sale itself, only from money "
                    "brought in some other way."
                )
                % {
                    "name": override.label,
                    "rate": format_bp(rate + added_bp),
                    "margin": format_bp(override.margin_bp),
                },
                ART_2,
            )
    rates = [(_("The default rate"), draft.default_rate_bp)] + [
        (override.label, override.rate_bp)
        for override in (*draft.categories, *draft.products)
        if override.rate_bp is not None
    ]
    for label, rate in rates:
        if rate + added_bp > WARN_ABOVE_BP:
            out.warn(
                "rate_above_30pc",
                _(
                    "%(name)s pays %(rate)s of the price, more than 30 %%, the cap even licensed "
                    "direct sellers face."
                )
                % {"name": label, "rate": format_bp(rate + added_bp)},
                DIRECT_SELLING_CAP,
            )


def check_plan(draft: PlanDraft) -> Verdict:
    """The compliance verdict on a proposed plan, exactly as COMPLIANCE.md §1."""
    out = _Collector()
    if draft.mode not in (STRICT, ADVISORY):
        out.refuse("unknown_mode", _("Choose strict or advisory mode."))
    valid = _check_numbers(draft, out)
    if valid:
        _check_refused_features(draft, out)
        _check_levels(draft, out)
        _check_sales_levels(draft, out)
        _check_rates(draft, out)
    return Verdict(tuple(out.refusals), tuple(out.warnings))


def margin_bp(price_fen: int, cost_fen: int) -> int:
    """(price − cost) as basis points of the price, rounded down so a rate at the margin is never
    more than the sale leaves; 0 when the cost reaches the price."""
    _require(_is_int(price_fen) and price_fen > 0, "price_fen must be an integer > 0")
    _require(_is_int(cost_fen) and cost_fen >= 0, "cost_fen must be an integer ≥ 0")
    return max(price_fen - cost_fen, 0) * BP // price_fen


def format_bp(rate_bp: int) -> str:
    """550 as '5.5 %', 500 as '5 %', 1 as '0.01 %'."""
    whole, part = divmod(rate_bp, 100)
    text = f"{whole}.{part:02d}".rstrip("0").rstrip(".") if part else str(whole)
    return f"{text} %"


# Arithmetic ----------------------------------------------------------------------------------


def _require(condition: bool, what: str) -> None:
    if not condition:
        raise ValueError(what)


def commission_fen(base_fen: int, rate_bp: int) -> int:
    """The commission on ``base_fen`` (what the customer paid for the line) at ``rate_bp``.

    Rounded down to the whole fen: the distributor is never paid a fraction he did not earn.
    Integer arithmetic only, so the result is exact for any amount."""
    _require(_is_int(base_fen) and base_fen >= 0, "base_fen must be an integer ≥ 0")
    _require(_is_int(rate_bp) and 0 <= rate_bp <= BP, "rate_bp must be an integer in 0..10000")
    return base_fen * rate_bp // BP


def pro_rata_fen(amount_fen: int, part_fen: int, whole_fen: int) -> int:
    """``amount_fen × part_fen / whole_fen`` rounded down, for ``0 ≤ part_fen ≤ whole_fen``
    (a line that cost nothing, ``whole_fen`` 0, has nothing to share: 0).

    To reverse a commission in pieces, apply this to the *cumulative* refunded amount and subtract
    what was already reversed (see ``reversal_fen``): the pieces then add up to exactly what one
    reversal of the same total gives, and a full refund reverses the whole commission."""
    _require(_is_int(amount_fen) and amount_fen >= 0, "amount_fen must be an integer ≥ 0")
    _require(_is_int(whole_fen) and whole_fen >= 0, "whole_fen must be an integer ≥ 0")
    _require(_is_int(part_fen) and 0 <= part_fen <= whole_fen, "part_fen must be in 0..whole_fen")
    return amount_fen * part_fen // whole_fen if whole_fen else 0


def reversal_fen(
    *, amount_fen: int, whole_fen: int, refunded_before_fen: int, refund_fen: int
) -> int:
    """How much of a commission of ``amount_fen`` on a line that cost ``whole_fen`` a new refund of
    ``refund_fen`` reverses, after ``refunded_before_fen`` was already refunded on that line."""
    _require(_is_int(refund_fen) and refund_fen >= 0, "refund_fen must be an integer ≥ 0")
    _require(
        _is_int(refunded_before_fen) and refunded_before_fen >= 0,
        "refunded_before_fen must be an integer ≥ 0",
    )
    after = pro_rata_fen(amount_fen, refunded_before_fen + refund_fen, whole_fen)
    return after - pro_rata_fen(amount_fen, refunded_before_fen, whole_fen)
