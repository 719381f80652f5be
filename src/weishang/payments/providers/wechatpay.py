"""WeChat Pay API v3 through the ``wechatpayv3`` package (docs/wechatpay.md).

Prepay for the official account's in-WeChat browser (JSAPI) and for the mini-program, with the
payer's openid; notifications verified against WeChat's platform certificate or public key and
decrypted (AEAD_AES_256_GCM) with the API v3 key; refunds keyed by the refund's idempotency key.
Every call happens outside a database transaction: a timeout, a 5xx or a retryable error code
leaves the outcome unknown (retry with the same key), any other error code is a refusal.
"""

import json
import logging
import re
import secrets
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import requests
from cryptography import x509
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext as _
from wechatpayv3 import WeChatPay, WeChatPayType

from weishang.outbound import Declined, Unavailable

from .base import (
    InvalidNotification,
    Notification,
    PaymentProvider,
    ProviderUnavailable,
    RefundDeclined,
)

logger = logging.getLogger("weishang.payments")

TOLERANCE_SECONDS = 300
CERTIFICATE_REFRESH = "wechatpay:certificate-refresh"
REFRESH_SECONDS = 600
SIGNATURE_TYPE = "WECHATPAY2-SHA256-RSA2048"
HEADERS = (
    "Wechatpay-Signature",
    "Wechatpay-Timestamp",
    "Wechatpay-Nonce",
    "Wechatpay-Serial",
    "Wechatpay-Signature-Type",
)
# The client a payment is made in, and the setting holding that client's appid.
CHANNELS = {"jsapi": "APPID", "miniprogram": "MINIPROGRAM_APPID"}
_PAY_TYPES = {"jsapi": WeChatPayType.JSAPI, "miniprogram": WeChatPayType.MINIPROG}
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_SERIAL = re.compile(r"[0-9A-Fa-f]{1,64}")
_NONCE = re.compile(r"[0-9A-Za-z]{1,64}")
_OPENID = re.compile(r"[0-9A-Za-z_-]{1,128}")
# Error codes WeChat Pay documents as "retry later with the same request".
RETRYABLE_CODES = frozenset(
    {"SYSTEM_ERROR", "FREQUENCY_LIMITED", "RATELIMIT_EXCEEDED", "BANK_ERROR"}
)


def _refusal(code: str, message: str) -> str:
    known = {
        "NOT_ENOUGH": _(
            "The merchant account's balance in WeChat Pay is not enough; top it up, then retry."
        ),
        "NO_AUTH": _("The merchant account is not allowed to do this in WeChat Pay."),
        "USER_ACCOUNT_ABNORMAL": _("The WeChat account on the other side cannot take this money."),
        "SIGN_ERROR": _(
            "WeChat Pay could not verify the merchant's signature: check the merchant key and "
            "its serial number."
        ),
        "PARAM_ERROR": _("WeChat Pay found the request's parameters wrong: %(message)s"),
        "INVALID_REQUEST": _("WeChat Pay refused the request: %(message)s"),
    }
    text = known.get(code, _("WeChat Pay refused (%(code)s): %(message)s"))
    return text % {"code": code, "message": message} if "%(" in text else text


def app_ids() -> dict[str, str]:
    """The configured channels and their appids."""
    conf = settings.WECHATPAY
    return {channel: conf[key] for channel, key in CHANNELS.items() if conf[key]}


def client() -> WeChatPay:
    """A client with the merchant's key; WeChat's platform certificate or public key comes from
    files, so building it asks WeChat nothing."""
    conf = settings.WECHATPAY
    required = ("MCHID", "APPID", "PRIVATE_KEY_PATH", "CERT_SERIAL_NO", "APIV3_KEY")
    if missing := [name for name in required if not conf[name]]:
        raise ImproperlyConfigured(f"WeChat Pay needs WEISHANG_WECHATPAY_{missing[0]}")
    public_key = Path(conf["PUBLIC_KEY_PATH"]).read_text() if conf["PUBLIC_KEY_PATH"] else None
    cert_dir = conf["PLATFORM_CERT_DIR"]
    if public_key is None and not (cert_dir and any(Path(cert_dir).glob("*.pem"))):
        raise ImproperlyConfigured(
            "WeChat Pay needs WEISHANG_WECHATPAY_PUBLIC_KEY_PATH or a platform certificate "
            "(*.pem) in WEISHANG_WECHATPAY_PLATFORM_CERT_DIR"
        )
    return WeChatPay(
        wechatpay_type=WeChatPayType.JSAPI,
        mchid=conf["MCHID"],
        private_key=Path(conf["PRIVATE_KEY_PATH"]).read_text(),
        cert_serial_no=conf["CERT_SERIAL_NO"],
        appid=conf["APPID"],
        apiv3_key=conf["APIV3_KEY"],
        notify_url=conf["NOTIFY_URL"],
        cert_dir=cert_dir or None,
        proxy={"https": conf["PROXY"]} if conf["PROXY"] else None,
        timeout=(conf["CONNECT_TIMEOUT"], conf["READ_TIMEOUT"]),
        public_key=public_key,
        public_key_id=conf["PUBLIC_KEY_ID"] or None,
    )


