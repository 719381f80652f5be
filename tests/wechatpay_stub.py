"""A WeChat Pay v3 stand-in for the tests: a merchant key, a platform certificate and an API v3
key made here; notifications built, encrypted and signed as WeChat documents them; and a stub
server on 127.0.0.1 answering prepay, refund and transfer calls with WeChat's documented bodies,
its error codes and its slow answers.

The client reaches "api.mch.weixin.qq.com" the supported way, through the proxy setting
(``WEISHANG_WECHATPAY_PROXY``): a CONNECT proxy here tunnels it to the stub, which speaks TLS with
a certificate for that name from a test CA that ``REQUESTS_CA_BUNDLE`` trusts."""

import base64
import json
import re
import secrets
import select
import socket
import socketserver
import ssl
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

MCHID = "1900009191"
APPID = "wx8888888888888888"
MINIPROGRAM_APPID = "wx9999999999999999"
MERCHANT_SERIAL = "3775B6A45ACD588826D15E583A95F5DD3D0A1AA1"
PUBLIC_KEY_ID = "PUB_KEY_ID_0119000091912025010100000001"
GATEWAY_HOST = "api.mch.weixin.qq.com"
SLOW_SECONDS = 1.5  # longer than the tests' read timeout
READ_TIMEOUT = 0.6


def _pem_key(key) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def _cert(subject, key, *, issuer=None, issuer_key=None, serial=None, ca=False, dns=None):
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer or subject)]))
        .public_key(key.public_key())
        .serial_number(serial or x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    signer = issuer_key or key
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False),
            critical=True,
        )
    else:
        builder = builder.add_extension(
            x509.KeyUsage(True, False, True, False, False, False, False, False, False),
            critical=True,
        )
    if dns:
        builder = builder.add_extension(
            x509.SubjectAlternativeName([x509.DNSName(dns)]), critical=False
        ).add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    if issuer_key is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()),
            critical=False,
        )
    return builder.sign(signer, hashes.SHA256())


@dataclass
class Keys:
    """The merchant's and WeChat's secrets, and the files the settings name."""

    folder: Path
    merchant: rsa.RSAPrivateKey
    platform: rsa.RSAPrivateKey
    platform_serial: str
    apiv3_key: str
    ca_file: Path
    tls_context: ssl.SSLContext

    @property
    def merchant_key_file(self) -> Path:
        return self.folder / "apiclient_key.pem"

    @property
    def cert_dir(self) -> Path:
        return self.folder / "platform"

    @property
    def public_key_file(self) -> Path:
        return self.folder / "pub_key.pem"


