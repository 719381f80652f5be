"""The freight template's arithmetic (运费模板), pure and in integer fen.

A rule is a fee per order and, optionally, the goods total from which delivery is free (包邮).
Rules are keyed by the GB/T 2260 province code of the delivery address; the key ``DEFAULT`` ("")
holds the rule for every other province. Without any rule, delivery is free."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DEFAULT = ""


@dataclass(frozen=True)
class Rule:
    fee_fen: int
    free_from_fen: int | None = None


def rule_for(rules: Mapping[str, Rule], province_code: str) -> Rule | None:
    """The province's own rule, else the default, else None (free delivery)."""
    return rules.get(province_code or DEFAULT) or rules.get(DEFAULT)


def freight_fen(*, goods_fen: int, province_code: str, rules: Mapping[str, Rule]) -> int:
    """What delivering goods worth ``goods_fen`` to the province costs the buyer."""
    rule = rule_for(rules, province_code)
    if rule is None or goods_fen <= 0:
        return 0
    if rule.free_from_fen is not None and goods_fen >= rule.free_from_fen:
        return 0
    return max(rule.fee_fen, 0)


def freight_refund_fen(*, freight_fen: int, lines: Iterable[tuple[int, int, int]]) -> int:
    """The freight a return refunds: all of it when the return brings back every item of the order
    (the brand's policy: the order is undone, delivery included), nothing for a partial return.
    ``lines`` are ``(bought, returned before, returned now)`` for every line of the order."""
    lines = list(lines)
    whole = bool(lines) and all(before + now == bought for bought, before, now in lines)
    return freight_fen if whole else 0
