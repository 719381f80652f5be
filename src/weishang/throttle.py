"""Limits on guessing passwords and codes and on sending codes (SMS pumping), counted in the cache
that every server process shares (Redis in production). Each limit counts per key (an account, a
mobile number, a client's address, or "all") in a fixed window; reaching it locks that key for a
while, and a locked key is refused before any password or code is even checked."""

import hashlib
import ipaddress
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from weishang.core_errors import DomainError

MINUTE = 60
HOUR = 60 * MINUTE


@dataclass(frozen=True)
class Limit:
    name: str
    hits: int  # allowed in one window
    window: int  # seconds
    lockout: int  # seconds a key stays locked once it reached the limit


# Failed sign-ins, by password or by code, on every login page.
FAILED_LOGINS_PER_ACCOUNT = Limit("login-account", hits=5, window=15 * MINUTE, lockout=15 * MINUTE)
FAILED_LOGINS_PER_CLIENT = Limit("login-client", hits=20, window=15 * MINUTE, lockout=15 * MINUTE)
FAILED_LOGINS_IN_ALL = Limit("login-all", hits=500, window=MINUTE, lockout=MINUTE)
# Wrong one-time codes for one number, however many new codes were sent.
WRONG_CODES_PER_MOBILE = Limit("code-mobile", hits=10, window=HOUR, lockout=HOUR)
# Codes sent: each one costs an SMS, and a stranger's number must not be flooded.
CODES_SENT_PER_MOBILE = Limit("send-mobile", hits=5, window=HOUR, lockout=HOUR)
CODES_SENT_PER_CLIENT = Limit("send-client", hits=20, window=HOUR, lockout=HOUR)
CODES_SENT_IN_ALL = Limit("send-all", hits=300, window=MINUTE, lockout=MINUTE)


class Throttled(DomainError):
    code = "throttled"

    def __init__(self, seconds: int):
        minutes = max(1, math.ceil(seconds / MINUTE))
        super().__init__(
            ngettext(
                "Too many attempts. Please try again in %(minutes)d minute.",
                "Too many attempts. Please try again in %(minutes)d minutes.",
                minutes,
            )
            % {"minutes": minutes}
        )
        self.seconds = seconds


def _key(limit: Limit, kind: str, key: str) -> str:
    # Hashed: cache keys stay short and safe, and no mobile number is stored in the cache.
    return f"throttle:{limit.name}:{kind}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def check(*limits: tuple[Limit, str]) -> None:
    """Refuses while any of the ``(limit, key)`` pairs is locked."""
    now = time.time()
    until = [cache.get(_key(limit, "lock", key), 0) for limit, key in limits]
    if (latest := max(until, default=0)) > now:
        raise Throttled(math.ceil(latest - now))


def hit(*limits: tuple[Limit, str]) -> None:
    """Counts one event for each pair; a pair that reaches its limit is locked."""
    for limit, key in limits:
        counter = _key(limit, "count", key)
        cache.add(counter, 0, timeout=limit.window)
        try:
            count = cache.incr(counter)
        except ValueError:  # the window ended between add and incr
            cache.set(counter, count := 1, timeout=limit.window)
        if count >= limit.hits:
            cache.set(_key(limit, "lock", key), time.time() + limit.lockout, limit.lockout)
            cache.delete(counter)


def take(*limits: tuple[Limit, str]) -> None:
    """For acts limited in number (sending a code): refuses when locked, else counts this one."""
    check(*limits)
    hit(*limits)


def client(request) -> str:
    """The client's address, from the proxy's header when one is configured; an IPv6 client is
    counted by its /64 network, which one subscriber usually holds whole."""
    raw = request.META.get("REMOTE_ADDR", "")
    if settings.CLIENT_IP_HEADER:
        raw = request.headers.get(settings.CLIENT_IP_HEADER, raw)
    try:
        address = ipaddress.ip_address(raw.strip())
    except ValueError:
        return "unknown"
    if address.version == 6:
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)


class ThrottledLoginForm:
    """Mixin for Django's AuthenticationForm (console and admin sign-in): refuses a locked
    account or client before checking the password and counts every wrong password."""

    def clean(self):
        limits = (
            (FAILED_LOGINS_PER_ACCOUNT, (self.data.get("username") or "").strip().lower()),
            (FAILED_LOGINS_PER_CLIENT, client(self.request)),
            (FAILED_LOGINS_IN_ALL, "all"),
        )
        try:
            check(*limits)
        except Throttled as exc:
            raise ValidationError(exc.message, code=exc.code) from exc
        try:
            return super().clean()
        except ValidationError as exc:
            if exc.code == "invalid_login":
                hit(*limits)
            raise
