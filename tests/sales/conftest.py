"""A payment provider's refund API played by a fake bank: it refunds once per idempotency key, as
real providers do, and can be told to refuse, to time out, or to answer normally."""

import pytest
from django.db import connection

from weishang.payments.providers import ProviderUnavailable, RefundDeclined
from weishang.payments.providers.sandbox import SandboxProvider


class FakeBank:
    def __init__(self):
        self.refunded: dict[str, int] = {}  # idempotency key -> fen that actually left
        self.calls: list[str] = []
        self.outcomes: list[str] = []  # "decline", "timeout", "lost answer"; then "ok"
        self.in_transaction: list[bool] = []

    def refund(self, *, payment, refund) -> str:
        self.calls.append(refund.idempotency_key)
        self.in_transaction.append(connection.in_atomic_block)
        outcome = self.outcomes.pop(0) if self.outcomes else "ok"
        if outcome == "decline":
            raise RefundDeclined("merchant balance too low")
        if outcome == "timeout":
            raise ProviderUnavailable("read timed out")
        self.refunded.setdefault(refund.idempotency_key, refund.amount_fen)
        if outcome == "lost answer":
            raise ProviderUnavailable("connection reset after the refund was made")
        return f"bank-{refund.idempotency_key[:12]}"

    @property
    def total_fen(self) -> int:
        return sum(self.refunded.values())


@pytest.fixture
def bank(monkeypatch):
    bank = FakeBank()
    monkeypatch.setattr(
        SandboxProvider,
        "refund",
        lambda self, *, payment, refund: bank.refund(payment=payment, refund=refund),
    )
    return bank
