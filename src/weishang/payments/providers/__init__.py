"""Payment providers behind one interface; the active one is named in settings.PAYMENT_PROVIDER."""

from .base import (
    InvalidNotification,
    Notification,
    PaymentProvider,
    ProviderUnavailable,
    RefundDeclined,
    get_provider,
)

__all__ = [
    "InvalidNotification",
    "Notification",
    "PaymentProvider",
    "ProviderUnavailable",
    "RefundDeclined",
    "get_provider",
]
