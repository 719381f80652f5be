"""Pure campaign rules, no database access: a gift box's price spread over its SKUs in whole
fen, the units an order's items make, and a pre-sale's outcome."""

from collections.abc import Mapping, Sequence


def _spread(amount_fen: int, weights: Sequence[tuple[int, int]]) -> dict[int, int]:
    """``amount_fen`` pro rata over positive weights (it may exceed their sum: a box may cost
    more than its goods' list prices), largest remainders taking the odd fen."""
    whole = sum(weight for _key, weight in weights)
    shares = [(key, amount_fen * w // whole, amount_fen * w % whole) for key, w in weights]
    pieces = {key: share for key, share, _rest in shares}
    short = amount_fen - sum(pieces.values())
    for key, _share, _rest in sorted(shares, key=lambda s: -s[2])[:short]:
        pieces[key] += 1
    return pieces


def box_unit_prices(price_fen: int, items: Sequence[tuple[int, int, int]]) -> dict[int, int]:
    """Unit prices ``{sku_id: fen}`` for a box of ``[(sku_id, quantity, list_price_fen)]`` such
    that a box's lines add up to ``price_fen`` exactly: the price is spread pro rata over the
    items' list value, then the odd fen are made up in whole units (an item's quantity at a
    time). ValueError when no spread in whole fen exists (e.g. two of one SKU at an odd price)."""
    if price_fen <= 0 or not items:
        raise ValueError("a box has a price and at least one item")
    weights = [(sku_id, quantity * max(list_fen, 1)) for sku_id, quantity, list_fen in items]
    shares = _spread(price_fen, weights)
    quantity = {sku_id: q for sku_id, q, _list in items}
    unit = {sku_id: shares.get(sku_id, 0) // quantity[sku_id] for sku_id, _w in weights}
    short = price_fen - sum(unit[s] * quantity[s] for s in unit)
    # Make up ``short`` fen as a sum of whole units: the fewest extra fen per SKU (a small
    # change-making table; ``short`` is below the sum of the quantities).
    best: dict[int, dict[int, int]] = {0: {}}
    for amount in range(1, short + 1):
        for sku_id, q in sorted(quantity.items(), key=lambda kv: kv[1]):
            rest = best.get(amount - q)
            if q <= amount and rest is not None:
                best[amount] = {**rest, sku_id: rest.get(sku_id, 0) + 1}
                break
    if short not in best:
        raise ValueError("the price cannot be spread over the box's items in whole fen")
    for sku_id, extra in best[short].items():
        unit[sku_id] += extra
    return unit


def units_of(
    items: Mapping[int, int], campaign_items: Mapping[int, int], *, boxes: bool
) -> int | None:
    """The campaign units ``items`` ({sku_id: quantity}) make: their sum, or for a gift box the
    number of whole boxes (``campaign_items`` {sku_id: per box}). None when ``items`` name a SKU
    outside the campaign or are no whole number of boxes."""
    items = {sku_id: qty for sku_id, qty in items.items() if qty}
    if not items or set(items) - set(campaign_items):
        return None
    if not boxes:
        return sum(items.values())
    if set(items) != set(campaign_items):
        return None
    counts = {qty // campaign_items[sku_id] for sku_id, qty in items.items()}
    whole = all(qty % campaign_items[sku_id] == 0 for sku_id, qty in items.items())
    if not whole or len(counts) != 1:
        return None
    return counts.pop() or None


def presale_reached(paid_units: int, target_units: int) -> bool:
    return paid_units >= target_units
