"""Settings for Weishang. Everything that differs between machines comes from the environment."""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("WEISHANG_VAR_DIR", Path.cwd() / "var"))


def env_flag(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_flag("WEISHANG_DEBUG")
SECRET_KEY = os.environ.get("WEISHANG_SECRET_KEY", "insecure-dev-key-change-me-in-production")
# Fernet keys for personal data at rest, comma-separated, newest first (weishang.crypto).
FIELD_ENCRYPTION_KEYS = os.environ.get(
    "WEISHANG_FIELD_ENCRYPTION_KEYS", "ZGV2LW9ubHkta2V5LWNoYW5nZS1pbi1wcm9kdWN0aW8="
).split(",")
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
    "weishang.catalog",
    "weishang.inventory",
    "weishang.customers",
    "weishang.orders",
    "weishang.payments",
    "weishang.distribution",
    "weishang.commissions",
    "weishang.compliance",
    "weishang.storefront",
    "weishang.console",
    "weishang.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "weishang.config.input_guard.InputGuardMiddleware",
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
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

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
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("WEISHANG_MEDIA_ROOT", VAR_DIR / "media"))
SERVE_MEDIA = env_flag("WEISHANG_SERVE_MEDIA", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"weishang": {"handlers": ["console"], "level": "INFO"}},
}

# Orders
ORDER_PAYMENT_TIMEOUT_MINUTES = int(os.environ.get("WEISHANG_PAYMENT_TIMEOUT_MINUTES", "30"))
RETURN_WINDOW_DAYS = 7
REFUND_DUE_DAYS = 7

# One-time codes for mobile login
SMS_SENDER = os.environ.get("WEISHANG_SMS_SENDER", "weishang.customers.sms.LogSmsSender")
OTP_TTL_SECONDS = 300
OTP_MAX_ATTEMPTS = 5
# The demo shows the code on the login page, since no SMS gateway is configured.
OTP_SHOW_ON_PAGE = env_flag("WEISHANG_OTP_SHOW_ON_PAGE", DEBUG)

# Payments
PAYMENT_PROVIDER = os.environ.get("WEISHANG_PAYMENT_PROVIDER", "sandbox")
SANDBOX_PAY_SECRET = os.environ.get("WEISHANG_SANDBOX_PAY_SECRET", "sandbox-secret-for-dev-only")
# Where the sandbox provider posts its notifications; defaults to the site that served the pay page.
SANDBOX_NOTIFY_BASE_URL = os.environ.get("WEISHANG_SANDBOX_NOTIFY_BASE_URL", "")