def call(request, *, declined=Declined, unavailable=Unavailable) -> dict:
    """Runs one wechatpayv3 request and returns WeChat's verified JSON answer. Raises
    ``unavailable`` when the outcome is unknown and ``declined`` when WeChat refused."""
    try:
        status, text = request()
    except requests.RequestException as exc:
        raise unavailable(_("WeChat Pay did not answer in time; it will be asked again.")) from exc
    except Exception as exc:
        # wechatpayv3 says so with a plain Exception when an answer's signature does not verify.
        if "verify the signature" not in str(exc):
            raise
        logger.warning("WeChat Pay answer with a bad signature: %s", exc)
        raise unavailable(
            _("WeChat Pay's answer could not be verified; it will be asked again.")
        ) from exc
    body = _json_object(text)
    if 200 <= status < 300:
        return body
    code, message = str(body.get("code", "")), str(body.get("message", ""))
    if status >= 500 or status == 429 or code in RETRYABLE_CODES:
        raise unavailable(
            _("WeChat Pay is busy (%(code)s); it will be asked again.") % {"code": code}
        )
    raise declined(_refusal(code, message), code=code.lower() or None)


def _json_object(text) -> dict:
    try:
        value = json.loads(text or "{}")
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def verified_event(*, body: bytes, headers) -> tuple[str, dict]:
    """The event type and the decrypted resource of a notification from WeChat Pay, once its
    signature, its age and its AES-256-GCM tag check out; raises InvalidNotification."""
    if not settings.WECHATPAY["MCHID"]:
        raise InvalidNotification(_("WeChat Pay is not set up on this site."))
    given = {name: str(headers.get(name) or "").strip() for name in HEADERS}
    serial = given["Wechatpay-Serial"]
    public_key_id = settings.WECHATPAY["PUBLIC_KEY_ID"]
    if not (
        given["Wechatpay-Signature"]
        and given["Wechatpay-Signature-Type"] == SIGNATURE_TYPE
        and _TIMESTAMP.fullmatch(given["Wechatpay-Timestamp"])
        and _NONCE.fullmatch(given["Wechatpay-Nonce"])
        and (_SERIAL.fullmatch(serial) or (public_key_id and serial == public_key_id))
    ):
        raise InvalidNotification(_("The payment notification is not signed."))
    if abs(time.time() - int(given["Wechatpay-Timestamp"])) > TOLERANCE_SECONDS:
        raise InvalidNotification(_("The payment notification is too old."))
    # An unknown serial makes the client download WeChat's certificates (they rotate): at most
    # once in a while, so that forged serials cannot make every request call WeChat.
    if not _known_serial(serial) and not cache.add(CERTIFICATE_REFRESH, True, REFRESH_SECONDS):
        raise InvalidNotification(
            _("The payment notification is signed with an unknown certificate.")
        )
    try:
        data = client().callback(given, body)
    except (ValueError, TypeError, AttributeError) as exc:
        raise InvalidNotification(_("The payment notification is malformed.")) from exc
    if not data:
        raise InvalidNotification(
            _("The payment notification's signature or encryption is not valid.")
        )
    resource = data.get("resource")
    if not isinstance(resource, dict):
        raise InvalidNotification(_("The payment notification is malformed."))
    # Payment and refund notices name the merchant ``mchid``, transfer notices ``mch_id``.
    if resource.get("mchid", resource.get("mch_id")) != settings.WECHATPAY["MCHID"]:
        raise InvalidNotification(_("The payment notification is for another merchant."))
    return str(data.get("event_type", "")), resource


def _known_serial(serial: str) -> bool:
    """Whether the key the notification names is the WeChat Pay public key or a platform
    certificate on disk."""
    conf = settings.WECHATPAY
    if conf["PUBLIC_KEY_ID"] and serial == conf["PUBLIC_KEY_ID"]:
        return True
    if not (conf["PLATFORM_CERT_DIR"] and _SERIAL.fullmatch(serial)):
        return False
    serials = {
        x509.load_pem_x509_certificate(path.read_bytes()).serial_number
        for path in Path(conf["PLATFORM_CERT_DIR"]).glob("*.pem")
    }
    return int(serial, 16) in serials


