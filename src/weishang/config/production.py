"""The repository's public demo values, and the refusal to run a production server (DEBUG off) on
any of them: a key printed in a public repository protects nothing."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

DEMO_SECRET_KEY = "insecure-dev-key-change-me-in-production"
DEMO_FIELD_ENCRYPTION_KEY = "ZGV2LW9ubHkta2V5LWNoYW5nZS1pbi1wcm9kdWN0aW8="
DEMO_SANDBOX_PAY_SECRET = "sandbox-secret-for-dev-only"
DEMO_SMS_SENDER = "weishang.customers.sms.LogSmsSender"
DEMO_ID_HASH_KEY = "dev-only-id-hash-key-change-in-production"
DEMO_SITE_URL = "http://127.0.0.1:8000"


def refusals(settings: dict) -> list[str]:
    """What is unsafe about these settings for a production server, one line per variable."""
    found = []
    if settings["SECRET_KEY"] in {"", DEMO_SECRET_KEY}:
        found.append(
            "WEISHANG_SECRET_KEY is not set or is the public demo key: set a random value of 50 "
            "or more characters."
        )
    if not all(settings["FIELD_ENCRYPTION_KEYS"]) or DEMO_FIELD_ENCRYPTION_KEY in set(
        settings["FIELD_ENCRYPTION_KEYS"]
    ):
        found.append(
            "WEISHANG_FIELD_ENCRYPTION_KEYS is not set or holds the public demo key: set your own "
            "Fernet keys, comma-separated, newest first (a demo key that encrypted stored data "
            "must be rotated out)."
        )
    if settings["ID_HASH_KEY"] in {"", DEMO_ID_HASH_KEY}:
        found.append(
            "WEISHANG_ID_HASH_KEY is not set or is the public demo key: set a random value of 32 "
            "or more characters and keep it (under a new key an ID number already used no longer "
            "matches, and a second distributor with it would be approved)."
        )
    site = urlsplit(settings["SITE_URL"])
    if site.scheme != "https" or not site.hostname:
        found.append(
            "WEISHANG_SITE_URL is not set or is not an https:// address: set the site's canonical "
            "address, e.g. https://shop.example.com, which share links and QR codes carry."
        )
    if settings["PAYMENT_PROVIDER"] == "sandbox" and settings["SANDBOX_PAY_SECRET"] in {
        "",
        DEMO_SANDBOX_PAY_SECRET,
    }:
        found.append(
            "WEISHANG_SANDBOX_PAY_SECRET is not set or is the public demo secret, while the "
            "sandbox payment provider is active: anyone could sign a payment notification."
        )
    if settings["SMS_SENDER"] in {"", DEMO_SMS_SENDER}:
        found.append(
            "WEISHANG_SMS_SENDER is not set or names the demo sender, which sends nothing: name "
            "the class that delivers codes through your SMS gateway (weishang.customers.sms)."
        )
    if settings["OTP_SHOW_ON_PAGE"]:
        found.append(
            "WEISHANG_OTP_SHOW_ON_PAGE is on: the login page would show anyone's one-time code."
        )
    if not settings["CACHE_URL"]:
        found.append(
            "WEISHANG_CACHE_URL is not set: login throttles need one cache shared by every "
            "server process (redis://host:6379/0; locmem:// only for a single process)."
        )
    return found


def refuse_unsafe_production(settings: dict) -> None:
    """Called at the end of the settings module when DEBUG is off."""
    if found := refusals(settings):
        raise ImproperlyConfigured(
            "Refusing to start with DEBUG off (WEISHANG_DEBUG not set to 1):\n- "
            + "\n- ".join(found)
        )
