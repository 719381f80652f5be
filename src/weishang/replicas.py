"""Reading from a PostgreSQL streaming replica when ``WEISHANG_REPLICA_URL`` is set.

Only what is read inside ``reads()`` may go there: the analytics pages, the exports and the
console's big lists (``@replica_reads`` on their views). Everything else stays on the primary: every
write, every read outside ``reads()``, and every read while the primary has a transaction open
(what is read there is read to be written). The replica is used only while it keeps up: its
replay lag is asked at most every ``WEISHANG_REPLICA_CHECK_SECONDS`` per process, and past
``WEISHANG_REPLICA_MAX_LAG`` seconds, or when it cannot be reached, reads go to the primary. A
browser that has just written (any request that is not GET or HEAD) reads from the primary for
``WEISHANG_REPLICA_PIN_SECONDS``, so nobody misses his own change. See docs/scaling.md."""

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
PIN_COOKIE = "ws_primary"

logger = logging.getLogger("weishang.replicas")
_reading: ContextVar[bool] = ContextVar("replica_reads", default=False)


def configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def reads() -> Iterator[None]:
    """Reads in this block may be served by the replica."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


class _Lag:
    """The replica's replay lag, asked at most once per check interval in this process."""

    def __init__(self):
        self.checked_at = float("-inf")
        self.usable = False

    def replica_usable(self) -> bool:
        now = time.monotonic()
        if now - self.checked_at >= settings.REPLICA_CHECK_SECONDS:
            self.checked_at = now
            self.usable = self._ask()
        return self.usable

    def _ask(self) -> bool:
        try:
            with connections[REPLICA].cursor() as cursor:
                cursor.execute(
                    "SELECT CASE WHEN NOT pg_is_in_recovery() "
                    "OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 "
                    "ELSE COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) "
                    "END"
                )
                (lag,) = cursor.fetchone()
        except DatabaseError as error:
            logger.warning("replica unreachable, reading from the primary: %s", error)
            connections[REPLICA].close()
            return False
        if lag > settings.REPLICA_MAX_LAG:
            logger.warning("replica %.1f s behind, reading from the primary", lag)
            return False
        return True


lag = _Lag()


def read_alias() -> str:
    """Where a read asked now goes. A transaction open on the replica (an export's snapshot)
    keeps every read of its block there."""
    if not _reading.get() or not configured():
        return DEFAULT_DB_ALIAS
    if connections[REPLICA].in_atomic_block:
        return REPLICA
    if not connections[DEFAULT_DB_ALIAS].in_atomic_block and lag.replica_usable():
        return REPLICA
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return read_alias()

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True

    def allow_migrate(self, db, app_label, **hints):
        return db == DEFAULT_DB_ALIAS


def _streamed_in_reads(chunks):
    """A streaming response's chunks, each made inside ``reads()`` (the view has returned by the
    time the server asks for them)."""
    chunks = iter(chunks)
    while True:
        with reads():
            chunk = next(chunks, None)
        if chunk is None:
            return
        yield chunk


def replica_reads(view):
    """A GET of the view may read from the replica, unless this browser has just written."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        writing = request.method not in ("GET", "HEAD")
        if not configured() or writing or PIN_COOKIE in request.COOKIES:
            return view(request, *args, **kwargs)
        with reads():
            response = view(request, *args, **kwargs)
        if response.streaming:
            response.streaming_content = _streamed_in_reads(response.streaming_content)
        return response

    return wrapped


class PinAfterWriteMiddleware:
    """A browser that has just sent a change reads from the primary for a while."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if configured() and request.method not in ("GET", "HEAD", "OPTIONS"):
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
        return response
