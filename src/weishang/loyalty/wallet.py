"""The customer's cash-back wallet (红包返现): money on the one ledger that pays part of a later
order. Cash-back moves from the brand's ``cashback_expense`` into the wallet; spending at
checkout moves it to ``wallet_spent``; a refund moves the order's wallet part back.
"""

from datetime import datetime

from django.utils.translation import gettext as _

from weishang.commissions import ledger
from weishang.commissions.locks import lock_customer_account
from weishang.commissions.models import Account
from weishang.money import format_fen
from weishang.transactions import step

from .errors import LoyaltyError

Kind = Account.Kind


def wallet_balance(customer_id: int) -> int:
    return ledger.customer_balances(customer_id)[Kind.CUSTOMER_WALLET]


@step
def credit_wallet(*, customer_id: int, amount_fen: int, key: str, reason: str, now: datetime):
    """Credits cash-back once per key: a red packet bought with points, a share reward."""
    if amount_fen <= 0:
        raise LoyaltyError(_("Credit a positive amount."))
    return ledger.transfer(
        debit=ledger.brand_account(Kind.CASHBACK_EXPENSE),
        credit=lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_WALLET),
        amount_fen=amount_fen,
        key=f"wallet-credit:{key}",
        kind="wallet_credit",
        now=now,
        memo=reason,
    )


@step
def spend_wallet(*, customer_id: int, amount_fen: int, key: str, reason: str, now: datetime):
    """Pays ``amount_fen`` of an order from the wallet, once per key; the balance is read under
    the account's lock, so two checkouts at once cannot spend the same money."""
    wallet = lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_WALLET)
    if ledger.recorded(f"wallet-spend:{key}"):
        return None
    balance = ledger.balance_of(wallet)
    if amount_fen <= 0 or amount_fen > balance:
        raise LoyaltyError(
            _("Your wallet holds %(balance)s; it cannot pay %(amount)s.")
            % {"balance": format_fen(balance), "amount": format_fen(max(amount_fen, 0))},
            code="wallet_short",
        )
    return ledger.transfer(
        debit=wallet,
        credit=ledger.brand_account(Kind.WALLET_SPENT),
        amount_fen=amount_fen,
        key=f"wallet-spend:{key}",
        kind="wallet_spend",
        now=now,
        memo=reason,
    )


@step
def refund_to_wallet(*, customer_id: int, amount_fen: int, key: str, reason: str, now: datetime):
    """Returns the wallet part of a refund to the wallet, once per key."""
    return ledger.transfer(
        debit=ledger.brand_account(Kind.WALLET_SPENT),
        credit=lock_customer_account(customer_id=customer_id, kind=Kind.CUSTOMER_WALLET),
        amount_fen=amount_fen,
        key=f"wallet-refund:{key}",
        kind="wallet_refund",
        now=now,
        memo=reason,
    )
