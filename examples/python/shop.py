"""A customer's round through the Weishang API with a typed client generated from its schema:
sign in (with the mini-program's WeChat code, or with a mobile number and its SMS code), list
the products, order one, pay with WeChat Pay (or the sandbox cashier) and wait until the order is
paid. What a mini-program does, in Python; see README.md beside this file.

    python examples/python/shop.py --site http://127.0.0.1:8000 --mobile 13800138000
"""

import argparse
import time
import uuid

from weishang_client import AuthenticatedClient, Client
from weishang_client.api.store import (
    store_add_address,
    store_addresses,
    store_order_detail,
    store_pay,
    store_pay_with_wechat,
    store_place_order,
    store_product,
    store_products,
    store_review,
    store_send_code,
    store_token,
    store_wechat_token,
)
from weishang_client.models import (
    CodeRequest,
    Error,
    Item,
    NewAddress,
    NewOrder,
    Review,
    TokenRequest,
    WechatSignIn,
)


class ApiRefused(Exception):
    """The API's answer was an error: its code, translated message and field."""

    def __init__(self, error: Error):
        super().__init__(f"{error.code}: {error.message}")
        self.error = error


def ok(answer):
    if answer is None or isinstance(answer, Error):
        raise ApiRefused(answer) if answer is not None else RuntimeError("no answer")
    return answer


def signed_in(site: str, tokens) -> AuthenticatedClient:
    return AuthenticatedClient(
        base_url=site, token=tokens.access, headers={"Accept-Language": "zh-hans"}
    )


def sign_in_with_wechat(site: str, js_code: str) -> AuthenticatedClient:
    """The mini-program's wx.login code, exchanged by the server with WeChat."""
    client = Client(base_url=site)
    tokens = ok(store_wechat_token.sync(client=client, body=WechatSignIn(code=js_code)))
    return signed_in(site, tokens)


def sign_in_with_mobile(site: str, mobile: str, code: str | None = None) -> AuthenticatedClient:
    """Asks for an SMS code and signs in with it; the demo hands the code back, so ``code`` may
    be left out there."""
    client = Client(base_url=site)
    sent = ok(store_send_code.sync(client=client, body=CodeRequest(mobile=mobile)))
    code = code or sent.demo_code
    if not code:
        code = input("The code in the SMS: ").strip()
    tokens = ok(store_token.sync(client=client, body=TokenRequest(mobile=mobile, code=code)))
    return signed_in(site, tokens)


def first_available_sku(client: AuthenticatedClient):
    """The first product on the first page with a specification in stock: (product, sku)."""
    page = ok(store_products.sync(client=client))
    for card in page.items:
        product = ok(store_product.sync(card.key, client=client))
        for sku in product.skus:
            if sku.available > 0:
                return product, sku
    raise LookupError("nothing is in stock")


def an_address(client: AuthenticatedClient, *, recipient: str, phone: str, district: str):
    """His default address, or a new one."""
    known = ok(store_addresses.sync(client=client))
    if known:
        return next((a for a in known if a.is_default), known[0])
    address = NewAddress(
        recipient=recipient,
        phone=phone,
        district_code=district,
        detail="示例路 1 号",
        make_default=True,
    )
    return ok(store_add_address.sync(client=client, body=address))


def place_order(client: AuthenticatedClient, sku_id: int, address_id: int, quantity: int = 1):
    """Reviews the order (the server prices it), then places it at the reviewed total. The
    Idempotency-Key lets a retry after a lost answer return the same order."""
    items = [Item(sku_id=sku_id, quantity=quantity)]
    priced = ok(store_review.sync(client=client, body=Review(items=items, address_id=address_id)))
    order = NewOrder(items=items, address_id=address_id, expected_total_fen=priced.total_fen)
    return ok(store_place_order.sync(client=client, body=order, idempotency_key=str(uuid.uuid4())))


def pay_with_wechat(client: AuthenticatedClient, number: str) -> dict:
    """What the mini-program passes to wx.requestPayment."""
    params = ok(
        store_pay_with_wechat.sync(number, client=client, idempotency_key=str(uuid.uuid4()))
    )
    return {
        "timeStamp": params.time_stamp,
        "nonceStr": params.nonce_str,
        "package": params.package,
        "signType": params.sign_type,
        "paySign": params.pay_sign,
    }


def pay_at_the_cashier(client: AuthenticatedClient, number: str) -> str:
    """Outside WeChat: the address of the configured provider's cashier (the demo's sandbox)."""
    payment = ok(store_pay.sync(number, client=client, idempotency_key=str(uuid.uuid4())))
    return payment.pay_url


def wait_until_paid(client: AuthenticatedClient, number: str, timeout: float = 120) -> str:
    """The order is paid when the provider's signed notification reaches the server, never on
    the client's word: ask until it is (or the time is up), and return its status."""
    deadline = time.monotonic() + timeout
    while True:
        order = ok(store_order_detail.sync(number, client=client))
        if order.status != "pending_payment" or time.monotonic() > deadline:
            return order.status
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", default="http://127.0.0.1:8000")
    parser.add_argument("--mobile", help="sign in with this number (the demo shows the code)")
    parser.add_argument("--wechat-code", help="sign in with a mini-program's wx.login code")
    args = parser.parse_args()
    if args.wechat_code:
        client = sign_in_with_wechat(args.site, args.wechat_code)
    else:
        client = sign_in_with_mobile(args.site, args.mobile or "13800138000")
    product, sku = first_available_sku(client)
    address = an_address(client, recipient="示例买家", phone="13912345678", district="110101")
    order = place_order(client, sku.id, address.id)
    print(f"ordered {product.name} {sku.name}: order {order.number}, {order.total_fen} fen")
    if args.wechat_code:
        print("wx.requestPayment(", pay_with_wechat(client, order.number), ")")
    else:
        print("pay at", pay_at_the_cashier(client, order.number))
    print("status:", wait_until_paid(client, order.number))


if __name__ == "__main__":
    main()
