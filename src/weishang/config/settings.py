"""Settings for Weishang. Everything that differs between machines comes from the environment."""

import json
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from weishang.config import logs, production

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WEISHANG_VAR_DIR", Path.cwd() / "var"))


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated setting; set and empty, it is an empty list."""
    if name not in os.environ:
        return default
    return [item.strip() for item in os.environ[name].split(",") if item.strip()]


DEBUG = env_flag("WEISHANG_DEBUG")
SECRET_KEY = os.environ.get("WEISHANG_SECRET_KEY", production.DEMO_SECRET_KEY)
# Fernet keys for personal data at rest, comma-separated, newest first (weishang.crypto).
FIELD_ENCRYPTION_KEYS = os.environ.get(
    "WEISHANG_FIELD_ENCRYPTION_KEYS", production.DEMO_FIELD_ENCRYPTION_KEY
).split(",")
# The site's canonical address: share links, QR codes and posters carry it, whatever Host a request
# named (a poster drawn per Host header would be a cache-filling and phishing lever).
SITE_URL = os.environ.get("WEISHANG_SITE_URL", production.DEMO_SITE_URL).rstrip("/")
# HMAC key for comparing encrypted ID numbers (weishang.crypto.keyed_hash); never rotated.
ID_HASH_KEY = os.environ.get("WEISHANG_ID_HASH_KEY", production.DEMO_ID_HASH_KEY)
ALLOWED_HOSTS = os.environ.get("WEISHANG_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "ninja",
    "ninja_jwt.token_blacklist",
    "weishang.catalog",
    "weishang.inventory",
    "weishang.customers",
    "weishang.notifications",
    "weishang.orders",
    "weishang.payments",
    "weishang.distribution",
    "weishang.commissions",
    "weishang.loyalty",
    "weishang.reseller",
    "weishang.campaigns",
    "weishang.community",
    "weishang.content",
    "weishang.analytics",
    "weishang.teams",
    "weishang.sales",
    "weishang.compliance",
    "weishang.reporting",
    "weishang.storefront",
    "weishang.console",
    "weishang.api",
    "weishang.demo",
]

MIDDLEWARE = [
    "weishang.config.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "weishang.config.input_guard.InputGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "weishang.distribution.middleware.ShareLinkMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "weishang.console.middleware.ConsoleRoleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "weishang.config.middleware.DomainErrorMiddleware",
    "weishang.replicas.PinAfterWriteMiddleware",
]

ROOT_URLCONF = "weishang.config.urls"
WSGI_APPLICATION = "weishang.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "weishang.catalog.context_processors.brand",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'weishang.sqlite3'}"),
        conn_max_age=int(os.environ.get("WEISHANG_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let the embedded database take concurrent writers politely.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The rollups' covering indexes carry extra columns for PostgreSQL's index-only scans; the
    # embedded database keeps just their keys, which is all its small data needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
# A streaming replica for the analytics, the exports and the console's lists (weishang.replicas):
# used while it is at most REPLICA_MAX_LAG seconds behind; a browser that has just written reads
# from the primary for REPLICA_PIN_SECONDS.
if replica_url := os.environ.get("WEISHANG_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        replica_url, conn_max_age=DATABASES["default"]["CONN_MAX_AGE"]
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["weishang.replicas.ReplicaRouter"] if "replica" in DATABASES else []
REPLICA_MAX_LAG = float(os.environ.get("WEISHANG_REPLICA_MAX_LAG", "5"))
REPLICA_CHECK_SECONDS = float(os.environ.get("WEISHANG_REPLICA_CHECK_SECONDS", "2"))
REPLICA_PIN_SECONDS = int(os.environ.get("WEISHANG_REPLICA_PIN_SECONDS", "10"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ModelBackend, reading the customer with the user (one query per signed-in request, not two).
# Sessions signed in under django.contrib.auth.backends.ModelBackend must sign in again.
AUTHENTICATION_BACKENDS = ["weishang.customers.auth.CustomerBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "storefront:login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# What `make install` (npm ci) put beside the source; VendorFinder serves only echarts.min.js of it.
NODE_MODULES = Path(
    os.environ.get("WEISHANG_NODE_MODULES", PACKAGE_DIR.parent.parent / "node_modules")
)
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "weishang.config.vendor.VendorFinder",
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("WEISHANG_MEDIA_ROOT", VAR_DIR / "media"))
# Private uploads (complaint photos): never under MEDIA_ROOT, served only by checked views.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("WEISHANG_PRIVATE_MEDIA_ROOT", VAR_DIR / "private"))
SERVE_MEDIA = env_flag("WEISHANG_SERVE_MEDIA", True)

# Every record to stderr with its request id: JSON lines in production, text in the demo.
LOGGING = logs.config(debug=DEBUG, level=os.environ.get("WEISHANG_LOG_LEVEL", "INFO"))

# Orders
ORDER_PAYMENT_TIMEOUT_MINUTES = int(os.environ.get("WEISHANG_PAYMENT_TIMEOUT_MINUTES", "30"))
RETURN_WINDOW_DAYS = 7
REFUND_DUE_DAYS = 7

# One-time codes for mobile login
SMS_SENDER = os.environ.get("WEISHANG_SMS_SENDER", production.DEMO_SMS_SENDER)
OTP_TTL_SECONDS = 300

# Notifications: every message is in the customer's inbox; these channels send it besides, after
# the commit (weishang.notifications.channels), and SMS carries these events.
NOTIFICATION_CHANNELS = env_list(
    "WEISHANG_NOTIFICATION_CHANNELS",
    [
        "weishang.notifications.channels.SmsChannel",
        "weishang.notifications.channels.WeChatSubscribeChannel",
    ],
)
NOTIFY_SMS_EVENTS = frozenset(
    env_list(
        "WEISHANG_NOTIFY_SMS_EVENTS",
        [
            "order_shipped",
            "return_approved",
            "refunded",
            "application_approved",
            "application_rejected",
            "withdrawal_paid",
            "complaint_answered",
        ],
    )
)
OTP_MAX_ATTEMPTS = 5
# The demo shows the code on the login page, since no SMS gateway is configured.
OTP_SHOW_ON_PAGE = env_flag("WEISHANG_OTP_SHOW_ON_PAGE", DEBUG)

# The JSON API (/api/v1/): short-lived access tokens, refresh tokens rotated and revocable (each
# one used or signed out is blacklisted), and how long an Idempotency-Key keeps its answer.
NINJA_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=10),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=14),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
}
API_IDEMPOTENCY_TTL = timedelta(hours=24)

# Payments
PAYMENT_PROVIDER = os.environ.get("WEISHANG_PAYMENT_PROVIDER", "sandbox")
SANDBOX_PAY_SECRET = os.environ.get(
    "WEISHANG_SANDBOX_PAY_SECRET", production.DEMO_SANDBOX_PAY_SECRET
)

# WeChat Pay v3 (docs/wechatpay.md), used when WEISHANG_PAYMENT_PROVIDER=wechatpay and for
# payouts with WEISHANG_PAYOUT_BACKEND=weishang.commissions.wechat_transfers.WeChatTransfers.
# WeChat's answers and notifications are verified with the platform certificates in
# PLATFORM_CERT_DIR or, for merchants given one, the WeChat Pay public key and its id.
WECHATPAY = {
    "MCHID": os.environ.get("WEISHANG_WECHATPAY_MCHID", ""),
    "APPID": os.environ.get("WEISHANG_WECHATPAY_APPID", ""),  # official account (JSAPI)
    "MINIPROGRAM_APPID": os.environ.get("WEISHANG_WECHATPAY_MINIPROGRAM_APPID", ""),
    "PRIVATE_KEY_PATH": os.environ.get("WEISHANG_WECHATPAY_PRIVATE_KEY_PATH", ""),
    "CERT_SERIAL_NO": os.environ.get("WEISHANG_WECHATPAY_CERT_SERIAL_NO", ""),
    "APIV3_KEY": os.environ.get("WEISHANG_WECHATPAY_APIV3_KEY", ""),
    "PLATFORM_CERT_DIR": os.environ.get("WEISHANG_WECHATPAY_PLATFORM_CERT_DIR", ""),
    "PUBLIC_KEY_PATH": os.environ.get("WEISHANG_WECHATPAY_PUBLIC_KEY_PATH", ""),
    "PUBLIC_KEY_ID": os.environ.get("WEISHANG_WECHATPAY_PUBLIC_KEY_ID", ""),
    "NOTIFY_URL": os.environ.get(
        "WEISHANG_WECHATPAY_NOTIFY_URL", f"{SITE_URL}/payments/notify/wechatpay/"
    ),
    "REFUND_NOTIFY_URL": os.environ.get(
        "WEISHANG_WECHATPAY_REFUND_NOTIFY_URL", f"{SITE_URL}/payments/notify/wechatpay/refund/"
    ),
    "TRANSFER_NOTIFY_URL": os.environ.get(
        "WEISHANG_WECHATPAY_TRANSFER_NOTIFY_URL", f"{SITE_URL}/payments/notify/wechatpay/transfer/"
    ),
    # 商家转账 scene: 1005 is 佣金报酬 (commission), reported with the payee's role and the pay.
    "TRANSFER_SCENE_ID": os.environ.get("WEISHANG_WECHATPAY_TRANSFER_SCENE_ID", "1005"),
    # The HTTP(S) proxy WeChat Pay is reached through, if any (e.g. http://10.0.0.2:3128).
    "PROXY": os.environ.get("WEISHANG_WECHATPAY_PROXY", ""),
    # Seconds to connect and to wait for an answer; past them the outcome is unknown (retried).
    "CONNECT_TIMEOUT": float(os.environ.get("WEISHANG_WECHATPAY_CONNECT_TIMEOUT", "5")),
    "READ_TIMEOUT": float(os.environ.get("WEISHANG_WECHATPAY_READ_TIMEOUT", "15")),
}
# WeChat: the official account (公众号) signs customers in from WeChat's browser and signs the share
# cards' JS-SDK config; the mini-program (小程序) signs in with wx.login codes. Each is off until
# its appid and secret are set. The API's and the authorisation page's addresses are settings so
# the tests point them at a stub server (docs/wechat.md).
WECHAT_OA_APPID = os.environ.get("WEISHANG_WECHAT_OA_APPID", "")
WECHAT_OA_SECRET = os.environ.get("WEISHANG_WECHAT_OA_SECRET", "")
WECHAT_MP_APPID = os.environ.get("WEISHANG_WECHAT_MP_APPID", "")
WECHAT_MP_SECRET = os.environ.get("WEISHANG_WECHAT_MP_SECRET", "")
# snsapi_userinfo asks the customer's consent and gives his nickname; snsapi_base is silent.
WECHAT_OAUTH_SCOPE = os.environ.get("WEISHANG_WECHAT_OAUTH_SCOPE", "snsapi_userinfo")
WECHAT_API_BASE = os.environ.get("WEISHANG_WECHAT_API_BASE", "https://api.weixin.qq.com")
WECHAT_OPEN_BASE = os.environ.get("WEISHANG_WECHAT_OPEN_BASE", "https://open.weixin.qq.com")
WECHAT_TIMEOUT_SECONDS = float(os.environ.get("WEISHANG_WECHAT_TIMEOUT_SECONDS", "5"))
# WeChat's own JS-SDK, loaded only by pages opened inside WeChat (never in other browsers).
WECHAT_JSSDK_URL = os.environ.get(
    "WEISHANG_WECHAT_JSSDK_URL", "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"
)
# Mini-program subscribe messages (订阅消息) for notifications, per event: the template chosen in
# the mini-program's console, the page the message opens ({order}, {complaint} filled in) and
# which of the message's figures goes in each template field, as JSON, e.g.
# {"order_shipped": {"template": "TPL-ID", "page": "pages/order/detail?number={order}",
#   "fields": {"character_string1": "order", "thing2": "carrier", "character_string3": "tracking"}}}
WECHAT_SUBSCRIBE_TEMPLATES = json.loads(
    os.environ.get("WEISHANG_WECHAT_SUBSCRIBE_TEMPLATES", "") or "{}"
)
# Which version of the mini-program a subscribe message opens: formal, trial or developer.
WECHAT_MP_STATE = os.environ.get("WEISHANG_WECHAT_MP_STATE", "formal")

# Refunds and payouts reach their provider from a task after the transaction that requested them
# commits. The demo and the tests run each task right after that commit, in the same process;
# production sets django_tasks_db.DatabaseBackend and runs `weishang db_worker`.
TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "WEISHANG_TASKS_BACKEND", "django.tasks.backends.immediate.ImmediateBackend"
        )
    }
}

# Production: HTTPS behind a proxy, a Content Security Policy, hashed and compressed static files
# served by WhiteNoise, a cache shared by every process, and no public demo value with DEBUG off.
HTTPS = env_flag("WEISHANG_HTTPS", not DEBUG)
if proxy_ssl_header := os.environ.get("WEISHANG_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_" + proxy_ssl_header.upper().replace("-", "_"), "https")
SECURE_SSL_REDIRECT = SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("WEISHANG_HSTS_SECONDS", "31536000")) if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
# The header in which the proxy passes the client's address (throttles count per client).
CLIENT_IP_HEADER = os.environ.get("WEISHANG_CLIENT_IP_HEADER", "")
# Scripts and <style> blocks carry the request's nonce ({{ csp_nonce }}); no style attributes.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
CACHE_URL = os.environ.get("WEISHANG_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL in {"", "locmem://"}:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    raise ImproperlyConfigured("WEISHANG_CACHE_URL must be redis://host:port/db or locmem://")
if not DEBUG:
    production.refuse_unsafe_production(globals())