def _fen(value) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(value)
    return value


@dataclass(frozen=True)
class RefundNotice:
    """A verified refund outcome from WeChat Pay."""

    out_refund_no: str
    trade_number: str
    refund_id: str
    status: str  # SUCCESS, CLOSED or ABNORMAL
    amount_fen: int


def parse_refund_notification(*, body: bytes, headers) -> RefundNotice:
    event, resource = verified_event(body=body, headers=headers)
    if not event.startswith("REFUND."):
        raise InvalidNotification(_("The notification is not about a refund."))
    try:
        return RefundNotice(
            out_refund_no=str(resource["out_refund_no"]),
            trade_number=str(resource["out_trade_no"]),
            refund_id=str(resource["refund_id"]),
            status=str(resource["refund_status"]),
            amount_fen=_fen(resource["amount"]["refund"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidNotification(_("The payment notification is malformed.")) from exc


class RefundPending(ProviderUnavailable):
    """WeChat Pay accepted the refund and tells its outcome by notification; until then the
    refund stays requested, and asking again with the same key changes nothing."""


class WeChatPayProvider(PaymentProvider):
    code = "wechatpay"

    def pay_url(self, *, payment) -> str:
        """WeChat Pay is opened inside WeChat with the prepay parameters (``prepay``); anywhere
        else the customer sees his order."""
        return reverse("storefront:order_detail", args=[payment.order.number])

    def prepay(self, *, payment, openid: str, channel: str, description: str) -> dict[str, str]:
        """Places the payment with WeChat Pay for this payer and returns what the page passes to
        ``WeixinJSBridge.invoke('getBrandWCPayRequest')`` or ``wx.requestPayment``, signed with
        the merchant's key. Raises Declined or ProviderUnavailable."""
        appid = app_ids()[channel]
        wx = client()
        answer = call(
            lambda: wx.pay(
                description=description[:127],
                out_trade_no=payment.number,
                amount={"total": payment.amount_fen, "currency": "CNY"},
                payer={"openid": openid},
                time_expire=payment.order.expires_at.isoformat(timespec="seconds"),
                appid=appid,
                pay_type=_PAY_TYPES[channel],
            ),
            unavailable=ProviderUnavailable,
        )
        if not isinstance(answer.get("prepay_id"), str):
            raise ProviderUnavailable(_("WeChat Pay's answer has no prepay id."))
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        package = f"prepay_id={answer['prepay_id']}"
        return {
            "appId": appid,
            "timeStamp": timestamp,
            "nonceStr": nonce,
            "package": package,
            "signType": "RSA",
            "paySign": wx.sign([appid, timestamp, nonce, package]),
        }

    def parse_notification(self, *, body: bytes, headers) -> Notification:
        event, resource = verified_event(body=body, headers=headers)
        if event != "TRANSACTION.SUCCESS" or resource.get("trade_state") != "SUCCESS":
            raise InvalidNotification(_("The notification does not report a successful payment."))
        if resource.get("appid") not in app_ids().values():
            raise InvalidNotification(_("The payment notification is for another app."))
        try:
            if resource["amount"].get("currency", "CNY") != "CNY":
                raise ValueError(resource["amount"])
            return Notification(
                trade_number=str(resource["out_trade_no"]),
                transaction_id=str(resource["transaction_id"]),
                amount_fen=_fen(resource["amount"]["total"]),
                paid_at=datetime.fromisoformat(resource["success_time"]),
                payer_account=str(resource["payer"]["openid"]),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise InvalidNotification(_("The payment notification is malformed.")) from exc

    def refund(self, *, payment, refund) -> str:
        wx = client()
        answer = call(
            lambda: wx.refund(
                out_refund_no=refund.idempotency_key,
                amount={
                    "refund": refund.amount_fen,
                    "total": payment.amount_fen,
                    "currency": "CNY",
                },
                transaction_id=payment.provider_txn_id,
                reason=refund.reason[:80] or None,
                notify_url=settings.WECHATPAY["REFUND_NOTIFY_URL"],
            ),
            declined=RefundDeclined,
            unavailable=ProviderUnavailable,
        )
        status = answer.get("status")
        if status == "SUCCESS" and answer.get("refund_id"):
            return str(answer["refund_id"])
        if status == "PROCESSING":
            raise RefundPending(_("WeChat Pay is processing the refund and will confirm it."))
        raise RefundDeclined(
            _("WeChat Pay did not refund (%(status)s).") % {"status": status}, code="closed"
        )


def valid_openid(value) -> str | None:
    """The openid if it has an openid's shape, else None."""
    value = str(value or "")
    return value if _OPENID.fullmatch(value) else None