def make_keys(folder: Path) -> Keys:
    merchant = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    platform = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    serial = x509.random_serial_number()
    platform_cert = _cert("Tenpay.com Root CA", platform, serial=serial)
    keys = Keys(
        folder=folder,
        merchant=merchant,
        platform=platform,
        platform_serial=format(serial, "X"),
        apiv3_key=secrets.token_hex(16),  # 32 characters, as WeChat's merchant platform sets
        ca_file=folder / "ca.pem",
        tls_context=ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER),
    )
    keys.merchant_key_file.write_text(_pem_key(merchant))
    keys.cert_dir.mkdir()
    (keys.cert_dir / f"{keys.platform_serial}.pem").write_bytes(
        platform_cert.public_bytes(serialization.Encoding.PEM)
    )
    keys.public_key_file.write_bytes(
        platform.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert("Weishang test CA", ca_key, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    server = _cert(
        GATEWAY_HOST, server_key, issuer="Weishang test CA", issuer_key=ca_key, dns=GATEWAY_HOST
    )
    keys.ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    (folder / "server.pem").write_bytes(
        server.public_bytes(serialization.Encoding.PEM) + _pem_key(server_key).encode()
    )
    keys.tls_context.load_cert_chain(folder / "server.pem")
    return keys


def rsa_sign(key, message: str) -> str:
    return base64.b64encode(
        key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
    ).decode()


def rsa_verify(public_key, message: str, signature: str) -> bool:
    try:
        public_key.verify(
            base64.b64decode(signature), message.encode(), padding.PKCS1v15(), hashes.SHA256()
        )
    except Exception:  # noqa: BLE001 - any failure is a bad signature
        return False
    return True


def signed_headers(body: str, *, key, serial: str, timestamp: int | None = None) -> dict:
    """WeChat's signature headers over ``timestamp\\nnonce\\nbody\\n``."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    nonce = secrets.token_hex(16).upper()
    return {
        "Wechatpay-Timestamp": str(timestamp),
        "Wechatpay-Nonce": nonce,
        "Wechatpay-Signature": rsa_sign(key, f"{timestamp}\n{nonce}\n{body}\n"),
        "Wechatpay-Serial": serial,
        "Wechatpay-Signature-Type": "WECHATPAY2-SHA256-RSA2048",
    }


def encrypt_resource(resource: dict, *, apiv3_key: str, original_type: str) -> dict:
    nonce = secrets.token_hex(6)  # 12 characters
    associated_data = original_type
    ciphertext = AESGCM(apiv3_key.encode()).encrypt(
        nonce.encode(), json.dumps(resource, ensure_ascii=False).encode(), associated_data.encode()
    )
    return {
        "original_type": original_type,
        "algorithm": "AEAD_AES_256_GCM",
        "ciphertext": base64.b64encode(ciphertext).decode(),
        "associated_data": associated_data,
        "nonce": nonce,
    }


SUMMARIES = {
    "TRANSACTION.SUCCESS": ("transaction", "支付成功"),
    "REFUND.SUCCESS": ("refund", "退款成功"),
    "REFUND.ABNORMAL": ("refund", "退款异常"),
    "REFUND.CLOSED": ("refund", "退款关闭"),
    "MCHTRANSFER.BILL.FINISHED": ("mch_payment", "商家转账单据终态通知"),
}


def rfc3339(moment: datetime | None = None) -> str:
    moment = (moment or datetime.now(UTC)).astimezone(datetime.now().astimezone().tzinfo)
    return moment.isoformat(timespec="seconds")


class ConnectProxy(socketserver.ThreadingTCPServer):
    """An HTTP proxy on 127.0.0.1 that tunnels a CONNECT to WeChat's host to the stub."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, target_port: int):
        self.target_port = target_port
        self.tunnels: list[str] = []
        super().__init__(("127.0.0.1", 0), _Tunnel)


class _Tunnel(socketserver.BaseRequestHandler):
    def handle(self):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.request.recv(4096)
            if not chunk:
                return
            head += chunk
        target = head.split(b"\r\n", 1)[0].split(b" ")
        if target[0] != b"CONNECT" or target[1] != f"{GATEWAY_HOST}:443".encode():
            self.request.sendall(b"HTTP/1.1 403 Forbidden\r\n\r\n")
            return
        self.server.tunnels.append(target[1].decode())
        upstream = socket.create_connection(("127.0.0.1", self.server.target_port), timeout=5)
        self.request.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        ends = [self.request, upstream]
        deadline = time.monotonic() + 30
        try:
            while time.monotonic() < deadline:
                readable, _w, _x = select.select(ends, [], [], 1)
                for end in readable:
                    data = end.recv(65536)
                    if not data:
                        return
                    (upstream if end is self.request else self.request).sendall(data)
        except OSError:
            return
        finally:
            upstream.close()


@dataclass
class FakeWeChatPay:
    """WeChat Pay's side: it checks the merchant's signature, keeps prepay orders, refunds and
    transfer bills by the merchant's numbers (so a repeated request returns the first answer),
    signs its answers with the platform key, and fails on demand."""

    keys: Keys
    serial: str
    orders: dict = field(default_factory=dict)
    refunds: dict = field(default_factory=dict)
    bills: dict = field(default_factory=dict)
    requests: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    refund_status: str = "PROCESSING"
    bill_state: str = "SUCCESS"
    answer_key: object = None  # the key answers are signed with; the platform key unless set
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, status: int = 0, code: str = "", message: str = "", *, slow=False):
        """The next call fails: with WeChat's error body, or, ``slow``, WeChat does it but
        answers too late for the client."""
        self.failures.append(("slow", None, None) if slow else (status, code, message))

    def install(self, server: HTTPServer) -> None:
        routes = {
            "/v3/pay/transactions/jsapi": self._prepay,
            "/v3/refund/domestic/refunds": self._refund,
            "/v3/fund-app/mch-transfer/transfer-bills": self._transfer,
        }
        for path, action in routes.items():
            server.expect_request(path, method="POST").respond_with_handler(
                lambda request, action=action: self._handle(request, action)
            )
        server.expect_request(
            re.compile(r"/v3/fund-app/mch-transfer/transfer-bills/out-bill-no/[0-9A-Za-z]+"),
            method="GET",
        ).respond_with_handler(lambda request: self._handle(request, self._bill))

    # -- the server side ------------------------------------------------------------------------
    def _answer(self, status: int, payload: dict) -> Response:
        body = json.dumps(payload, ensure_ascii=False)
        headers = signed_headers(
            body, key=self.answer_key or self.keys.platform, serial=self.serial
        )
        headers["Request-ID"] = secrets.token_hex(16)
        return Response(body, status=status, headers=headers, content_type="application/json")

    def _authorized(self, request: Request) -> bool:
        scheme, _sp, params = request.headers.get("Authorization", "").partition(" ")
        fields = dict(part.split("=", 1) for part in params.split(",") if "=" in part)
        fields = {k: v.strip('"') for k, v in fields.items()}
        message = (
            f"{request.method}\n{request.full_path.rstrip('?')}\n{fields.get('timestamp')}\n"
            f"{fields.get('nonce_str')}\n{request.get_data(as_text=True)}\n"
        )
        return (
            scheme == "WECHATPAY2-SHA256-RSA2048"
            and fields.get("mchid") == MCHID
            and fields.get("serial_no") == MERCHANT_SERIAL
            and rsa_verify(self.keys.merchant.public_key(), message, fields.get("signature", ""))
        )

    def _handle(self, request: Request, action) -> Response:
        if not self._authorized(request):
            return self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
        data = json.loads(request.get_data() or b"{}")
        if request.method == "GET":
            data = {"path": request.path}
        with self.lock:
            self.requests.append((request.path, data, dict(request.headers)))
            failure = self.failures.pop(0) if self.failures else None
            if failure and failure[0] != "slow":
                status, code, message = failure
                return self._answer(status, {"code": code, "message": message})
            status, payload = action(data)
        if failure:
            time.sleep(SLOW_SECONDS)
        return self._answer(status, payload)

    def _prepay(self, data):
        required = ("appid", "mchid", "description", "out_trade_no", "notify_url")
        if any(not data.get(name) for name in required) or not data.get("payer", {}).get("openid"):
            return 400, {"code": "PARAM_ERROR", "message": "输入源“/body”映射到字段失败"}
        if data["mchid"] != MCHID:
            return 400, {"code": "MCH_NOT_EXISTS", "message": "商户号不存在"}
        order = self.orders.get(data["out_trade_no"])
        if order and order["request"] != data:
            return 400, {"code": "INVALID_REQUEST", "message": "201 商户订单号重复"}
        if not order:
            order = {"request": data, "prepay_id": "wx" + secrets.token_hex(16)}
            self.orders[data["out_trade_no"]] = order
        return 200, {"prepay_id": order["prepay_id"]}

    def _refund(self, data):
        if not data.get("out_refund_no") or not data.get("amount", {}).get("refund"):
            return 400, {"code": "PARAM_ERROR", "message": "参数错误"}
        refund = self.refunds.get(data["out_refund_no"])
        if refund is None:
            paid = next(
                (
                    o
                    for o in self.orders.values()
                    if o.get("transaction_id") == data.get("transaction_id")
                ),
                None,
            )
            if paid is None:
                return 404, {"code": "RESOURCE_NOT_EXISTS", "message": "订单不存在"}
            refund = {
                "refund_id": "50" + secrets.token_hex(14),
                "out_refund_no": data["out_refund_no"],
                "transaction_id": data["transaction_id"],
                "out_trade_no": paid["request"]["out_trade_no"],
                "channel": "ORIGINAL",
                "user_received_account": "支付用户零钱",
                "create_time": rfc3339(),
                "status": self.refund_status,
                "funds_account": "AVAILABLE",
                "amount": {
                    "total": data["amount"]["total"],
                    "refund": data["amount"]["refund"],
                    "payer_total": data["amount"]["total"],
                    "payer_refund": data["amount"]["refund"],
                    "settlement_refund": data["amount"]["refund"],
                    "settlement_total": data["amount"]["total"],
                    "discount_refund": 0,
                    "currency": "CNY",
                },
            }
            self.refunds[data["out_refund_no"]] = refund
        return 200, refund

    def _transfer(self, data):
        required = ("appid", "out_bill_no", "transfer_scene_id", "openid", "transfer_remark")
        if any(not data.get(name) for name in required) or not data.get("transfer_amount"):
            return 400, {"code": "PARAM_ERROR", "message": "参数错误"}
        bill = self.bills.get(data["out_bill_no"])
        if bill is None:
            name = None
            if data.get("user_name"):
                name = self.keys.platform.decrypt(
                    base64.b64decode(data["user_name"]),
                    padding.OAEP(
                        mgf=padding.MGF1(algorithm=hashes.SHA1()),  # noqa: S303 - WeChat's OAEP
                        algorithm=hashes.SHA1(),
                        label=None,
                    ),
                ).decode()
            bill = {
                "out_bill_no": data["out_bill_no"],
                "transfer_bill_no": "1330000071100999991182020050700019480001"[:-6]
                + secrets.token_hex(3),
                "create_time": rfc3339(),
                "state": self.bill_state,
                "amount": data["transfer_amount"],
                "openid": data["openid"],
                "user_name": name,
            }
            if self.bill_state == "WAIT_USER_CONFIRM":
                bill["package_info"] = "ABBQO+oYAAABAAAAAAAk" + secrets.token_hex(8)
            self.bills[data["out_bill_no"]] = bill
        answer = {k: bill[k] for k in ("out_bill_no", "transfer_bill_no", "create_time", "state")}
        if "package_info" in bill:
            answer["package_info"] = bill["package_info"]
        return 200, answer

    def _bill(self, data):
        bill = self.bills.get(data["path"].rsplit("/", 1)[1])
        if bill is None:
            return 404, {"code": "NOT_FOUND", "message": "商户单号不存在"}
        answer = {
            "mch_id": MCHID,
            "out_bill_no": bill["out_bill_no"],
            "transfer_bill_no": bill["transfer_bill_no"],
            "appid": APPID,
            "state": bill["state"],
            "transfer_amount": bill["amount"],
            "transfer_remark": "佣金提现",
            "openid": bill["openid"],
            "create_time": bill["create_time"],
            "update_time": rfc3339(),
        }
        if bill["state"] in ("FAIL", "CANCELLED"):
            answer["fail_reason"] = "PAYEE_ACCOUNT_ABNORMAL"
        return 200, answer

    # -- WeChat's notifications -----------------------------------------------------------------
    def notification(self, event_type: str, resource: dict, *, key=None, timestamp=None):
        """The body and headers WeChat posts for ``event_type``, encrypted and signed."""
        original_type, summary = SUMMARIES[event_type]
        body = json.dumps(
            {
                "id": "EV-" + secrets.token_hex(10),
                "create_time": rfc3339(),
                "resource_type": "encrypt-resource",
                "event_type": event_type,
                "summary": summary,
                "resource": encrypt_resource(
                    resource, apiv3_key=self.keys.apiv3_key, original_type=original_type
                ),
            },
            ensure_ascii=False,
        )
        headers = signed_headers(
            body, key=key or self.keys.platform, serial=self.serial, timestamp=timestamp
        )
        return body.encode(), headers

    def paid(self, payment, **changes) -> tuple[bytes, dict]:
        """The payer paid the prepay order: WeChat's TRANSACTION.SUCCESS notification."""
        order = self.orders[payment.number]
        order.setdefault("transaction_id", "42000" + secrets.token_hex(12))
        resource = {
            "mchid": MCHID,
            "appid": order["request"]["appid"],
            "out_trade_no": payment.number,
            "transaction_id": order["transaction_id"],
            "trade_type": "JSAPI",
            "trade_state": "SUCCESS",
            "trade_state_desc": "支付成功",
            "bank_type": "CMC",
            "attach": "",
            "success_time": rfc3339(),
            "payer": {"openid": order["request"]["payer"]["openid"]},
            "amount": {
                "total": order["request"]["amount"]["total"],
                "payer_total": order["request"]["amount"]["total"],
                "currency": "CNY",
                "payer_currency": "CNY",
            },
        }
        key = changes.pop("key", None)
        timestamp = changes.pop("timestamp", None)
        for name, value in changes.items():
            resource[name] = value
        return self.notification("TRANSACTION.SUCCESS", resource, key=key, timestamp=timestamp)

    def refunded(self, out_refund_no: str, *, status="SUCCESS", refund_fen=None):
        refund = self.refunds[out_refund_no]
        resource = {
            "mchid": MCHID,
            "out_trade_no": refund["out_trade_no"],
            "transaction_id": refund["transaction_id"],
            "out_refund_no": out_refund_no,
            "refund_id": refund["refund_id"],
            "refund_status": status,
            "success_time": rfc3339(),
            "user_received_account": "支付用户零钱",
            "amount": {
                "total": refund["amount"]["total"],
                "refund": refund["amount"]["refund"] if refund_fen is None else refund_fen,
                "payer_total": refund["amount"]["total"],
                "payer_refund": refund["amount"]["refund"],
            },
        }
        return self.notification(f"REFUND.{status}", resource)

    def transferred(self, out_bill_no: str, *, state="SUCCESS", amount=None, fail_reason=""):
        bill = self.bills[out_bill_no]
        bill["state"] = state
        resource = {
            "out_bill_no": out_bill_no,
            "transfer_bill_no": bill["transfer_bill_no"],
            "state": state,
            "mch_id": MCHID,
            "transfer_amount": bill["amount"] if amount is None else amount,
            "openid": bill["openid"],
            "fail_reason": fail_reason,
            "create_time": bill["create_time"],
            "update_time": rfc3339(),
        }
        return self.notification("MCHTRANSFER.BILL.FINISHED", resource)


def post(client, url: str, notification: tuple[bytes, dict], *, language: str = "en"):
    body, headers = notification
    return client.post(
        url,
        data=body,
        content_type="application/json",
        headers=headers | {"Accept-Language": language},
    )


@pytest.fixture(scope="session")
def wechat_keys(tmp_path_factory) -> Keys:
    return make_keys(tmp_path_factory.mktemp("wechatpay"))


@pytest.fixture(scope="session")
def wechat_gateway(wechat_keys):
    """The stub server (TLS, 127.0.0.1) and the proxy that leads the client to it."""
    server = HTTPServer(
        host="127.0.0.1", port=0, ssl_context=wechat_keys.tls_context, threaded=True
    )
    server.start()
    proxy = ConnectProxy(server.port)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    yield server, proxy
    proxy.shutdown()
    proxy.server_close()
    server.clear()
    if server.is_running():
        server.stop()


def wechat_settings(keys: Keys, proxy: ConnectProxy, *, public_key: bool = False) -> dict:
    return {
        "MCHID": MCHID,
        "APPID": APPID,
        "MINIPROGRAM_APPID": MINIPROGRAM_APPID,
        "PRIVATE_KEY_PATH": str(keys.merchant_key_file),
        "CERT_SERIAL_NO": MERCHANT_SERIAL,
        "APIV3_KEY": keys.apiv3_key,
        "PLATFORM_CERT_DIR": "" if public_key else str(keys.cert_dir),
        "PUBLIC_KEY_PATH": str(keys.public_key_file) if public_key else "",
        "PUBLIC_KEY_ID": PUBLIC_KEY_ID if public_key else "",
        "NOTIFY_URL": "https://weishang.test/payments/notify/wechatpay/",
        "REFUND_NOTIFY_URL": "https://weishang.test/payments/notify/wechatpay/refund/",
        "TRANSFER_NOTIFY_URL": "https://weishang.test/payments/notify/wechatpay/transfer/",
        "TRANSFER_SCENE_ID": "1005",
        "PROXY": f"http://127.0.0.1:{proxy.server_address[1]}",
        "CONNECT_TIMEOUT": 5.0,
        "READ_TIMEOUT": READ_TIMEOUT,
    }


@pytest.fixture
def wechatpay(settings, monkeypatch, wechat_keys, wechat_gateway) -> FakeWeChatPay:
    """WeChat Pay configured with the test's keys (platform certificate mode), its server
    answering through the stub."""
    server, proxy = wechat_gateway
    server.clear_all_handlers()
    server.clear()
    settings.WECHATPAY = wechat_settings(wechat_keys, proxy)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(wechat_keys.ca_file))
    fake = FakeWeChatPay(keys=wechat_keys, serial=wechat_keys.platform_serial)
    fake.install(server)
    yield fake
    server.clear_all_handlers()
