"""The cart of a visitor who has not signed in, kept in his session until he does; signing in
moves it into his own cart (``orders.services.merge_cart``)."""

from weishang.orders.services import MAX_QUANTITY

SESSION_KEY = "cart"


def items(request) -> dict[int, int]:
    """{sku_id: quantity}, in the order the items were added."""
    return {int(sku_id): qty for sku_id, qty in request.session.get(SESSION_KEY, {}).items()}


def set_quantity(request, sku_id: int, quantity: int, *, add: bool = False) -> None:
    cart = request.session.get(SESSION_KEY, {})
    key = str(sku_id)
    quantity = min(quantity + (cart.get(key, 0) if add else 0), MAX_QUANTITY)
    if quantity > 0:
        cart[key] = quantity
    else:
        cart.pop(key, None)
    request.session[SESSION_KEY] = cart


def pop(request) -> dict[int, int]:
    cart = items(request)
    request.session.pop(SESSION_KEY, None)
    return cart
