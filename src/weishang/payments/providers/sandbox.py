"""A provider that behaves like a real one: its own pay page, HMAC-signed notifications, refunds.

Notification: POST JSON ``{"trade_number", "transaction_id", "amount_fen", "paid_at"}`` with the
header ``X-Sandbox-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>``.
"""

import hashlib
import hmac
import json
import time
from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from .base import InvalidNotification, Notification, PaymentProvider

SIGNATURE_HEADER = "X-Sandbox-Signature"
TOLERANCE_SECONDS = 300


def sign(body: bytes, *, secret: str, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def notification_body(
    *, trade_number: str, transaction_id: str, amount_fen: int, paid_at: datetime
) -> bytes:
    return json.dumps(
        {
            "trade_number": trade_number,
            "transaction_id": transaction_id,
            "amount_fen": amount_fen,
            "paid_at": paid_at.isoformat(),
        },
        separators=(",", ":"),
    ).encode()


def verify(body: bytes, header: str, *, secret: str, now: float | None = None) -> None:
    try:
        parts = dict(item.split("=", 1) for item in (header or "").split(","))
        timestamp = int(parts["t"])
        given = parts["v1"]
    except (KeyError, ValueError) as exc:
        raise InvalidNotification(_("The payment notification is not signed.")) from exc
    expected = sign(body, secret=secret, timestamp=timestamp).split("v1=", 1)[1]
    if not hmac.compare_digest(expected, given):
        raise InvalidNotification(_("The payment notification's signature is not valid."))
    if abs((now or time.time()) - timestamp) > TOLERANCE_SECONDS:
        raise InvalidNotification(_("The payment notification is too old."))


class SandboxProvider(PaymentProvider):
    code = "sandbox"

    def pay_url(self, *, payment) -> str:
        return reverse("payments:sandbox_pay", args=[payment.number])

    def parse_notification(self, *, body: bytes, headers) -> Notification:
        verify(body, headers.get(SIGNATURE_HEADER, ""), secret=settings.SANDBOX_PAY_SECRET)
        try:
            data = json.loads(body)
            amount = data["amount_fen"]
            if not isinstance(amount, int) or isinstance(amount, bool):
                raise ValueError
            return Notification(
                trade_number=str(data["trade_number"]),
                transaction_id=str(data["transaction_id"]),
                amount_fen=amount,
                paid_at=datetime.fromisoformat(data["paid_at"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise InvalidNotification(_("The payment notification is malformed.")) from exc

    def refund(self, *, payment, refund) -> str:
        """Like a real provider, the same idempotency key always names the same refund."""
        secret, key = settings.SANDBOX_PAY_SECRET.encode(), refund.idempotency_key.encode()
        return "sbr_" + hmac.new(secret, key, hashlib.sha256).hexdigest()[:24]
