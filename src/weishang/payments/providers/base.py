from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.module_loading import import_string

from weishang.core_errors import DomainError
from weishang.outbound import Declined, Unavailable


class InvalidNotification(DomainError):
    """A notification whose signature, timestamp or body does not check out."""

    code = "invalid_notification"


class RefundDeclined(Declined):
    """The provider answered and refused the refund: the record is marked failed, to retry."""


class ProviderUnavailable(Unavailable):
    """The provider could not be reached or did not answer in time: the outcome is unknown, so
    the refund stays requested and is retried with the same idempotency key."""


@dataclass(frozen=True)
class Notification:
    """A verified 'payment succeeded' message from a provider."""

    trade_number: str
    transaction_id: str
    amount_fen: int
    paid_at: datetime
    payer_account: str = ""  # the provider's id of the payer, where it names one (openid)


class PaymentProvider(ABC):
    code: str = ""

    @abstractmethod
    def pay_url(self, *, payment) -> str:
        """Where to send the customer to pay."""

    @abstractmethod
    def parse_notification(self, *, body: bytes, headers) -> Notification:
        """Verifies and decodes a notification; raises InvalidNotification."""

    @abstractmethod
    def refund(self, *, payment, refund) -> str:
        """Asks the provider to refund ``refund.amount_fen``, sending ``refund.idempotency_key``
        so that a repeated call refunds once; returns the provider's refund id. Raises
        RefundDeclined or ProviderUnavailable. Never called inside a database transaction."""


PROVIDERS = {
    "sandbox": "weishang.payments.providers.sandbox.SandboxProvider",
    "wechatpay": "weishang.payments.providers.wechatpay.WeChatPayProvider",
}


def get_provider(code: str | None = None) -> PaymentProvider:
    code = code or settings.PAYMENT_PROVIDER
    if code not in PROVIDERS:
        raise InvalidNotification(f"unknown payment provider {code!r}")
    return import_string(PROVIDERS[code])()
